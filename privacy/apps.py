from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from privacy import actions, copies, handlers

        # The apps below hold the data; privacy, above them all, registers how to find,
        # export and erase it (crm/personal_data.py is the registry).
        handlers.register()
        copies.register()
        actions.register()
        register_consent()


def register_consent():
    """Consent records: the panel on lead and contact pages, the log-activity form's
    warning, the consents imports and web forms bring, and their move in a merge."""
    from activities.merge import MovedItems, register_moved_items
    from activities.opt_outs import register_opt_out_check
    from crm.panels import register_panel
    from crm.signals import consent_given
    from privacy.consent import consent_opt_outs, record_consents_given
    from privacy.panels import consent_panel

    for label in ("leads.Lead", "accounts.Contact"):
        register_panel(label, "privacy/_consent_panel.html", context=consent_panel, order=60)
    register_opt_out_check(consent_opt_outs)
    consent_given.connect(record_consents_given, dispatch_uid="privacy.consent_given")
    # A merged record's consents go to the master (all of them: the newest per purpose is
    # the master's state then), and back on undo.
    for merged, field in (("leads.Lead", "lead"), ("accounts.Contact", "contact")):
        register_moved_items(
            MovedItems(
                key="consent_records",
                label=_("Consent records"),
                merged=merged,
                model="privacy.ConsentRecord",
                field=field,
            )
        )
