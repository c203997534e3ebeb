from django.urls import path
from django.utils.translation import gettext_lazy

from accounts import merge_views, views
from accounts.models import Account, Contact
from crm.duplicate_views import dismiss_duplicate, duplicates_page, restore_duplicate
from crm.history_views import history_view

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("new/", views.account_create, name="account_create"),
    path("merge/", merge_views.account_merge, name="merge_accounts"),
    path(
        "duplicates/",
        duplicates_page,
        {
            "model": Account,
            "merge_url": "accounts:merge_accounts",
            "list_url": "accounts:account_list",
            "title": gettext_lazy("Possible duplicate accounts"),
        },
        name="account_duplicates",
    ),
    path(
        "duplicates/<int:pk>/dismiss/",
        dismiss_duplicate,
        {"model": Account, "page_url": "accounts:account_duplicates"},
        name="account_dismiss_duplicate",
    ),
    path(
        "duplicates/<int:pk>/restore/",
        restore_duplicate,
        {"model": Account, "page_url": "accounts:account_duplicates"},
        name="account_restore_duplicate",
    ),
    path("<int:pk>/", views.account_detail, name="account_detail"),
    path("<int:pk>/edit/", views.account_edit, name="account_edit"),
    path(
        "<int:pk>/history/",
        history_view(Account, detail_url="accounts:account_detail"),
        name="account_history",
    ),
    path("<int:pk>/deactivate/", views.account_deactivate, name="account_deactivate"),
    path("<int:pk>/activate/", views.account_activate, name="account_activate"),
    path("<int:pk>/delete/", views.account_delete, name="account_delete"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/merge/", merge_views.contact_merge, name="merge_contacts"),
    path(
        "contacts/duplicates/",
        duplicates_page,
        {
            "model": Contact,
            "merge_url": "accounts:merge_contacts",
            "list_url": "accounts:contact_list",
            "title": gettext_lazy("Possible duplicate contacts"),
        },
        name="contact_duplicates",
    ),
    path(
        "contacts/duplicates/<int:pk>/dismiss/",
        dismiss_duplicate,
        {"model": Contact, "page_url": "accounts:contact_duplicates"},
        name="contact_dismiss_duplicate",
    ),
    path(
        "contacts/duplicates/<int:pk>/restore/",
        restore_duplicate,
        {"model": Contact, "page_url": "accounts:contact_duplicates"},
        name="contact_restore_duplicate",
    ),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path(
        "contacts/<int:pk>/history/",
        history_view(Contact, detail_url="accounts:contact_detail"),
        name="contact_history",
    ),
    path("contacts/<int:pk>/deactivate/", views.contact_deactivate, name="contact_deactivate"),
    path("contacts/<int:pk>/activate/", views.contact_activate, name="contact_activate"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
