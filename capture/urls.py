from django.urls import path

from capture import views

app_name = "capture"
urlpatterns = [
    path("<slug:key>/", views.web_form_view, name="form"),
]
