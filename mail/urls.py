from django.urls import path

from mail import views

app_name = "mail"
urlpatterns = [
    path("send/<str:label>/<int:pk>/", views.compose, name="compose"),
    path("sent/<int:pk>/retry/", views.retry, name="retry"),
    path("sent/<int:pk>/status/", views.status, name="status"),
]
