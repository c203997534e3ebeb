from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def ensure_base_currency(sender, using="default", **kwargs):
    """post_migrate: the base currency always exists (the data migration creates it; this puts
    it back after a `flush`, which empties every table and then sends post_migrate)."""
    from django.apps import apps as global_apps
    from django.conf import settings

    from opportunities.seeds import create_base_currency

    currencies = sender.get_model("Currency").objects.using(using)
    if not currencies.filter(code=settings.BASE_CURRENCY).exists():
        create_base_currency(global_apps, using)


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = _("Opportunities")
    business_models = {"Opportunity"}
    action_permissions = {
        "opportunity": {
            "reassign_opportunity": (
                "sales staff",
                _("Can give opportunities to another owner"),
            )
        }
    }
    shareable_models = {"Opportunity"}  # crm/sharing.py
    configuration_models = {"Currency"}

    def ready(self):
        from accounts.models import Account, Contact
        from accounts.services import register_deactivation_check
        from activities.merge import MovedItems, register_moved_items
        from activities.services import register_deletion_check
        from crm.global_search import SearchKind, Shown, register_kind
        from crm.lookup import Lookup, register_lookup
        from crm.panels import register_panel
        from crm.search_index import register as register_search_index
        from opportunities import receivers, search
        from opportunities.panels import (
            customer_opportunities,
            new_opportunity_button,
            open_deals_warning,
        )
        from opportunities.services import customer_deletion_refusal

        register_search_index("opportunities.Opportunity", search.INDEX)
        for customer in (Account, Contact):
            post_save.connect(
                receivers.customer_renamed,
                sender=customer,
                dispatch_uid=f"opportunities.customer_renamed.{customer.__name__}",
            )
        register_kind(
            SearchKind(
                kind="opportunity",
                model="opportunities.Opportunity",
                label=_("Opportunities"),
                index=search.INDEX,
                title="topic",
                fields=(Shown("topic", _("Topic")), Shown("customer", _("Customer"))),
                details=(Shown("customer", _("Customer")), Shown("owner", _("Owner"))),
                closed=lambda deal: (
                    "" if deal.state == deal.State.OPEN else deal.get_state_display()
                ),
                select_related=("account", "contact", "owner_user", "owner_team"),
                order=40,
            )
        )
        register_lookup("opportunity", Lookup("opportunities.Opportunity", ("topic",), "", "open"))

        register_deactivation_check(open_deals_warning)
        # A merged customer's opportunities go to the master (activities/merge.py).
        for merged, field, key, label in (
            ("accounts.Account", "account", "opportunities", _("Opportunities")),
            ("accounts.Contact", "contact", "opportunities", _("Opportunities")),
            ("accounts.Contact", "parent_contact", "contact_person_of", _("Contact person of")),
        ):
            register_moved_items(
                MovedItems(
                    key=key,
                    label=label,
                    merged=merged,
                    model="opportunities.Opportunity",
                    field=field,
                    after=receivers.opportunities_moved,
                )
            )
        for customer in ("accounts.Account", "accounts.Contact"):
            register_deletion_check(customer, customer_deletion_refusal)
        post_migrate.connect(
            ensure_base_currency, sender=self, dispatch_uid="opportunities.base_currency"
        )
        for customer in ("accounts.Account", "accounts.Contact"):
            register_panel(
                customer,
                "opportunities/_customer_panel.html",
                context=customer_opportunities,
                order=10,
            )
            register_panel(
                customer,
                "opportunities/_new_button.html",
                context=new_opportunity_button,
                slot="actions",
            )
