from django.urls import path

from leads.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("<int:pk>/start/", views.import_start, name="start"),
    path("<int:pk>/errors.csv", views.import_errors, name="errors"),
]
