"""The organisation (users, teams, memberships) and the base every business record shares."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
        return self.is_superuser or self.groups.filter(name=ADMINISTRATOR_GROUP).exists()

    @cached_property
    def is_sales_manager(self):
        """A sales manager is a user with a manager membership in at least one active team."""
        return self.memberships.filter(
            role=Membership.Role.MANAGER, is_active=True, team__is_active=True
        ).exists()


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


def _active_memberships():
    return Membership.objects.filter(is_active=True, team__is_active=True)


def team_ids_of(user):
    """Subquery: ids of the active teams the user belongs to."""
    return _active_memberships().filter(user=user).values("team_id")


def managed_team_ids_of(user):
    """Subquery: ids of the active teams the user manages."""
    return _active_memberships().filter(user=user, role=Membership.Role.MANAGER).values("team_id")


def teammate_ids_of(user):
    """Subquery: ids of every active member of the user's teams (the user included)."""
    return _active_memberships().filter(team_id__in=team_ids_of(user)).values("user_id")


class OwnedQuerySet(models.QuerySet):
    """Read vocabulary every business record shares; one place decides who sees what.

    Everything is expressed as subqueries so the scope adds no queries of its own.
    """

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        return self.filter(
            Q(owner_user=user)
            | Q(owner_team_id__in=team_ids_of(user))
            | Q(owner_user_id__in=teammate_ids_of(user))
        )

    def editable_by(self, user):
        """Own records, the team queues of the user's teams, and (managers) their members'."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        managed_members = (
            _active_memberships().filter(team_id__in=managed_team_ids_of(user)).values("user_id")
        )
        return self.filter(
            Q(owner_user=user)
            | Q(owner_team_id__in=team_ids_of(user))
            | Q(owner_user_id__in=managed_members)
        )

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

    history = HistoricalRecords(inherit=True)
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
