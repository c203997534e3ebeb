"""Activities, notes (with one optional attachment) and customer inquiries.

Each one is "regarding" exactly one business record of any app through a generic relation
(Dynamics' regarding object is polymorphic too), so this app imports nothing but `crm`.

Activities are one table with a `kind` field: the timeline and "My activities" read one
table, and the kind-specific fields are nullable columns guarded by check constraints.
"""

import datetime
import uuid
from pathlib import PurePath

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError
from crm.models import OwnedQuerySet, OwnedRecord


def regarding_models():
    """Every concrete business record model (an OwnedRecord) outside this app."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, OwnedRecord) and model._meta.app_label != "activities"
    ]


class RegardingQuerySet(OwnedQuerySet):
    """Visibility follows the regarding record: whoever may see (or edit) the record may see
    (or edit) what hangs off it; the item's own owner always may.

    Built from one subquery per business model, so the scope adds no queries (the content
    types come from Django's cache)."""

    def _regarding_scope(self, user, scope_name, *, correlated=False):
        """The rows whose regarding record is in the user's `scope_name` scope: each model's
        scope as a subquery read once (a hashed subplan, for filtering many rows), or,
        `correlated`, probed by the regarding record's primary key per row (for a few rows)."""
        condition = Q(pk__in=[])
        models_ = regarding_models()
        content_types = ContentType.objects.get_for_models(*models_, for_concrete_models=False)
        for model in models_:
            scoped = getattr(model._default_manager.all(), scope_name)(user)
            if correlated:
                regarding = Exists(scoped.filter(pk=OuterRef("object_id")))
            else:
                regarding = Q(object_id__in=scoped.values("pk"))
            condition |= Q(content_type=content_types[model]) & regarding
        return condition

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        own = super().visible_to(user)
        return self.filter(Q(pk__in=own.values("pk")) | self._regarding_scope(user, "visible_to"))

    def editable_by(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        own = super().editable_by(user)
        return self.filter(Q(pk__in=own.values("pk")) | self._regarding_scope(user, "editable_by"))

    def editable_rows_by(self, user):
        """`editable_by` for the few rows a page shows (its per-row Edit link): the row's own
        scope as literal lists and each regarding record probed by its key. `editable_by` reads
        every record the user may edit into a hashed subplan: 0.3 s per timeline page for a
        rep whose team holds 100,000 leads."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        own = super().editable_by(user)
        return own | self.filter(self._regarding_scope(user, "editable_by", correlated=True))

    def regarding(self, record):
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=record.pk)


class Regarding(OwnedRecord):
    """Abstract: the generic "regarding" link shared by activities, notes and inquiries."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("regarding type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("regarding id"))
    regarding = GenericForeignKey("content_type", "object_id")

    objects = RegardingQuerySet.as_manager()

    class Meta(OwnedRecord.Meta):
        abstract = True


class Priority(models.IntegerChoices):
    """Dynamics `prioritycode`."""

    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")


class Activity(Regarding):
    class Kind(models.TextChoices):
        PHONE_CALL = "phone_call", _("Phone call")
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Task")
        APPOINTMENT = "appointment", _("Appointment")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        CANCELED = "canceled", _("Canceled")

    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Incoming")
        OUTGOING = "outgoing", _("Outgoing")

    # Kinds whose completion counts as contact with the customer (see signals.activity_logged).
    COMMUNICATION_KINDS = (Kind.PHONE_CALL, Kind.EMAIL)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The due time of a call, e-mail or task; the start of an appointment.
    due_at = models.DateTimeField(_("due / start"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    priority = models.IntegerField(_("priority"), choices=Priority, default=Priority.NORMAL)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    closed_at = models.DateTimeField(_("completed or canceled at"), null=True, blank=True)
    # Phone calls and e-mails only.
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, null=True, blank=True
    )
    other_party = models.CharField(
        _("other party"),
        max_length=200,
        blank=True,
        help_text=_("The person called or written to, or who called or wrote."),
    )
    # Appointments only.
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta(Regarding.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
            models.Index(fields=["owner_user", "state", "due_at"]),
        ]
        constraints = [
            *OwnedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=["phone_call", "email", "task", "appointment"]),
                name="activities_activity_known_kind",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "completed", "canceled"]),
                name="activities_activity_known_state",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["phone_call", "email"],
                        direction__isnull=False,
                        direction__in=["incoming", "outgoing"],
                    )
                    | (~Q(kind__in=["phone_call", "email"]) & Q(direction__isnull=True))
                ),
                name="activities_activity_direction_for_calls_and_emails",
                violation_error_message=_(
                    "Phone calls and e-mails have a direction; other activities have none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="phone_call") | Q(kind="email") | Q(other_party=""),
                name="activities_activity_other_party_for_calls_and_emails",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="appointment",
                        due_at__isnull=False,
                        ends_at__isnull=False,
                        ends_at__gte=models.F("due_at"),
                    )
                    | (~Q(kind="appointment") & Q(ends_at__isnull=True, location=""))
                ),
                name="activities_activity_appointment_times",
                violation_error_message=_(
                    "An appointment has a start and an end, and ends after it starts."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="open", closed_at__isnull=True)
                    | (~Q(state="open") & Q(closed_at__isnull=False))
                ),
                name="activities_activity_closed_at_when_closed",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def is_communication(self):
        return self.kind in self.COMMUNICATION_KINDS

    def is_overdue(self, now=None):
        return self.is_open and self.due_at is not None and self.due_at < (now or timezone.now())

    def complete(self):
        """Guarded transition open -> completed."""
        if not self.is_open:
            raise DomainError(
                _("This activity is already %(state)s.") % {"state": self.get_state_display()}
            )
        self.state = self.State.COMPLETED
        self.closed_at = timezone.now()

    complete.alters_data = True

    def cancel(self):
        """Guarded transition open -> canceled."""
        if not self.is_open:
            raise DomainError(
                _("This activity is already %(state)s.") % {"state": self.get_state_display()}
            )
        self.state = self.State.CANCELED
        self.closed_at = timezone.now()

    cancel.alters_data = True


def attachment_path(instance, filename):
    # A random name: the original name is kept in a field and never touches the file system.
    return f"attachments/{uuid.uuid4().hex}"


class Note(Regarding):
    """A note (Dynamics' annotation) with at most one file. The author is `created_by`."""

    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to=attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=255, blank=True)
    attachment_content_type = models.CharField(_("file type"), max_length=100, blank=True)
    attachment_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)

    class Meta(Regarding.Meta):
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        constraints = [
            *OwnedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(attachment=""),
                name="activities_note_text_or_attachment",
                violation_error_message=_("A note needs a text or a file."),
            ),
        ]

    def __str__(self):
        return self.text[:60] or self.attachment_name

    @property
    def display_name(self):
        return PurePath(self.attachment_name).name if self.attachment_name else ""


class Inquiry(Regarding):
    """A customer inquiry (Dynamics' case / incident as the intake of a lead)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        WEB = "web", _("Web")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESOLVED = "resolved", _("Resolved")
        CANCELED = "canceled", _("Canceled")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.PHONE)
    priority = models.IntegerField(_("priority"), choices=Priority, default=Priority.NORMAL)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.ACTIVE)
    # Dynamics' incident resolution: when and how it was closed (resolved or canceled).
    closed_at = models.DateTimeField(_("resolved or canceled at"), null=True, blank=True)
    resolution = models.TextField(
        _("resolution"), blank=True, help_text=_("How the inquiry was resolved.")
    )

    class Meta(Regarding.Meta):
        verbose_name = _("customer inquiry")
        verbose_name_plural = _("customer inquiries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        constraints = [
            *OwnedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(state__in=["active", "resolved", "canceled"]),
                name="activities_inquiry_known_state",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE

    def _close(self, state):
        if not self.is_active:
            raise DomainError(
                _("This inquiry is already %(state)s.") % {"state": self.get_state_display()}
            )
        self.state = state
        self.closed_at = timezone.now()

    def resolve(self, resolution=""):
        """Guarded transition active -> resolved (Dynamics' CloseIncident)."""
        self._close(self.State.RESOLVED)
        self.resolution = resolution

    resolve.alters_data = True

    def cancel(self):
        """Guarded transition active -> canceled."""
        self._close(self.State.CANCELED)

    cancel.alters_data = True


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but a time keeps its microseconds (Django's drops them): a merge's
    undo compares the values it stored with the record's."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class RecordMergeQuerySet(models.QuerySet):
    def of_master(self, master):
        """The merges into `master` (a lead, contact or account), newest first."""
        content_type = ContentType.objects.get_for_model(master, for_concrete_model=False)
        return self.filter(content_type=content_type, master_id=master.pk)

    def not_undone(self):
        return self.filter(undone_at__isnull=True)


class RecordMerge(models.Model):
    """One merge of up to two records into a master (Dynamics' Merge message), kept so it can
    be read and undone exactly (activities/merge.py writes and reads it).

    `fields`: {field name: {"from": pk, "old": the master's value before, "new": the value
    taken}} for every field whose value came from another record. `moved`: every item moved
    to the master, as {"kind", "model" (label), "pk", "field", "old"}, so undo puts each back
    where it hung. `subordinates_before`: {pk: the record's own state, field values and
    version before the merge}. `master_version`: the master's version the merge wrote.

    It holds personal data (the records' field values): the privacy issue's erasure reaches
    it through `content_type`, `master_id` and `subordinate_ids`."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+"
    )
    master_id = models.PositiveBigIntegerField(_("master"))
    subordinate_ids = models.JSONField(_("merged records"), default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    fields = models.JSONField(
        _("values taken"), default=dict, blank=True, encoder=ExactJSONEncoder
    )
    moved = models.JSONField(_("moved items"), default=list, blank=True, encoder=ExactJSONEncoder)
    subordinates_before = models.JSONField(
        _("merged records before"), default=dict, blank=True, encoder=ExactJSONEncoder
    )
    master_version = models.PositiveIntegerField(_("master's version after the merge"))
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    objects = RecordMergeQuerySet.as_manager()

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "master_id", "merged_at"]),
            models.Index(fields=["content_type", "undone_at"]),
        ]

    def __str__(self):
        return f"{self.content_type.model} #{self.master_id} ← {self.subordinate_ids}"

    @property
    def is_undone(self):
        return self.undone_at is not None

    @property
    def model(self):
        return self.content_type.model_class()

    @property
    def master(self):
        return self.model._default_manager.filter(pk=self.master_id).first()

    def counts(self):
        """{kind key: number of items moved}."""
        found = {}
        for item in self.moved:
            found[item["kind"]] = found.get(item["kind"], 0) + 1
        return found
