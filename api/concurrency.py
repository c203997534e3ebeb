"""Optimistic concurrency over HTTP: the record's `version` is its ETag, and a PATCH with an
`If-Match` that names another version is refused with 412 (without `If-Match` it applies)."""

from api.exceptions import PreconditionFailed


def etag_for(record):
    # A strong validator: If-Match compares strongly (RFC 9110 13.1.1), so W/ tags never match.
    return f'"{record.version}"'


def expected_version(request, record):
    """The version the client last saw, from `If-Match`; None when it sent no `If-Match`.

    Refuses at once (412) when no listed tag matches the current version; the update service
    compares again under the row lock, so a change in between still gives 412.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        return None
    if etag_for(record) not in tags:
        raise PreconditionFailed()
    return record.version
