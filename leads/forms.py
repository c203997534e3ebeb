from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact
from crm.forms import OwnerChoiceField, VersionedModelForm, active_or_current
from crm.lib.choices import EMPTY_CHOICE
from crm.lib.widgets import LocalizedDateInput, QuickSelect
from crm.lookup import use_lookup
from leads.actions import automatic_owner_by_default, bulk_action, bulk_actions
from leads.models import (
    DISQUALIFY_REASONS,
    LEAD_FORM_FIELDS,
    LEAD_SECTIONS,
    STATUSES_BY_STATE,
    Campaign,
    Lead,
    LeadSource,
    State,
)
from opportunities.models import Currency, Opportunity

AUTO_OWNER = "auto"


DATE_INPUT = LocalizedDateInput()


class LeadForm(VersionedModelForm):
    """The lead entry and edit form. On creation it also asks for the owner (or automatic
    routing); owner changes of existing leads go through the assign action."""

    class Meta:
        model = Lead
        fields = LEAD_FORM_FIELDS
        widgets = {
            "estimated_close_date": DATE_INPUT,
            "next_follow_up": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance
        # None of the three is required alone (no asterisk), but one of them is (Lead.clean).
        self.fields["last_name"].help_text = _(
            "A last name, a company name or an e-mail address: at least one of the three."
        )
        self.fields["source"].queryset = active_or_current(
            LeadSource.objects.all(), instance.source_id
        )
        self.fields["campaign"].queryset = active_or_current(
            Campaign.objects.all(), instance.campaign_id
        )
        self.fields["existing_account"].queryset = active_or_current(
            Account.objects.visible_to(user), instance.existing_account_id
        )
        self.fields["existing_contact"].queryset = active_or_current(
            Contact.objects.visible_to(user), instance.existing_contact_id
        )
        use_lookup(self.fields["existing_account"], "account")
        use_lookup(self.fields["existing_contact"], "contact")
        if not self.instance.pk:
            self.fields["owner"] = OwnerChoiceField(
                label=_("Owner"),
                user=user,
                extra_choices=[(AUTO_OWNER, _("Automatic (routing rules)"))],
                help_text=_(
                    "Automatic: the routing rules choose the owner when the lead is saved. "
                    "Choose a person to give the lead to them instead."
                ),
            )
            # Routing decides by default when it has an active rule; a person can still be
            # chosen (the field's help says what each choice does).
            self.fields["owner"].initial = (
                AUTO_OWNER if automatic_owner_by_default() else OwnerChoiceField.value_for(user)
            )

    # The form's sections, in two columns on wide screens (templates/leads/lead_form.html);
    # a field left out of them would still show, in the last one.
    SECTIONS = (
        (_("Contact"), LEAD_SECTIONS["person"] + LEAD_SECTIONS["channels"]
         + LEAD_SECTIONS["consent"] + LEAD_SECTIONS["address"]),
        (_("Company"), LEAD_SECTIONS["company"] + LEAD_SECTIONS["firmographics"]
         + LEAD_SECTIONS["customer"]),
        (_("Qualification"), ["owner", *LEAD_SECTIONS["origin"], *LEAD_SECTIONS["bant"]]),
    )  # fmt: skip

    def sections(self):
        """(title, bound fields) per section, for the template."""
        placed = {name for _title, names in self.SECTIONS for name in names}
        rest = [name for name in self.fields if name not in placed and name != "expected_version"]
        sections = []
        for index, (title, names) in enumerate(self.SECTIONS):
            if index == len(self.SECTIONS) - 1:
                names = [*names, *rest]
            sections.append((title, [self[name] for name in names if name in self.fields]))
        return sections

    def owner_and_route(self):
        """(owner or None, route?) for create_lead."""
        owner = self.cleaned_data.get("owner")
        if owner == AUTO_OWNER:
            return None, True
        return owner, False


# The lead page's header fields a rep changes in place (leads.views.lead_edit_field).
INLINE_FIELDS = ("status", "owner", "rating", "next_follow_up")


class LeadFieldForm(forms.Form):
    """One header field of the lead page, changed in place with the lead's version."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, lead, name, user=None, **kwargs):
        # Ids of their own: the header's disqualify form on the same page has a "status" too.
        kwargs.setdefault("auto_id", "fact_%s")
        super().__init__(*args, **kwargs)
        if name not in INLINE_FIELDS:
            raise ValueError(name)
        self.name = name
        self.fields["expected_version"].initial = lead.version
        if name == "owner":
            field = OwnerChoiceField(label=_("Owner"), user=user, current=lead.owner)
            initial = OwnerChoiceField.value_for(lead.owner)
        elif name == "status":
            field = forms.ChoiceField(
                label=_("Status reason"),
                choices=[(status.value, status.label) for status in STATUSES_BY_STATE[State.OPEN]],
            )
            initial = lead.status
        elif name == "next_follow_up":
            # The header's word, and the lead form's date input.
            field = forms.DateField(label=_("Follow-up"), required=False, widget=DATE_INPUT)
            initial = lead.next_follow_up
        else:
            field = Lead._meta.get_field(name).formfield()
            initial = getattr(lead, name)
        field.initial = initial
        small = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        # htmx focuses an autofocus element it swaps in: the rep types at once.
        field.widget.attrs.update({"class": f"{small} {small}-sm", "autofocus": True})
        self.fields[name] = field

    @property
    def field(self):
        return self[self.name]

    @property
    def value(self):
        return self.cleaned_data[self.name]


class QualifyForm(forms.Form):
    create_account = forms.BooleanField(label=_("Create an account"), required=False)
    create_contact = forms.BooleanField(label=_("Create a contact"), required=False)
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False)
    existing_opportunity = forms.ModelChoiceField(
        label=_("…or qualify into this open opportunity"),
        queryset=Opportunity.objects.none(),
        required=False,
        empty_label=_("None: create one or none"),
    )
    add_estimated_value = forms.BooleanField(
        label=_("Add the lead's estimated value to the opportunity's"), required=False
    )
    account = forms.ModelChoiceField(
        label=_("…or use this existing account"),
        queryset=Account.objects.none(),
        required=False,
        empty_label=EMPTY_CHOICE,
    )
    contact = forms.ModelChoiceField(
        label=_("…or use this existing contact"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=EMPTY_CHOICE,
    )
    opportunity_customer = forms.ChoiceField(
        label=_("Opportunity's customer"),
        required=False,
        help_text=_(
            "Automatic: the new account, else the new contact, else the lead's existing "
            "account or contact."
        ),
    )
    currency = forms.ModelChoiceField(
        label=_("Currency"),
        queryset=Currency.objects.active(),
        required=False,
        empty_label=_("The organisation's default"),
    )
    source_campaign = forms.ModelChoiceField(
        label=_("Source campaign"),
        queryset=Campaign.objects.all(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, user, lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.lead = user, lead
        self.fields["existing_opportunity"].queryset = (
            Opportunity.objects.visible_to(user).open().select_related("account").order_by("topic")
        )
        use_lookup(self.fields["existing_opportunity"], "opportunity")
        self.fields["account"].queryset = Account.objects.visible_to(user).active()
        self.fields["contact"].queryset = Contact.objects.visible_to(user).active()
        use_lookup(self.fields["account"], "account")
        use_lookup(self.fields["contact"], "contact")
        if lead.estimated_value is None:
            del self.fields["add_estimated_value"]
        customers = [("", _("Automatic"))]
        if lead.existing_account_id:
            customers.append((f"account:{lead.existing_account_id}", lead.existing_account))
        if lead.existing_contact_id:
            customers.append((f"contact:{lead.existing_contact_id}", lead.existing_contact))
        self.fields["opportunity_customer"].choices = customers

    def clean_opportunity_customer(self):
        value = self.cleaned_data["opportunity_customer"]
        if not value:
            return None
        kind, _sep, pk = value.partition(":")
        model = {"account": Account, "contact": Contact}.get(kind)
        record = None
        if model is not None and pk.isdigit():
            record = model.objects.visible_to(self.user).filter(pk=pk).first()
        if record is None:
            raise forms.ValidationError(_("Choose a valid customer."))
        return record

    def clean(self):
        """A record the user asked for must be one the lead can make: an account needs the
        lead's company name, a contact its last name (unless an existing one is chosen).
        Bulk qualify skips them instead (services.qualify_leads)."""
        cleaned = super().clean()
        self._prefer_existing(cleaned)
        lead_cannot = not self.lead.can_make_account
        if cleaned.get("create_account") and not cleaned.get("account") and lead_cannot:
            self.add_error(
                "create_account",
                _(
                    "An account needs a name and this lead has no company name: enter "
                    "it on the lead, choose an existing account, or untick this."
                ),
            )
        lead_cannot = not self.lead.can_make_contact
        if cleaned.get("create_contact") and not cleaned.get("contact") and lead_cannot:
            self.add_error(
                "create_contact",
                _(
                    "A contact needs a last name and this lead has none: enter it on "
                    "the lead, choose an existing contact, or untick this."
                ),
            )
        return cleaned

    def _prefer_existing(self, cleaned):
        """Choosing an existing record wins over creating one: its "create" box is unticked,
        in the data too, so the page (and its htmx refresh) shows what will happen. An
        existing opportunity's customer account is the account used unless one is chosen
        (or the lead has one): a second lead of the company makes no second account."""
        opportunity = cleaned.get("existing_opportunity")
        changed = {}
        if (
            opportunity is not None
            and opportunity.account_id
            and not cleaned.get("account")
            and not self.lead.existing_account_id
            and opportunity.account.is_visible_to(self.user)
        ):
            cleaned["account"] = opportunity.account
            changed["account"] = str(opportunity.account_id)
        for box, chosen in (
            ("create_account", cleaned.get("account")),
            ("create_contact", cleaned.get("contact")),
            ("create_opportunity", opportunity),
        ):
            if chosen is not None and cleaned.get(box):
                cleaned[box] = False
                changed[box] = ""
        if changed:
            data = self.data.copy()
            for name, value in changed.items():
                data[name] = value
            self.data = data

    def options(self):
        """Keyword arguments for plan_qualification / qualify_lead."""
        return {name: self.cleaned_data.get(name) for name in self.fields} | {
            name: bool(self.cleaned_data.get(name))
            for name in ("create_account", "create_contact", "create_opportunity")
        }


class DisqualifyForm(forms.Form):
    status = forms.ChoiceField(label=_("Reason"), choices=DISQUALIFY_REASONS)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    keep_contact = forms.BooleanField(
        label=_("Keep the person as a contact"),
        required=False,
        help_text=_("Creates a contact from the lead although it is disqualified."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form: the choices query users and teams (never at import time); the
        # users of the acting user's teams and those teams (crm/forms.py: owners_for).
        self.fields["owner"] = OwnerChoiceField(label=_("New owner"), user=user)


# The permission each of this app's bulk actions needs (a registered one says its own).
BULK_PERMISSIONS = {
    "qualify": "leads.qualify_lead",
    "disqualify": "leads.qualify_lead",
    "assign": "leads.reassign_lead",
}


def _allowed(user, permission):
    return not permission or user.has_perm(permission)


def _registered_permission(key):
    """The permission a registered bulk action needs; "" (none) asks nothing."""
    registered = bulk_action(key)
    return (registered.permission if registered else "") or ""


class BulkActionForm(forms.Form):
    # No browser-side "required": the bar's other buttons (Claim in a row, Apply routing
    # rules) submit this form elsewhere without an action; the server says what is missing.
    use_required_attribute = False
    ACTIONS = [
        ("qualify", _("Qualify (default options)")),
        ("disqualify", _("Disqualify")),
        ("assign", _("Assign to")),
    ]
    # This app's actions, then those other apps registered (leads/actions.py: routing's Claim).
    # Starts with no action chosen: a stray click on "Apply" must not qualify anything.
    action = forms.ChoiceField(
        label=_("Action"),
        choices=lambda: [
            ("", EMPTY_CHOICE),
            *BulkActionForm.ACTIONS,
            *((action.key, action.label) for action in bulk_actions()),
        ],
        error_messages={"required": _("Choose an action.")},
        widget=QuickSelect,
    )
    leads = forms.ModelMultipleChoiceField(
        queryset=Lead.objects.none(),
        error_messages={
            "required": _("Tick the leads to apply the action to."),
            "invalid_choice": _(
                "Lead #%(value)s is not one you can change (any more): reload the list."
            ),
        },
    )
    status = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", EMPTY_CHOICE), *DISQUALIFY_REASONS],
        required=False,
        widget=QuickSelect,
    )

    def __init__(self, *args, user, owners=None, **kwargs):
        """`owners`: the OwnerRows the list's owner filter reads too (crm/forms.py)."""
        # Its own ids: the list's filter form beside it has "status" and "owner" fields too,
        # and each label must name its own select.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        # A registered action may choose among the leads the user sees (routing's Claim: one a
        # teammate took since the list was shown is no longer the user's to change, yet is
        # reported "already taken by …"); the others among those the user may change.
        registered = bulk_action(self.data.get("action"))
        if registered and registered.pick == "visible":
            leads = Lead.objects.visible_to(user)
        else:
            leads = Lead.objects.editable_by(user)
        self.fields["leads"].queryset = leads
        # Only the actions the user's role allows are offered (the view refuses the others).
        self.fields["action"].choices = [
            (key, label)
            for key, label in self.fields["action"].choices
            if _allowed(user, BULK_PERMISSIONS.get(key) or _registered_permission(key))
        ]
        # No owner preselected: "Assign to" without a choice is refused, not given to the
        # first user of the list.
        self.fields["owner"] = OwnerChoiceField(
            label=_("Owner"),
            required=False,
            extra_choices=[("", EMPTY_CHOICE)],
            widget=QuickSelect,
            rows=owners,
            user=user,
        )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "disqualify" and not cleaned.get("status"):
            self.add_error("status", _("Choose the reason for disqualifying."))
        if action == "assign" and not cleaned.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        return cleaned


class LinkForm(forms.Form):
    """Associate the lead with an account or a contact (one of the two)."""

    account = forms.ModelChoiceField(
        label=_("Account"), queryset=Account.objects.none(), required=False
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(user).active()
        self.fields["contact"].queryset = Contact.objects.visible_to(user).active()
        use_lookup(self.fields["account"], "account")
        use_lookup(self.fields["contact"], "contact")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("account")) == bool(cleaned.get("contact")):
            raise forms.ValidationError(_("Choose an account or a contact."))
        return cleaned


class RecordLinkForm(forms.Form):
    """Link a lead from an account's or a contact's page: any lead the user may change."""

    lead = forms.ModelChoiceField(
        label=_("Lead"),
        queryset=Lead.objects.none(),
        error_messages={"invalid_choice": _("Choose a lead you may change.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Lead.objects.editable_by(user)
