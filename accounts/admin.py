from django.contrib import admin

from accounts.admin_base import OwnedRecordAdmin
from accounts.models import Account, Contact


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["first_name", "last_name", "job_title", "email", "business_phone", "is_active"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(OwnedRecordAdmin):
    list_display = ["name", "city", "country", "industry", "phone", "owner_display", "is_active"]
    list_filter = ["is_active", "industry", "country", "owner_team"]
    search_fields = ["name", "email", "phone", "website", "city"]
    autocomplete_fields = [*OwnedRecordAdmin.autocomplete_fields, "parent_account"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(OwnedRecordAdmin):
    list_display = [
        "__str__",
        "account",
        "job_title",
        "email",
        "business_phone",
        "owner_display",
        "is_active",
    ]
    list_filter = ["is_active", "preferred_contact_method", "do_not_email", "do_not_phone"]
    search_fields = ["first_name", "last_name", "email", "business_phone", "account__name"]
    list_select_related = [*OwnedRecordAdmin.list_select_related, "account"]
    autocomplete_fields = [*OwnedRecordAdmin.autocomplete_fields, "account"]
