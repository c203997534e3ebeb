from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.settings_edit, name="settings"),
    path("retrain/", views.retrain, name="retrain"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/reach/", views.rule_reach_preview, name="rule_reach"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
