from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from crm import lookup, search_views, share_views, views

admin.site.site_header = _("CRM administration")
admin.site.site_title = _("CRM admin")
admin.site.index_title = _("Configuration: users, teams, sources, routing rules")

handler403 = "crm.views.permission_denied"

urlpatterns = [
    path("", include("reports.urls")),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("profile/", views.profile, name="profile"),
    path("profile/language/", views.set_language, name="set_language"),
    path("lookup/<slug:kind>/", lookup.lookup, name="lookup"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.search_suggest, name="search_suggest"),
    path("share/<slug:kind>/<int:pk>/", share_views.share, name="share"),
    path("share/<int:pk>/end/", share_views.revoke, name="revoke_share"),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("accounts/", include("accounts.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("leads/", include("leads.urls")),
    path("imports/", include("leads.imports.urls")),
    path("routing/", include("leads.routing.urls")),
    path("activities/", include("activities.urls")),
    path("api/", include("api.urls")),
    path("capture/", include("capture.urls")),
    path("web-forms/", include("capture.manage_urls")),
    path("privacy/", include("privacy.urls")),
    path("scoring/", include("scoring.urls")),
    path("reports/lead-scoring/", include("scoring.report_urls")),
    path("mail/", include("mail.urls")),
    path("admin/", admin.site.urls),
]
