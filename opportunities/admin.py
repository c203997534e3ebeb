from django.contrib import admin

from accounts.admin_base import OwnedRecordAdmin
from opportunities.models import Currency, Opportunity


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "symbol", "exchange_rate", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Opportunity)
class OpportunityAdmin(OwnedRecordAdmin):
    list_display = [
        "topic",
        "account",
        "contact",
        "state",
        "status",
        "sales_stage",
        "currency",
        "estimated_value",
        "estimated_close_date",
        "owner_display",
    ]
    list_filter = ["state", "status", "sales_stage", "currency"]
    search_fields = ["topic", "account__name", "contact__last_name", "contact__email"]
    list_select_related = [*OwnedRecordAdmin.list_select_related, "account", "contact", "currency"]
    autocomplete_fields = [*OwnedRecordAdmin.autocomplete_fields, "account", "contact"]
    readonly_fields = [
        *OwnedRecordAdmin.readonly_fields,
        "state",
        "status",
        "actual_value",
        "actual_close_date",
        "close_description",
    ]
