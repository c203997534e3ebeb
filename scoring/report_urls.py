from django.urls import path

from scoring import report_views

app_name = "scoring_report"

urlpatterns = [
    path("", report_views.report, name="report"),
]
