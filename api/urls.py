from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import customers, leads, merge, organisation, timeline, views

router = SimpleRouter()
router.register("users", organisation.UserViewSet, basename="user")
router.register("teams", organisation.TeamViewSet, basename="team")
router.register("accounts", customers.AccountViewSet, basename="account")
router.register("contacts", customers.ContactViewSet, basename="contact")
router.register("opportunities", customers.OpportunityViewSet, basename="opportunity")
router.register("leads", leads.LeadViewSet, basename="lead")
router.register("lead-sources", leads.LeadSourceViewSet, basename="leadsource")
router.register("campaigns", leads.CampaignViewSet, basename="campaign")
router.register("activities", timeline.ActivityViewSet, basename="activity")
router.register("notes", timeline.NoteViewSet, basename="note")
router.register("inquiries", timeline.InquiryViewSet, basename="inquiry")

app_name = "api"
urlpatterns = [
    # Dynamics' Merge message and its undo, per kind (api/merge.py).
    *(
        route
        for prefix, basename, model, service in merge.KINDS
        for route in (
            path(
                f"v1/{prefix}/<int:pk>/merge/",
                merge.views_for(model, service)[0],
                name=f"{basename}-merge",
            ),
            path(
                f"v1/{prefix}/<int:pk>/merge/<int:merge_pk>/undo/",
                merge.views_for(model, service)[1],
                name=f"{basename}-merge-undo",
            ),
        )
    ),
    path("v1/", include(router.urls)),
    # The schema is public (it describes the API, no data), so tools can fetch it.
    path(
        "schema/",
        login_not_required(SpectacularAPIView.as_view(permission_classes=[])),
        name="schema",
    ),
    path("docs/", views.docs, name="docs"),
    path("token/", views.token_create, name="token_create"),
    path("token/revoke/", views.token_revoke, name="token_revoke"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
