from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.person_data, name="person_data"),
    path("erase/", views.erase, name="erase"),
]
