"""Checking an uploaded attachment from its bytes, never from its name."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Types a browser could run or render as a page: never accepted as they are sniffed.
REFUSED_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-mach-binary",
    "application/x-sh",
    "application/x-shockwave-flash",
}
# Served with their own type (everything else is application/octet-stream). HTML and SVG are
# never on it: they would run scripts if a browser ever showed them inline.
SAFE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}


def max_bytes():
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def sniff_content_type(upload):
    """The type the bytes say (filetype reads the first 8 KB), not the one the browser sent."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else "application/octet-stream"


def check_attachment(upload):
    """Validate size and content; returns the sniffed content type or raises ValidationError."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; files up to %(limit)s are accepted."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = sniff_content_type(upload)
    if content_type in REFUSED_TYPES:
        raise ValidationError(_("Programs cannot be attached."), code="refused_type")
    return content_type


def served_content_type(stored_type):
    return stored_type if stored_type in SAFE_TYPES else "application/octet-stream"
