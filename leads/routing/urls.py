from django.urls import path

from leads.routing import views

app_name = "routing"
urlpatterns = [
    path("apply/", views.apply_rules, name="apply"),
    path("leads/<int:pk>/claim/", views.lead_claim, name="claim"),
]
