from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Customers")
    business_models = {"Account", "Contact"}

    def ready(self):
        from accounts.panels import child_accounts
        from crm.lookup import Lookup, register_lookup
        from crm.panels import register_panel

        register_lookup(
            "account", Lookup("accounts.Account", ("name", "city", "email"), "city", "active")
        )
        register_lookup(
            "contact",
            Lookup("accounts.Contact", ("first_name", "last_name", "email"), "email", "active"),
        )

        register_panel(
            "accounts.Account", "accounts/_child_accounts.html", context=child_accounts, order=20
        )
