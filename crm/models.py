"""The organisation (users, teams, memberships) and the base every business record shares."""

import zoneinfo
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.lib import any_of  # noqa: F401  (registers the __any_of lookup)

ADMINISTRATOR_GROUP = "administrator"
SALES_MANAGER_GROUP = "sales manager"
SALESPERSON_GROUP = "salesperson"


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class User(AbstractUser):
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        choices=_time_zone_choices,
        help_text=_("Dates and times are shown in this time zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Leave empty to follow your browser's language."),
    )
    away_until = models.DateField(
        _("away until"),
        null=True,
        blank=True,
        help_text=_("While away, automatic lead routing skips you. Leave empty when present."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def zone(self):
        """The user's time zone (the server's when theirs is not set or not known)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def language_or_default(self):
        """The language to write to this user in when no request says it (e-mails, a
        worker's messages): their profile's, else the organisation's."""
        return self.language or settings.LANGUAGE_CODE

    def local_today(self, now=None):
        """Today's date where the user is (not where the server is)."""
        return timezone.localtime(now or timezone.now(), self.zone).date()

    def is_away(self, on_date=None):
        """Away on `on_date` (default: today where the user is: "away until Friday" ends
        at the end of Friday in the user's time zone, not the server's)."""
        on_date = on_date or self.local_today()
        return self.away_until is not None and self.away_until >= on_date

    @cached_property
    def is_administrator(self):
        """Administrators see and edit everything (superusers, or the administrator group)."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        # Read with the user by crm.backends.UserBackend (the request's user).
        in_group = self.__dict__.get("in_administrator_group")
        if in_group is not None:
            return in_group
        return self.groups.filter(name=ADMINISTRATOR_GROUP).exists()

    @cached_property
    def is_sales_manager(self):
        """A sales manager is a user with a manager membership in at least one active team."""
        return bool(scope_of(self).managed_team_ids)

    def can_edit_work_of(self, author_id):
        """Whether this user may change what `author_id` wrote (a note): the author, a manager
        of a team the author is in, or an administrator. No query beyond the request's scope."""
        if author_id == self.pk or self.is_administrator:
            return True
        return author_id is not None and author_id in scope_of(self).managed_member_ids

    def can_share(self, record):
        """Whether this user may share `record` or revoke its shares: its owner, a manager of
        the owning team or of the owning user, or an administrator. No query beyond the
        request's scope."""
        if self.is_administrator or (record.owner_user_id and record.owner_user_id == self.pk):
            return True
        scope = scope_of(self)
        return (
            record.owner_user_id in scope.managed_member_ids
            or record.owner_team_id in scope.managed_team_ids
        )


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="crm_membership_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if "user" in self._state.fields_cache:
            forget_scope(self.user)

    def delete(self, *args, **kwargs):
        if "user" in self._state.fields_cache:
            forget_scope(self.user)
        return super().delete(*args, **kwargs)


def _active_memberships():
    return Membership.objects.filter(is_active=True, team__is_active=True)


# Over this many records of one kind shared with a user, visibility reads the shares by a
# subquery instead of a literal list (a plan the planner cannot combine with the owner indexes,
# for that user alone).
SHARED_LITERAL_LIMIT = 10_000


class _Scope:
    """The ids visibility is decided by, for one user: their active teams, the teams they
    manage, every member of their teams, every member of the teams they manage, and the
    records shared with them or with one of their teams."""

    def __init__(self, rows, user_id):
        # rows: (team id, member id, member's role) of every active membership of the user's
        # active teams, and (content type id, record id, access) of every active share with
        # the user or their teams: the third column tells them apart.
        shares = [row for row in rows if row[2] in Share.Access.values]
        rows = [row for row in rows if row[2] not in Share.Access.values]
        self.shared = {}  # content type id -> {record id: access}, "write" winning
        for content_type_id, object_id, access in shares:
            records = self.shared.setdefault(content_type_id, {})
            if records.get(object_id) != Share.Access.WRITE:
                records[object_id] = access
        self.team_ids = sorted({team for team, member, _role in rows if member == user_id})
        self.managed_team_ids = sorted(
            {
                team
                for team, member, role in rows
                if member == user_id and role == Membership.Role.MANAGER
            }
        )
        self.teammate_ids = sorted({member for _team, member, _role in rows})
        managed = set(self.managed_team_ids)
        self.managed_member_ids = sorted({member for team, member, _ in rows if team in managed})


def scope_of(user):
    """The user's `_Scope`, read in one query and kept on the user object, so a request asks
    once. Literal id lists rather than subqueries: the planner then combines the owner indexes
    (a BitmapOr of index scans) instead of filtering every row through a hashed subplan."""
    scope = getattr(user, "_scope", None)
    if scope is None:
        my_teams = _active_memberships().filter(user_id=user.pk).values("team_id")
        rows = _active_memberships().filter(team_id__in=my_teams)
        # The user's shares and their teams' in two branches, each read by its partial index
        # (crm_share_user_idx, crm_share_team_idx): ORed, they were a scan of every share.
        shared = [
            Share.objects.active()
            .filter(**where)
            .order_by()
            .values_list("content_type_id", "object_id", "access")
            for where in (
                {"user_id": user.pk},
                {"team_id__in": my_teams, "team_id__isnull": False},
            )
        ]
        rows = rows.values_list("team_id", "user_id", "role").union(*shared, all=True)
        scope = _Scope(list(rows), user.pk)
        user._scope = scope
    return scope


def managed_owners(user):
    """(users, teams) `user` manages as owners of what they set up (a routing rule's target,
    the user a web form creates its leads as): an administrator's any active ones, a
    manager's the teams they manage and those teams' members."""
    users = User.objects.filter(is_active=True)
    teams = Team.objects.filter(is_active=True)
    if user.is_administrator:
        return users, teams
    scope = scope_of(user)
    managed = scope.managed_member_ids, scope.managed_team_ids
    return users.filter(pk__in=managed[0]), teams.filter(pk__in=managed[1])


def may_manage(user, owner):
    """Whether `owner` (a user or a team) is one of `managed_owners(user)`, read off the scope
    (no query past it)."""
    if user.is_administrator:
        return True
    scope = scope_of(user)
    if isinstance(owner, Team):
        return owner.pk in scope.managed_team_ids
    return owner.pk in scope.managed_member_ids


def forget_scope(user):
    """Drop the kept scope and roles (the user's memberships changed)."""
    for name in ("_scope", "is_sales_manager"):
        user.__dict__.pop(name, None)


def team_ids_of(user):
    """Ids of the active teams the user belongs to."""
    return scope_of(user).team_ids


def teammate_ids_of(user):
    """Ids of every active member of the user's teams (the user included, when in a team)."""
    return scope_of(user).teammate_ids


class RecordHistory(HistoricalRecords):
    """simple-history's HistoricalRecords with the index a History tab reads by: one
    record's rows, newest first (crm/history.py: history_page filters on the record's id and
    orders by history_date, history_id; the index is read backwards, no sort). `by` names
    other columns a history is read by (a share's record), each with history_date."""

    def __init__(self, *args, by=(), **kwargs):
        self.by = tuple(by)
        super().__init__(*args, **kwargs)

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        indexes = [models.Index(fields=[model._meta.pk.attname, "history_date", "history_id"])]
        if self.by:
            indexes.append(models.Index(fields=[*self.by, "history_date"]))
        options["indexes"] = (*options.get("indexes", ()), *indexes)
        return options


def is_merged(record):
    """Whether `record` was merged into another (kept, read-only, pointing to its master)."""
    return getattr(record, "merged_into_id", None) is not None


def has_merged_into(model):
    """Whether records of `model` can be merged into another (a `merged_into` field)."""
    return any(field.name == "merged_into" for field in model._meta.concrete_fields)


class _Visibility(NamedTuple):
    """What `OwnedQuerySet._within` filtered by: whose scope, its ORed branches (the first
    `owner_branches` by owner, disjoint; then the shared ids) and the where node it added."""

    user_pk: int
    branches: tuple
    owner_branches: int
    node: object


class OwnedQuerySet(models.QuerySet):
    """Read vocabulary every business record shares; one place decides who sees what.

    The scope's ids are read once per request (`scope_of`) and written into the query as
    literal lists, so each owner column is served by its own index.
    """

    def visible_to(self, user):
        """Own records, the team queues of the user's teams, their teammates', and the
        records shared with the user or their teams."""
        return self._within(user, people="teammate_ids", shares="read")

    def editable_by(self, user, *, merged=False):
        """Own records, the team queues of the user's teams, (managers) their members', and
        the records shared with the user or their teams for writing. Like the other write
        scopes below, never a record merged into another: it stays read-only (Dynamics);
        `merged=True` keeps them (the merge engine tells "merged already" apart from "not
        yours to change")."""
        return self._within(user, people="managed_member_ids", shares="write", writing=not merged)

    def appendable_by(self, user):
        """The records `user` may add activities, notes and inquiries to (Dynamics' Append
        To): those they see through their scope (their own, their teams', their teammates':
        a colleague logs a call on a lead while its owner is away) and those shared with them
        for writing; not one shared with them only for reading."""
        return self._within(user, people="teammate_ids", shares="write", writing=True)

    def assignable_by(self, user):
        """The records `user` may give to another owner: those they may edit, except through
        a share (a share lets them read or change a record, not give it away: Dynamics'
        Assign right is not part of a share either)."""
        return self._within(user, people="managed_member_ids", shares=None, writing=True)

    def with_access(self, user):
        """Each record with `can_edit` (editable_by) and `can_add` (appendable_by) for
        `user`, in the same query."""
        model = self.model._default_manager
        return self.annotate(
            can_edit=Exists(model.editable_by(user).filter(pk=OuterRef("pk"))),
            can_add=Exists(model.appendable_by(user).filter(pk=OuterRef("pk"))),
        )

    def _within(self, user, *, people, shares, writing=False):
        """The records owned by `user`, by one of their teams or by the users of their
        scope's `people` list, and (`shares`: "read", "write" or None) those shared with
        them; everything for an administrator, nothing for an inactive user. `writing`
        leaves out the records merged into another (for administrators too)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        records = self.not_merged() if writing else self
        if user.is_administrator:
            return records.all()
        scope = scope_of(user)
        # Each branch a literal list one owner index serves; the owner branches are disjoint
        # (a record has exactly one owner), the shared ids may repeat them.
        branches = [Q(owner_user_id__any_of=sorted({user.pk, *getattr(scope, people)}))]
        if scope.team_ids:
            branches.append(Q(owner_team_id__any_of=scope.team_ids))
        owner_branches = len(branches)
        if shares is not None and (shared := self._shared(user, scope, write=shares == "write")):
            branches.append(shared)
        condition = Q()
        for branch in branches:
            condition |= branch
        within = records.filter(condition)
        # The node the filter added (the OR, or the one branch), for count_up_to and own().
        node = within.query.where.children[-1]
        within._scope_branches = _Visibility(user.pk, tuple(branches), owner_branches, node)
        return within

    def not_merged(self):
        """Without the records merged into another (the models that have `merged_into`).
        Filtered before the visibility filter, so that one stays the last where node."""
        if not has_merged_into(self.model):
            return self
        return self.filter(merged_into__isnull=True)

    # The branches of the visibility filter (`_within`) travel with the queryset's clones, so
    # count_up_to can count each by its own index. Combined with OR, they no longer say it.
    _scope_branches = None

    def _clone(self):
        clone = super()._clone()
        clone._scope_branches = self._scope_branches
        return clone

    def __or__(self, other):
        combined = super().__or__(other)
        combined._scope_branches = None
        return combined

    def own(self, user):
        """The records `user` owns, out of this queryset. Under the user's visibility filter
        (`_within`), the filter is implied (their own records are always in it) and left
        out, so the planner reads the owner's index alone: ANDed with it, its estimate of a
        rep's 100,000 open leads was 6,000 and a deep page sorted them on disk (160 ms)."""
        scope = self._scope_branches
        mine = self._without_scope() if scope and scope.user_pk == user.pk else self
        return mine.filter(owner_user=user)

    def _without_scope(self):
        """This queryset without the visibility filter `_within` added, or unchanged when the
        filter is no longer a plain AND term of the query."""
        if self._scope_branches is None:
            return self
        visibility = self._scope_branches.node
        clone = self._chain()
        clone._scope_branches = None
        query = clone.query
        where = query.where
        kept = [child for child in where.children if child != visibility]
        if (
            len(kept) == len(where.children)
            or where.connector != "AND"
            or where.negated
            or query.combinator
            or query.is_sliced
        ):
            return self
        where.children = kept
        return clone

    def count_up_to(self, limit):
        """The number of rows, counted no further than `limit` (a list's capped count).

        Under a user's visibility filter, one capped count of the whole OR made PostgreSQL
        scan the table until it had `limit` rows (27 ms for a rep at a million leads): here
        each branch is counted by itself (up to `limit`, by its owner index) in one
        statement, the shared records not owned in the other branches, and summed."""
        scope = self._scope_branches
        base = self._without_scope() if scope and len(scope.branches) > 1 else self
        if base is self or base.query.distinct:
            return self.order_by().values("pk")[:limit].count()
        base = base.order_by()
        branches, owner_branches = scope.branches, scope.owner_branches
        from django.core.exceptions import EmptyResultSet
        from django.db import connections

        parts, params = [], []
        owned = Q()
        for index, branch in enumerate(branches):
            part = base.filter(branch)
            if index >= owner_branches:
                part = part.exclude(owned)
            else:
                owned |= branch
            try:
                sql, part_params = part.values("pk")[:limit].query.sql_with_params()
            except EmptyResultSet:
                continue
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) branch_{index})")
            params.extend(part_params)
        if not parts:
            return 0
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {' + '.join(parts)}", params)
            (total,) = cursor.fetchone()
        return min(total, limit)

    def shared_with(self, user):
        """The records of this model shared with `user` or one of their teams (the lead
        list's "Shared with me")."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        condition = self._shared(user, scope_of(user), write=False)
        return self.filter(condition) if condition else self.none()

    def _shared(self, user, scope, *, write):
        """The records of this model shared with `user` (for writing, when `write`): their
        ids as a literal list, read with the scope, so no query and no subplan of its own.
        Nothing at all when nothing is shared with the user (the common case)."""
        if not scope.shared:
            return Q()
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        records = scope.shared.get(content_type.pk, {})
        ids = [pk for pk, access in records.items() if not write or access == Share.Access.WRITE]
        if not ids:
            return Q()
        if len(ids) > SHARED_LITERAL_LIMIT:
            shares = Share.objects.active().filter(content_type=content_type).with_user(user)
            if write:
                shares = shares.filter(access=Share.Access.WRITE)
            return Q(pk__in=shares.values("object_id"))
        return Q(pk__any_of=sorted(ids))

    def owned_by(self, owner):
        if isinstance(owner, Team):
            return self.filter(owner_team=owner)
        return self.filter(owner_user=owner)


class OwnedRecord(models.Model):
    """Abstract base of every business record: an owner (a user or a team), audit fields and
    change history from the first save on."""

    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (user)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name=_("owner (team)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Not auto_now_add: an import of historical data may set the real creation date.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)
    # Bumped on every update; forms and the API send it back so a stale edit is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = RecordHistory(inherit=True)
    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_user__isnull=False, owner_team__isnull=True)
                    | Q(owner_user__isnull=True, owner_team__isnull=False)
                ),
                name="%(app_label)s_%(class)s_exactly_one_owner",
                violation_error_message=_("A record is owned by exactly one user or one team."),
            ),
        ]

    # The columns the duplicate finder pairs records by (crm/duplicate_finder.py sets them):
    # their values as read from the database, so a save that changes one is checked at once.
    duplicate_key_names: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, *args, **kwargs):
        instance = super().from_db(*args, **kwargs)
        if cls.duplicate_key_names:
            instance._duplicate_keys = tuple(
                instance.__dict__.get(name) for name in cls.duplicate_key_names
            )
        return instance

    @property
    def owner(self):
        return self.owner_user or self.owner_team

    @owner.setter
    def owner(self, value):
        if isinstance(value, Team):
            self.owner_user, self.owner_team = None, value
        else:
            self.owner_user, self.owner_team = value, None

    @property
    def owner_is_team(self):
        return self.owner_team_id is not None

    def stamp(self, user):
        """Record who made the change (and who created it, on the first save)."""
        if self._state.adding and self.created_by_id is None:
            self.created_by = user
        self.modified_by = user
        self._history_user = user

    def is_visible_to(self, user):
        return type(self)._default_manager.visible_to(user).filter(pk=self.pk).exists()

    def is_editable_by(self, user):
        return type(self)._default_manager.editable_by(user).filter(pk=self.pk).exists()


class VersionedSetting(models.Model):
    """Abstract base of configuration that managers edit in the app (routing rules, web
    forms): a version the app's edits bump (crm.services.next_version), so a stale edit is
    refused, and who changed it last."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        abstract = True

    def stamp(self, user):
        """Record who made the change (crm.services.next_version calls it)."""
        self.modified_by = user
        self._history_user = user


def shares_of_records(model, pks):
    """The lookup of the shares (or their history rows) of the `model` records with these
    pks."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return {"content_type": content_type, "object_id__in": pks}


class ShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def of(self, record):
        """The shares of one record (active and revoked)."""
        return self.of_records(type(record), [record.pk])

    def of_records(self, model, pks):
        """The shares of the `model` records with these pks (active and revoked)."""
        return self.filter(**shares_of_records(model, pks))

    def with_user(self, user):
        """Shares with `user` or with one of their active teams."""
        return self.filter(Q(user_id=user.pk) | Q(team_id__in=scope_of(user).team_ids))


class Share(models.Model):
    """One record shared with one user or one team, to read or to read and change (Dynamics'
    GrantAccess). Revoking keeps the row (`revoked_at`), so the record's history and timeline
    still say who had access when. Visibility reads the active ones with the user's scope
    (`scope_of`), so a share costs the pages no query of their own."""

    class Access(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with (user)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("shared with (team)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares",
    )
    access = models.CharField(_("access"), max_length=8, choices=Access, default=Access.READ)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("shared at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = RecordHistory(by=["content_type", "object_id"])
    objects = ShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, team__isnull=True)
                    | Q(user__isnull=True, team__isnull=False)
                ),
                name="crm_share_one_target",
                violation_error_message=_("Share with exactly one user or one team."),
            ),
            # One active share per record and user (or team): sharing again changes it.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"],
                condition=Q(revoked_at__isnull=True, user__isnull=False),
                name="crm_share_active_user",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "team"],
                condition=Q(revoked_at__isnull=True, team__isnull=False),
                name="crm_share_active_team",
            ),
        ]
        indexes = [
            # The scope's read: what is shared with one user, or with one of their teams.
            models.Index(
                fields=["user", "content_type", "object_id", "access"],
                condition=Q(revoked_at__isnull=True, user__isnull=False),
                name="crm_share_user_idx",
            ),
            models.Index(
                fields=["team", "content_type", "object_id", "access"],
                condition=Q(revoked_at__isnull=True, team__isnull=False),
                name="crm_share_team_idx",
            ),
            # A record's shares: its "Shared with" panel (the active ones) and its timeline
            # (revoked ones too).
            models.Index(fields=["content_type", "object_id"], name="crm_share_record_idx"),
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} → {self.target} ({self.access})"

    @property
    def target(self):
        return self.user or self.team

    @property
    def is_active(self):
        return self.revoked_at is None


class RateLimitCounter(models.Model):
    """One fixed window of a rate limit (crm.ratelimit): every process counts in this row, so
    a limit holds however many workers serve the site. Old windows are deleted as new ones
    start."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]

    def __str__(self):
        return f"{self.key} @ {self.window_start}: {self.count}"


class Lease(models.Model):
    """A named lease one process holds until `expires_at` and keeps renewing (crm.leases): the
    lock that lets exactly one scheduler run however many machines start one. Times come from
    the database's clock, so machines whose clocks differ still agree who holds it."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.holder} until {self.expires_at}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker (`manage.py worker`), written every
    TASK_HEARTBEAT_SECONDS by a thread beside the tasks. A running task whose worker has not
    beaten for TASK_LEASE_SECONDS is stale: the sweep (crm.background) retries or fails it."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker_id} ({self.host}:{self.pid}) at {self.beat_at}"


class TaskRetry(models.Model):
    """An administrator's Retry of a failed or stale background task: the failed row then no
    longer needs attention, and each of the two rows links to the other in the admin. The
    record outlives the retry's own row (pruned sooner than failed ones), so the original
    does not come back into "needs attention" when its retry's result is pruned."""

    original = models.OneToOneField(
        "django_tasks_database.DBTaskResult", on_delete=models.CASCADE, related_name="retry"
    )
    retry = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.SET_NULL,
        null=True,
        related_name="retry_of",
    )
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    retried_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.original_id} retried as {self.retry_id} at {self.retried_at}"


class PossibleDuplicate(models.Model):
    """Two records of one kind that look like the same person or company, found in batch by
    crm/duplicate_finder.py (never by comparing pairs on a page view). `record_id` <
    `other_id`; a person's "Not a duplicate" sets `dismissed_by`/`dismissed_at` and the pair
    stays dismissed however often the finder finds it again."""

    class Reason(models.TextChoices):
        EMAIL = "email", _("Same e-mail address")
        PHONE = "phone", _("Same phone number")
        NAME = "name", _("Similar name")
        NAME_COMPANY = "name_company", _("Similar name and company")
        NAME_ACCOUNT = "name_account", _("Same name at the same account")
        DOMAIN = "domain", _("Same web or e-mail domain")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    record_id = models.PositiveBigIntegerField()
    other_id = models.PositiveBigIntegerField()
    score = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    found_at = models.DateTimeField(default=timezone.now)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "record_id", "other_id"], name="crm_possdup_pair_uniq"
            ),
            models.CheckConstraint(
                condition=Q(record_id__lt=models.F("other_id")), name="crm_possdup_ordered"
            ),
        ]
        indexes = [
            # The pages: one kind's open pairs, newest first.
            models.Index(
                fields=["content_type", "-found_at", "-id"],
                condition=Q(dismissed_at__isnull=True),
                name="crm_possdup_open_idx",
            ),
            # The Dismissed view of a duplicates page: newest dismissal first.
            models.Index(
                fields=["content_type", "-dismissed_at", "-id"],
                condition=Q(dismissed_at__isnull=False),
                name="crm_possdup_dismissed_idx",
            ),
            # A record's panel and the finder's removals by the second record.
            models.Index(fields=["content_type", "other_id"], name="crm_possdup_other_idx"),
        ]

    def __str__(self):
        return f"{self.content_type_id}: {self.record_id} ~ {self.other_id} ({self.score})"


class DuplicateScan(models.Model):
    """The finder's watermark per kind: records changed since `scanned_from` are scanned by
    the next incremental run."""

    label = models.CharField(max_length=100, primary_key=True)
    scanned_from = models.DateTimeField()
    full_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.label} from {self.scanned_from}"
