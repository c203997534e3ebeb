from django.urls import include, path

from reports import views

# The home page keeps its plain name ("home"); the reports live under the "reports" namespace.
report_patterns = [
    path("", views.index, name="index"),
    path("lead-sources/", views.lead_sources, name="lead_sources"),
    path("funnel/", views.funnel, name="funnel"),
    path("time-in-status/", views.time_in_status, name="time_in_status"),
    path("disqualification/", views.disqualification, name="disqualification"),
    path("untouched-leads/", views.untouched_leads, name="untouched_leads"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", include((report_patterns, "reports"))),
]
