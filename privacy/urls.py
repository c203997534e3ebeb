from django.urls import path

from accounts.models import Contact
from leads.models import Lead
from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.person_data, name="person_data"),
    path("erase/", views.erase, name="erase"),
    path(
        "consent/lead/<int:pk>/",
        views.record_consent_view,
        {"kind": "lead"},
        name="lead_consent",
    ),
    path(
        "consent/contact/<int:pk>/",
        views.record_consent_view,
        {"kind": "contact"},
        name="contact_consent",
    ),
    path("lead/<int:pk>/", views.record_data, {"model": Lead}, name="lead_data"),
    path("contact/<int:pk>/", views.record_data, {"model": Contact}, name="contact_data"),
]
