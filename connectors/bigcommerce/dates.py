"""BigCommerce's two date spellings: v2 resources write RFC 2822 (``Wed, 05 Dec 2018 20:16:55 +0000``),
v3 resources ISO 8601; webhooks and hooks use UNIX seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from connectors.values import moment


def parse_moment(value: object) -> datetime | None:
    """An aware datetime from RFC 2822 or ISO 8601 text, or None when it is neither."""
    if not isinstance(value, str) or not value.strip():
        return None
    iso = moment(value)
    if iso is not None:
        return iso
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 2822's "-0000" means "UTC, local zone unknown"; Python answers it with a naive datetime.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def from_unix(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def filter_value(value: datetime) -> str:
    """A date for v2 ``min_date_modified`` and v3 ``date_modified:min``: ISO 8601 in UTC with its
    offset. v2 documents offsets (fact sheet 2.3); v3's examples have none (2.4), and that it
    accepts one is [unverified] — chosen anyway, because a zone-less time the store read as its
    local time would silently skip hours of changes, where a refused filter fails loudly (422).
    A naive datetime is taken as UTC."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).isoformat()
