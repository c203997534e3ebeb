from django.urls import path

from leads.routing import rule_views, views

app_name = "routing"
urlpatterns = [
    path("apply/", views.apply_rules, name="apply"),
    path("leads/<int:pk>/claim/", views.lead_claim, name="claim"),
    path("rules/", rule_views.rule_list, name="rules"),
    path("rules/new/", rule_views.rule_new, name="rule_new"),
    path("rules/try/", rule_views.rule_preview, name="rule_preview"),
    path("rules/<int:pk>/", rule_views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/active/", rule_views.rule_set_active, name="rule_set_active"),
    path("rules/<int:pk>/move/", rule_views.rule_move, name="rule_move"),
]
