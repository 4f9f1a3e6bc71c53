"""Finding our refund among the platform's: the idempotency key travels in the refund's note.

Shopify's ``refundCreate`` takes no idempotency key (fact sheet 6.1; the ``@idempotent``
directive is [unverified] for it), so the note carries ``[aftercare:KEY]``. A refund found with
our marker is ours, whoever saw it first (the job after a timeout, or a refunds/create webhook).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from connectors.base import RefundRecord

MARKER = re.compile(r"\[aftercare:(rf_[0-9a-f]{16,48})\]")
# Clocks differ between us and the platform: a refund a little "before" the intent may be ours.
CLOCK_SKEW = timedelta(minutes=5)


def idempotency_key(shop_id: int, order_id: int, nonce: str) -> str:
    """The same confirm (shop, order, the form's nonce) always gives the same key."""
    digest = hashlib.sha256(f"{shop_id}:{order_id}:{nonce}".encode()).hexdigest()
    return f"rf_{digest[:40]}"


def note_with_marker(note: str, key: str) -> str:
    return f"{note} [aftercare:{key}]".strip()


def key_in_note(note: str | None) -> str | None:
    found = MARKER.search(note or "")
    return found.group(1) if found else None


def find_ours(
    refunds: Sequence[RefundRecord],
    key: str,
    *,
    known_platform_ids: set[str],
    amount: object = None,
    lines: dict[str, int] | None = None,
    after: datetime | None = None,
) -> RefundRecord | None:
    """Ours by marker; failing that, one we do not already hold with the same amount and lines,
    created after the intent (in case a note was edited on the platform). A false match can only
    keep us from refunding, never make us refund twice."""
    for refund in refunds:
        if key_in_note(refund.note) == key:
            return refund
    if amount is None or lines is None or after is None:
        return None
    for refund in refunds:
        if refund.platform_id in known_platform_ids or refund.created_at is None:
            continue
        refund_lines = {line.line_item_id: line.quantity for line in refund.lines}
        if refund.amount == amount and refund_lines == lines and refund.created_at >= after - CLOCK_SKEW:
            return refund
    return None
