from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Customers")
    business_models = {"Account", "Contact"}
    action_permissions = {
        "account": {"reassign_account": ("sales staff", _("Can give accounts to another owner"))},
        "contact": {"reassign_contact": ("sales staff", _("Can give contacts to another owner"))},
    }
    shareable_models = {"Account", "Contact"}  # crm/sharing.py

    def ready(self):
        from accounts import merge, search
        from accounts.panels import child_accounts
        from crm.global_search import SearchKind, Shown, register_kind
        from crm.history import register_history
        from crm.lookup import Lookup, register_lookup
        from crm.panels import register_panel
        from crm.search_index import register as register_search_index

        merge.register()  # contacts and accounts are mergeable (activities/merge.py)
        from activities.merge_views import register_merge_panels

        for label in ("accounts.Account", "accounts.Contact"):
            register_merge_panels(label)
        register_search_index("accounts.Account", search.ACCOUNT_INDEX)
        register_search_index("accounts.Contact", search.CONTACT_INDEX)
        inactive = lambda record: "" if record.is_active else _("Inactive")  # noqa: E731
        register_kind(
            SearchKind(
                kind="contact",
                model="accounts.Contact",
                label=_("Contacts"),
                index=search.CONTACT_INDEX,
                title="full_name",
                fields=(
                    Shown("full_name", _("Name")),
                    Shown("email", _("E-mail")),
                    Shown("business_phone", _("Business phone"), phone=True),
                    Shown("mobile_phone", _("Mobile phone"), phone=True),
                    Shown("account.name", _("Account")),
                ),
                details=(
                    Shown("job_title", _("Job title")),
                    Shown("account.name", _("Account")),
                    Shown("email", _("E-mail")),
                ),
                closed=inactive,
                select_related=("account",),
                order=20,
            )
        )
        register_kind(
            SearchKind(
                kind="account",
                model="accounts.Account",
                label=_("Accounts"),
                index=search.ACCOUNT_INDEX,
                title="name",
                fields=(
                    Shown("name", _("Name")),
                    Shown("email", _("E-mail")),
                    Shown("website", _("Website")),
                    Shown("phone", _("Main phone"), phone=True),
                ),
                details=(Shown("city", _("City")), Shown("website", _("Website"))),
                closed=inactive,
                order=30,
            )
        )

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
        # Possible duplicates found in batch (crm/duplicate_finder.py) and their panels.
        from accounts import duplicate_finder
        from crm.duplicate_views import duplicates_panel

        duplicate_finder.register()
        for label, merge_url in (
            ("accounts.Account", "accounts:merge_accounts"),
            ("accounts.Contact", "accounts:merge_contacts"),
        ):
            register_panel(
                label,
                "crm/_duplicates_panel.html",
                context=duplicates_panel(merge_url),
                slot="top",
                order=20,
            )
        # The duplicate check's keys (crm/history.py skips *_key itself).
        register_history("accounts.Account", exclude=["name_token", "name_sound"])
        register_history("accounts.Contact", exclude=["email_domain"])
