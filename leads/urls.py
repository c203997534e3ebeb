from django.urls import path
from django.utils.translation import gettext_lazy

from crm.duplicate_views import dismiss_duplicate, duplicates_page, restore_duplicate
from crm.history_views import history_view
from leads import board, merge_views, views
from leads.models import Lead

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("board/", board.lead_board, name="board"),
    path("export.csv", views.lead_export, name="export"),
    path("new/", views.lead_create, name="create"),
    path("bulk/", views.lead_bulk, name="bulk"),
    path("merge/", merge_views.lead_merge, name="merge"),
    path(
        "duplicates/",
        duplicates_page,
        {
            "model": Lead,
            "merge_url": "leads:merge",
            "list_url": "leads:list",
            "title": gettext_lazy("Possible duplicate leads"),
        },
        name="duplicates",
    ),
    path(
        "duplicates/<int:pk>/dismiss/",
        dismiss_duplicate,
        {"model": Lead, "page_url": "leads:duplicates"},
        name="dismiss_duplicate",
    ),
    path(
        "duplicates/<int:pk>/restore/",
        restore_duplicate,
        {"model": Lead, "page_url": "leads:duplicates"},
        name="restore_duplicate",
    ),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/history/", history_view(Lead, detail_url="leads:detail"), name="history"),
    path("<int:pk>/qualify/", views.lead_qualify, name="qualify"),
    path("<int:pk>/disqualify/", views.lead_disqualify, name="disqualify"),
    path("<int:pk>/reactivate/", views.lead_reactivate, name="reactivate"),
    path("<int:pk>/delete/", views.lead_delete, name="delete"),
    path("<int:pk>/status/", views.lead_set_status, name="set_status"),
    path("<int:pk>/assign/", views.lead_assign, name="assign"),
    path("<int:pk>/field/<str:name>/", views.lead_edit_field, name="edit_field"),
    path("<int:pk>/links/", views.lead_link, name="link"),
    path("<int:pk>/links/<int:link_pk>/remove/", views.lead_unlink, name="unlink"),
    # Link and unlink from the account's or contact's side (record_kind: account or contact).
    path("links/<str:record_kind>/<int:record_pk>/", views.record_link, name="record_link"),
    path(
        "links/<str:record_kind>/<int:record_pk>/<int:link_pk>/remove/",
        views.record_unlink,
        name="record_unlink",
    ),
]
