"""Domain errors that services raise and views turn into clear messages."""

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A refused operation; the message is shown to the user as it is."""


class StaleRecord(DomainError):
    """Someone else saved the record after the user opened it."""

    def __init__(self, record):
        self.record = record
        who = record.modified_by or _("someone else")
        self.when = when = formats.date_format(
            timezone.localtime(record.modified_at), "SHORT_DATETIME_FORMAT"
        )
        super().__init__(
            _(
                "%(who)s changed this record at %(when)s, after you opened it. "
                "Nothing was saved: reload the page to see their changes, then edit again."
            )
            % {"who": who, "when": when}
        )

    def message_for(self, user):
        """The refusal as `user` reads it: their own change in another tab or window is not
        "someone else's"."""
        if user is None or self.record.modified_by_id != user.pk:
            return str(self)
        return _(
            "You changed this record at %(when)s in another tab or window, after this page "
            "was opened. Nothing was saved: reload the page to see that change, then edit again."
        ) % {"when": self.when}


class DeniedWithWayOn(PermissionDenied):
    """A 403 (the page, or the API's JSON) that offers the way on as a link: the master a
    merged record went into, where the change can be made."""

    def __init__(self, message, *, link_url="", link_text=""):
        super().__init__(message)
        self.link_url = link_url
        self.link_text = link_text
