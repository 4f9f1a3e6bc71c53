"""Which of two versions of a platform record is newer: the rule every upsert obeys.

A version is the platform's ``updated_at`` and, for a webhook, ``X-Shopify-Triggered-At``
(``WebhookEvent.triggered_at``). Rules, in order (DESIGN invariant 2):

1. a stored row with no stamp (a placeholder, or a row written from a stamp-less source) takes
   anything;
2. the incoming stamp (``updated_at``, else ``triggered_at``) is compared with the stored
   ``platform_updated_at``: older is skipped, newer applied;
3. equal stamps (Shopify's REST ``updated_at`` has whole seconds, so two changes in one second
   share one) are broken by trigger time: a webhook is skipped when a delivery about the same
   resource with the same or a later stamp was triggered after it (``later_delivery_exists``).
   Reads from the API carry no trigger time and are applied: they show the state at read time.

A version with no stamp at all (neither ``updated_at`` nor ``triggered_at``) is applied only over a
placeholder: there is nothing to say it is newer than what is stored.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from app.models import WebhookEvent, WebhookStatus
from app.services.sync.rows import Applied

# A later delivery of the same stamp is triggered within moments of the change that set it:
# only deliveries triggered up to this long after the stamp are looked at.
TIE_WINDOW = timedelta(minutes=5)


class Verdict(enum.Enum):
    APPLY = "apply"
    STALE = "stale"  # older than what is stored: skipped
    TIE = "tie"  # the same stamp: apply unless a later delivery of it exists


@dataclass(frozen=True, slots=True)
class Version:
    updated_at: datetime | None
    triggered_at: datetime | None = None  # None for reads from the API

    @property
    def stamp(self) -> datetime | None:
        return self.updated_at or self.triggered_at


def judge(stored: datetime | None, incoming: Version) -> Verdict:
    if stored is None:
        return Verdict.APPLY
    stamp = incoming.stamp
    if stamp is None or stamp < stored:
        return Verdict.STALE
    if stamp > stored:
        return Verdict.APPLY
    return Verdict.TIE


def newest(*stamps: datetime | None) -> datetime | None:
    present = [stamp for stamp in stamps if stamp is not None]
    return max(present) if present else None


async def later_delivery_exists(
    shop_id: int, topics: Iterable[str], resource_id: str, version: Version, *, id_key: str = "id"
) -> bool:
    """True when a delivery on ``topics`` about ``resource_id`` (its ``payload[id_key]``), stamped
    at or after ``version``, was triggered after ``version`` and has been (or is being) recorded.

    Only called on ties. The query reads deliveries received since this one was triggered, through
    the (status, received_at) index, so its cost follows the shop's recent traffic."""
    if version.triggered_at is None or version.stamp is None:
        return False
    triggered = version.triggered_at
    rows = await WebhookEvent.filter(
        status__in=[WebhookStatus.RECEIVED, WebhookStatus.PROCESSED],
        # Our clock and Shopify's may disagree a little; the window absorbs that.
        received_at__gt=triggered - TIE_WINDOW,
        shop_id=shop_id,
        topic__in=list(topics),
        triggered_at__gt=triggered,
        triggered_at__lte=max(triggered, version.stamp) + TIE_WINDOW,
    ).values_list("payload", flat=True)
    return any(_about(payload, resource_id, id_key, version.stamp) for payload in rows)


def _about(payload: Any, resource_id: str, id_key: str, stamp: datetime) -> bool:
    if not isinstance(payload, Mapping) or str(payload.get(id_key)) != resource_id:
        return False
    updated_at = payload.get("updated_at")
    if not isinstance(updated_at, str):
        return True  # a stamp-less delivery triggered later: it is the later word
    try:
        other = datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
    except ValueError:
        return True
    return other.tzinfo is None or other >= stamp


class Tombstoned(Protocol):
    """A mirrored row that can be deleted (customer, order)."""

    deleted_at: datetime | None
    platform_updated_at: datetime | None


async def write_verdict(
    shop_id: int, row: Tombstoned, platform_id: str, version: Version, topics: Iterable[str]
) -> Applied:
    """UPDATED when ``version`` may be written over ``row``, else why not: a tombstone newer than
    it (DELETED), an older stamp (STALE), or a tie that a later delivery on ``topics`` wins."""
    if row.deleted_at is not None and (version.stamp is None or version.stamp <= row.deleted_at):
        return Applied.DELETED
    verdict = judge(row.platform_updated_at, version)
    if verdict is Verdict.STALE:
        return Applied.STALE
    if verdict is Verdict.TIE and await later_delivery_exists(shop_id, topics, platform_id, version):
        return Applied.STALE
    return Applied.UPDATED
