from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact
from crm.forms import OwnerChoiceField, VersionedModelForm, active_or_current
from crm.lookup import use_lookup


class OwnedRecordForm(VersionedModelForm):
    """A versioned form with one "owner" select (a user or a team), defaulting to the user."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Built per form, not declared on the class: OwnerChoiceField lists users and teams
        # when constructed, so a class attribute would query at import and freeze the list.
        self.fields["owner"] = OwnerChoiceField(
            label=_("Owner"),
            initial=OwnerChoiceField.value_for(self.instance.owner or user),
            user=user,
            current=self.instance.owner if self.instance.pk else None,
        )
        options = self._meta.model._meta
        reassign = f"{options.app_label}.reassign_{options.model_name}"
        if self.instance.pk and not user.has_perm(reassign):
            # Giving the record to another owner needs the role's permission (crm/permissions.py).
            self.fields["owner"].disabled = True
            self.fields["owner"].help_text = _("Your role may not give it to another owner.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner"):
            self.instance.owner = cleaned["owner"]
        return cleaned

    def changed_values(self):
        values = super().changed_values()
        values["owner_user"] = self.instance.owner_user
        values["owner_team"] = self.instance.owner_team
        return values


class AccountForm(OwnedRecordForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "website",
            "phone",
            "email",
            "industry",
            "annual_revenue",
            "number_of_employees",
            "parent_account",
            "street",
            "city",
            "state_or_province",
            "postal_code",
            "country",
            "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = active_or_current(
            Account.objects.visible_to(self.user), self.instance.parent_account_id
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent_account"].queryset = parents
        use_lookup(self.fields["parent_account"], "account")


class ContactForm(OwnedRecordForm):
    class Meta:
        model = Contact
        fields = [
            "salutation",
            "first_name",
            "middle_name",
            "last_name",
            "job_title",
            "account",
            "email",
            "business_phone",
            "mobile_phone",
            "preferred_contact_method",
            "do_not_email",
            "do_not_phone",
            "street",
            "city",
            "state_or_province",
            "postal_code",
            "country",
            "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = active_or_current(
            Account.objects.visible_to(self.user), self.instance.account_id
        )
        use_lookup(self.fields["account"], "account")
