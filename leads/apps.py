from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_delete
from django.utils.translation import gettext_lazy as _


def ensure_lead_sources(sender, using="default", **kwargs):
    """post_migrate: with no lead source at all (a new database, or after `flush`, which
    empties every table and then sends post_migrate), seed Dynamics' ten again. Sources an
    administrator renamed or deactivated are left alone."""
    from django.apps import apps as global_apps

    from leads.seeds import seed_sources

    if not sender.get_model("LeadSource").objects.using(using).exists():
        seed_sources(global_apps, using)


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")
    business_models = {"Lead", "LeadStatusChange", "Qualification", "LeadLink"}
    shareable_models = {"Lead"}  # crm/sharing.py
    configuration_models = {"LeadSource", "Campaign", "QualificationSettings"}
    manager_editable = {"Campaign"}  # campaigns are run by sales
    action_permissions = {
        "lead": {
            "qualify_lead": ("sales staff", _("Can qualify, disqualify and reactivate leads")),
            "reassign_lead": ("sales staff", _("Can give leads to another owner")),
        }
    }

    def ready(self):
        from activities.services import register_deletion_check
        from activities.signals import activity_logged
        from crm.global_search import SearchKind, Shown, register_kind
        from crm.history import register_history
        from crm.panels import register_panel
        from crm.search_index import register as register_search_index
        from leads import merge, receivers, search, timeline
        from leads.models import Campaign
        from leads.panels import record_leads
        from leads.services import customer_deletion_refusal, lead_deletion_refusal
        from opportunities.filters import register_choices
        from opportunities.signals import opportunity_closed, opportunity_reopened

        activity_logged.connect(receivers.contact_made, dispatch_uid="leads.contact_made")
        register_deletion_check("leads.Lead", lead_deletion_refusal)
        for label in ("accounts.Account", "accounts.Contact", "opportunities.Opportunity"):
            register_deletion_check(label, customer_deletion_refusal)
        for signal, uid in ((opportunity_closed, "closed"), (opportunity_reopened, "reopened")):
            signal.connect(
                receivers.opportunity_outcome_changed, dispatch_uid=f"leads.opportunity_{uid}"
            )
        pre_delete.connect(
            receivers.opportunity_deleting,
            sender="opportunities.Opportunity",
            dispatch_uid="leads.opportunity_deleting",
        )
        timeline.register()
        merge.register()
        # The merge page: from the list's bulk bar, the picker of the other lead, and the
        # "Merged from" / "Merged into" panels (activities/merge_views.py).
        from activities.merge_views import register_merge_panels
        from crm.lookup import Lookup, register_lookup
        from leads.actions import register_bulk_button

        register_bulk_button("leads/_merge_button.html")
        register_lookup(
            "lead",
            Lookup(
                "leads.Lead",
                ("first_name", "last_name", "company_name", "email"),
                "email",
                "open",
                indexed=True,  # names, company, e-mail, topic and phones
            ),
        )
        register_merge_panels("leads.Lead")
        # Possible duplicates found in batch (crm/duplicate_finder.py) and their panel.
        from crm.duplicate_views import duplicates_panel
        from leads import duplicate_finder

        duplicate_finder.register()
        register_panel(
            "leads.Lead",
            "crm/_duplicates_panel.html",
            context=duplicates_panel("leads:merge"),
            slot="top",
            order=20,
        )
        post_migrate.connect(ensure_lead_sources, sender=self, dispatch_uid="leads.sources")
        register_search_index("leads.Lead", search.INDEX)
        register_kind(
            SearchKind(
                kind="lead",
                model="leads.Lead",
                label=_("Leads"),
                index=search.INDEX,
                title="display_topic",
                fields=(
                    Shown("topic", _("Topic")),
                    Shown("full_name", _("Name")),
                    Shown("company_name", _("Company")),
                    Shown("email", _("E-mail")),
                    Shown("business_phone", _("Business phone"), phone=True),
                    Shown("mobile_phone", _("Mobile phone"), phone=True),
                ),
                details=(
                    Shown("full_name", _("Name")),
                    Shown("company_name", _("Company")),
                    Shown("owner", _("Owner")),
                ),
                closed=lambda lead: "" if lead.is_open else lead.get_state_display(),
                select_related=("owner_user", "owner_team"),
                order=10,
            )
        )
        register_choices("source_campaign", lambda request: Campaign.objects.all())
        # The funnel's stored facts (written with the state changes the history shows), and
        # the first contact (written without a history row when a call or e-mail is logged:
        # shown, it would surface in whichever later entry comes next).
        register_history(
            "leads.Lead",
            exclude=[
                "reached_contacted",
                "reached_opportunity",
                "reached_won",
                "first_contact_at",
                # The score, kept by the scoring app in batch (not a change anyone made).
                "score",
                "grade",
                "predicted_qualification",
            ],
        )
        for record in ("accounts.Account", "accounts.Contact", "opportunities.Opportunity"):
            register_panel(
                record, "leads/_record_leads_panel.html", context=record_leads, order=30
            )
