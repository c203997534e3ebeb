import datetime
import difflib
import re
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.lib.choices import EMPTY_CHOICE
from crm.lib.widgets import LocalizedDateInput


def active_or_current(queryset, current_pk):
    """The active choices of a select or lookup, plus the record's current one even if it was
    deactivated since: editing a contact of a deactivated account must not drop the account."""
    return queryset.filter(Q(is_active=True) | Q(pk=current_pk))


class DatalistInput(forms.TextInput):
    """A text box that suggests its choices as the user types (an HTML datalist): a long
    list such as the 600 time zones is searched by typing "Copen", not scrolled through.
    The form field still accepts only a valid choice."""

    template_name = "crm/widgets/datalist.html"

    def __init__(self, options, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.options = options  # a callable giving [(value, label)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-choices"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["options"] = self.options()
        return context


def time_zone_options():
    """Every time zone with its offset now ("UTC+01:00"), to search by name or by offset."""
    now = datetime.datetime.now(datetime.UTC)
    options = []
    for name in sorted(zoneinfo.available_timezones()):
        offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
        options.append((name, f"UTC{offset[:3]}:{offset[3:]}"))
    return options


def resolve_time_zone(text):
    """The time zone a person means: its name ("Europe/Copenhagen", any case), or a city or
    region typed as people write it ("Copenhagen", "new york", "Sydney") when one zone ends
    with it. Raises ValidationError naming the closest zones otherwise."""
    text = text.strip()
    zones = zoneinfo.available_timezones()
    by_name = {zone.casefold(): zone for zone in zones}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    wanted = text.casefold().replace(" ", "_")
    matches = sorted(z for z in zones if z.casefold().rsplit("/", 1)[-1] == wanted)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        cities = {z.casefold().rsplit("/", 1)[-1]: z for z in zones}
        close = difflib.get_close_matches(wanted, list(cities), n=3, cutoff=0.7)
        matches = [cities[city] for city in close]
    if matches:
        raise forms.ValidationError(
            _("%(value)s is not a time zone. Did you mean %(zones)s?")
            % {"value": text, "zones": _(" or ").join(matches)}
        )
    raise forms.ValidationError(
        _("%(value)s is not a time zone: type a city, e.g. Copenhagen, or pick one of the list.")
        % {"value": text}
    )


class ProfileForm(forms.ModelForm):
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        widget=DatalistInput(time_zone_options),
        help_text=_("Type a city or region, e.g. Copenhagen or New York."),
    )

    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Follow my browser")), *settings.LANGUAGES],
        required=False,
        help_text=_("The language of your pages, dates and numbers."),
    )

    def clean_time_zone(self):
        return resolve_time_zone(self.cleaned_data["time_zone"])

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email", "language", "time_zone", "away_until"]
        widgets = {"away_until": LocalizedDateInput()}


class InviteUserForm(forms.ModelForm):
    """Admin 'add user' form: no password; the user sets one from the invitation e-mail."""

    class Meta:
        model = get_user_model()
        fields = ["username", "email", "first_name", "last_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The invitation to set a password is sent here.")


LONG_TEXT = 100


class LocalizedNumberInput(forms.TextInput):
    """A decimal typed as the active language writes it: "1.234,50" in Danish, "1,234.50" in
    English. A browser's <input type="number"> takes neither a comma nor grouping, so this is a
    text input; its value is shown with the language's decimal separator (no grouping)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})
        self.is_localized = True

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return ungroup_number(value) if isinstance(value, str) else value


def ungroup_number(text):
    """`text` without its thousands grouping ("1.234,50" -> "1234,50" in Danish), so the
    field's own localisation reads the decimal separator. Only a whole part grouped in threes
    is ungrouped: a Danish "12.5" stays the decimal twelve and a half, never 125."""
    text = text.strip().replace("\N{NO-BREAK SPACE}", "").replace(" ", "")
    group = get_format("THOUSAND_SEPARATOR")
    whole, separator, fraction = text.partition(get_format("DECIMAL_SEPARATOR"))
    if re.fullmatch(rf"[-+]?\d{{1,3}}({re.escape(group)}\d{{3}})+", whole):
        whole = whole.replace(group, "")
    return whole + separator + fraction


NUMBER_ONLY = {"step", "min", "max"}


def localize_numbers(form):
    """Every decimal field of `form` reads and shows numbers in the active language."""
    for field in form.fields.values():
        if isinstance(field, forms.DecimalField):
            field.localize = True
            attrs = field.widget.attrs
            # A text input has no step or bounds; the field still checks them.
            kept = {key: value for key, value in attrs.items() if key not in NUMBER_ONLY}
            field.widget = LocalizedNumberInput(kept)


def say_max_lengths(form):
    """Tell how long a long text may be ("Up to 300 characters."): the browser's maxlength
    stops typing without a word and a paste is cut there, so the limit must be visible.
    Short fields (names, phone numbers) show their end as soon as it is reached."""
    for field in form.fields.values():
        limit = getattr(field, "max_length", None)
        if not limit or limit < LONG_TEXT or isinstance(field.widget, forms.HiddenInput):
            continue
        hint = _("Up to %(limit)s characters.") % {"limit": limit}
        field.help_text = f"{field.help_text} {hint}" if field.help_text else hint


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the record's version, so a stale edit can be refused.

    The view passes `form.cleaned_data["expected_version"]` to the update service, which
    compares it with the locked row (see crm.services.update_record)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        say_max_lengths(self)
        localize_numbers(self)

    def changed_values(self):
        """The model field values to write (everything but the version marker)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "expected_version" and name in self._meta.fields
        }


def user_choices(users, *, with_active=False):
    """("user:<pk>", the name as `User.__str__` gives it) of each user, from one values_list
    query: building a model instance per user cost more than the query. `with_active`: each
    with the user's `is_active` as a third item."""
    rows = users.values_list("pk", "first_name", "last_name", "username", "is_active")
    choices = []
    for pk, first_name, last_name, username, is_active in rows:
        label = f"{first_name} {last_name}".strip() or username
        choices.append((f"user:{pk}", label, is_active) if with_active else (f"user:{pk}", label))
    return choices


def owners_for(user):
    """(users, teams) `user` may give a record to or filter by: the members of their teams and
    those teams (from the request's scope, no query of its own); everyone for an administrator
    or without a user (a command)."""
    from crm.models import Team, User, scope_of

    users, teams = User.objects.all(), Team.objects.all()
    if user is None or user.is_administrator:
        return users, teams
    scope = scope_of(user)
    return users.filter(pk__in=scope.teammate_ids), teams.filter(pk__in=scope.team_ids)


class OwnerRows:
    """The users and teams `user` may choose (owners_for) as (value, label, is_active), each
    table read once, on first use: the lead list's owner filter (active or not) and its bulk
    bar's owner select (the active) share one, two queries instead of four."""

    def __init__(self, user=None):
        self.user = user

    @cached_property
    def users(self):
        return user_choices(owners_for(self.user)[0], with_active=True)

    @cached_property
    def teams(self):
        teams = owners_for(self.user)[1].values_list("pk", "name", "is_active")
        return [(f"team:{pk}", name, is_active) for pk, name, is_active in teams]


class _OwnerChoices(BaseChoiceIterator):
    """Owner choices read on first use and kept for that form instance: never at import time
    (a form declared before `migrate` has run must not query the database), and once per form
    however often the select is rendered or validated. From `rows` (OwnerRows, the active
    ones) when given, else from the querysets."""

    def __init__(self, users, teams, extra, rows=None):
        self.users, self.teams, self.extra, self.rows = users, teams, extra, rows
        self._cache = None

    def __iter__(self):
        if self._cache is None:
            if self.rows is not None:
                users = [(value, label) for value, label, active in self.rows.users if active]
                teams = [(value, label) for value, label, active in self.rows.teams if active]
            else:
                users = user_choices(self.users)
                teams = [(f"team:{pk}", name) for pk, name in self.teams.values_list("pk", "name")]
            self._cache = [*self.extra, (_("Users"), users), (_("Teams"), teams)]
        return iter(self._cache)

    def __deepcopy__(self, memo):
        # Each form instance gets its own (empty) cache.
        return _OwnerChoices(self.users, self.teams, self.extra, self.rows)


class OwnerChoiceField(forms.ChoiceField):
    """One select for "a user or a team": values look like "user:7" or "team:2".

    `clean()` returns the User or Team instance. Pass `extra_choices` for options such as
    ("auto", "Automatic (routing rules)"), which are returned as the plain string."""

    def __init__(
        self,
        *args,
        users=None,
        teams=None,
        extra_choices=(),
        rows=None,
        user=None,
        current=None,
        excluded_user_id=None,
        **kwargs,
    ):
        """`user`: offer (and accept) only the owners they may choose (owners_for), and the
        record's `current` owner (one shared with them for writing may be someone else's).
        `excluded_user_id`: a user neither offered nor accepted."""
        super().__init__(*args, **kwargs)
        from crm.models import Team

        scoped_users, scoped_teams = owners_for(user)
        scoped_users, scoped_teams = (
            scoped_users.filter(is_active=True),
            scoped_teams.filter(is_active=True),
        )
        if current is not None and user is not None:
            if isinstance(current, Team):
                scoped_teams |= type(current).objects.filter(pk=current.pk)
            else:
                scoped_users |= type(current).objects.filter(pk=current.pk)
        self._users = users if users is not None else scoped_users
        self._teams = teams if teams is not None else scoped_teams
        if excluded_user_id is not None:
            self._users = self._users.exclude(pk=excluded_user_id)
        self._extra = list(extra_choices)
        # `rows` (an OwnerRows another form of the page shares) offers its active owners.
        self.choices = _OwnerChoices(self._users, self._teams, self._extra, rows)

    def clean(self, value):
        value = super().clean(value)
        if not value or value in dict(self._extra):
            return value
        kind, _sep, pk = value.partition(":")
        source = {"user": self._users, "team": self._teams}.get(kind)
        try:
            return source.get(pk=int(pk))
        except (AttributeError, ValueError, source.model.DoesNotExist):
            raise forms.ValidationError(_("Choose a valid owner.")) from None

    @staticmethod
    def split(owner):
        """(user, team) of a cleaned owner: one of them, the other None (both None for none
        or an extra choice)."""
        from crm.models import Team, User

        return (
            owner if isinstance(owner, User) else None,
            owner if isinstance(owner, Team) else None,
        )

    @staticmethod
    def value_for(owner):
        from crm.models import Team

        if owner is None:
            return ""
        return f"{'team' if isinstance(owner, Team) else 'user'}:{owner.pk}"


class ShareForm(forms.Form):
    """Share one record: with whom (a user or a team) and how."""

    access = forms.ChoiceField(
        label=_("Access"),
        initial="read",
        widget=forms.RadioSelect,
        help_text=_(
            "Read and write also lets them change it and add activities and notes to it; "
            "giving it to another owner stays with its owner's side."
        ),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        from crm.models import Share, User

        self.fields["access"].choices = Share.Access.choices
        # Every active user but the owner (who has it already), and every active team.
        self.fields["target"] = OwnerChoiceField(
            label=_("Share with"),
            users=User.objects.filter(is_active=True),
            excluded_user_id=record.owner_user_id,
            extra_choices=[("", EMPTY_CHOICE)],
        )
        self.order_fields(["target", "access"])

    def clean(self):
        cleaned = super().clean()
        cleaned["user"], cleaned["team"] = OwnerChoiceField.split(cleaned.get("target"))
        return cleaned
