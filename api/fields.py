"""Fields the resources share: owners and customers ("one of several kinds" references),
related records limited to what the user can see, and choices by name."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.forms import owners_for
from crm.models import Team, User


def choice_name(member):
    return member.name.lower()


def named_choices(enum):
    return [(choice_name(member), member.label) for member in enum]


class NamedChoiceField(serializers.ChoiceField):
    """A Django IntegerChoices/TextChoices field shown by member name in snake_case
    ("can_buy", "cannot_contact"): readable JSON that does not change if a label does."""

    def __init__(self, enum, **kwargs):
        self.enum = enum
        self._by_name = {choice_name(member): member.value for member in enum}
        self._by_value = {member.value: choice_name(member) for member in enum}
        kwargs.setdefault("allow_null", True)
        super().__init__(choices=named_choices(enum), **kwargs)

    def validate_empty_values(self, data):
        is_empty, value = super().validate_empty_values(data)
        # null clears the field: a text choice is stored blank (its column is NOT NULL).
        if is_empty and value is None and issubclass(self.enum, models.TextChoices):
            return True, ""
        return is_empty, value

    def to_representation(self, value):
        if value in ("", None):
            return None
        return self._by_value.get(value, value)

    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        return self._by_name[name]


class ReferenceSerializer(serializers.Serializer):
    """Schema only: `{"type": ..., "id": 7}`."""

    id = serializers.IntegerField()


def reference_serializer(name, kinds):
    return type(
        name,
        (ReferenceSerializer,),
        {"type": serializers.ChoiceField(choices=kinds), "__module__": __name__},
    )


OwnerReferenceSerializer = reference_serializer("OwnerReferenceSerializer", ["user", "team"])
CustomerReferenceSerializer = reference_serializer(
    "CustomerReferenceSerializer", ["account", "contact"]
)


def parse_reference(data, kinds):
    """Validate `{"type": ..., "id": ...}` against `kinds` (type name -> queryset)."""
    if not isinstance(data, dict):
        raise serializers.ValidationError(_('Expected an object like {"type": ..., "id": ...}.'))
    kind, pk = data.get("type"), data.get("id")
    if not isinstance(kind, str) or kind not in kinds:
        raise serializers.ValidationError(
            _("type must be one of: %(kinds)s.") % {"kinds": ", ".join(kinds)}
        )
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise serializers.ValidationError(_("id must be a whole number."))
    found = kinds[kind].filter(pk=pk).first() if abs(pk) < 2**63 else None
    if found is None:
        raise serializers.ValidationError(
            _("No %(kind)s with id %(id)s.") % {"kind": kind, "id": pk}
        )
    return found


@extend_schema_field(OwnerReferenceSerializer)
class OwnerField(serializers.Field):
    """An owner: an active user or team of those the pages' owner select offers the caller
    (crm.forms.owners_for: the members of their teams and those teams; anyone for an
    administrator), or the record's current owner (shared with the caller for writing, it
    may be someone else's)."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, record):
        if record.owner_team_id is not None:
            return {"type": "team", "id": record.owner_team_id}
        return {"type": "user", "id": record.owner_user_id}

    def to_internal_value(self, data):
        users, teams = owners_for(self.context["request"].user)
        users, teams = users.filter(is_active=True), teams.filter(is_active=True)
        current = getattr(self.parent, "instance", None)
        if current is not None and not isinstance(current, (list, tuple)):
            users |= User.objects.filter(pk=current.owner_user_id)
            teams |= Team.objects.filter(pk=current.owner_team_id)
        return parse_reference(data, {"user": users, "team": teams})


class ScopedOwnerRelatedField(serializers.PrimaryKeyRelatedField):
    """A user or a team by id, among the active ones the caller may give a record to
    (crm.forms.owners_for, as OwnerField)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.filter(is_active=True), **kwargs)

    def get_queryset(self):
        users, teams = owners_for(self.context["request"].user)
        return (users if self.model is User else teams).filter(is_active=True)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related business record by id, among those the requesting user can see (so an
    invisible record is "does not exist", never a hint that it does)."""

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and abs(data) >= 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
