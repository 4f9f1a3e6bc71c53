"""``SyncRun`` rows: a sync's progress, its checkpoint, and who is working on it.

A run is worked on by at most one process at a time, under a lease kept in the row itself:
``status = RUNNING`` with an ``updated_at`` that the holder rewrites at every checkpoint. Every
write of the holder is conditional on the ``updated_at`` it last wrote, so a holder that stalled
past ``STALE_AFTER`` (and was replaced) finds out at its next checkpoint (``LeaseLost``) instead
of writing over its successor. A slice that stops early hands the run back as ``PENDING``.

So a run says what to do next: PENDING (or RUNNING with a stale ``updated_at``: its worker died)
is waiting for a job; the resume cron queues one (``jobs.sync.resume_syncs``). The checkpoint
(``cursor``) is a small JSON document: the page cursor, how far a bulk file was read (``done``),
and the newest ``updated_at`` imported, from which the high-water mark is set when the run ends.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Shop, SyncKind, SyncRun, SyncStatus

# Longer than any pause between two checkpoints of a live worker (a slow page, a bulk poll).
STALE_AFTER = timedelta(minutes=10)
# Backfill order: customers first, so that orders link to real customers, not placeholders.
BACKFILL_RESOURCES = ("customers", "orders")
RECONCILE_RESOURCE = "changes"  # one reconcile row per shop, reused run after run
UNFINISHED = (SyncStatus.PENDING, SyncStatus.RUNNING)
_TICK = timedelta(microseconds=1)


class LeaseLost(Exception):
    """Another worker took over this run (ours stalled past ``STALE_AFTER``): stop, write nothing."""


@dataclass(frozen=True)
class Checkpoint:
    after: str | None = None  # the page cursor to continue from
    newest: datetime | None = None  # the newest updated_at this run imported
    phase: str | None = None  # bulk: "partial" while reading a failed export's partial data
    since: datetime | None = None  # reconcile: changes at or after this were asked for
    resource: str | None = None  # reconcile: the listing being read
    newest_by: Mapping[str, datetime] = field(default_factory=dict)  # reconcile: per listing

    def encode(self) -> str:
        data: dict[str, Any] = {
            "after": self.after,
            "newest": _iso(self.newest),
            "phase": self.phase,
            "since": _iso(self.since),
            "resource": self.resource,
            "newest_by": {name: stamp.isoformat() for name, stamp in self.newest_by.items()},
        }
        return json.dumps({key: value for key, value in data.items() if value})

    @classmethod
    def decode(cls, text: str | None) -> Checkpoint:
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        newest_by = data.get("newest_by")
        return cls(
            after=data.get("after") if isinstance(data.get("after"), str) else None,
            newest=_parse(data.get("newest")),
            phase=data.get("phase") if isinstance(data.get("phase"), str) else None,
            since=_parse(data.get("since")),
            resource=data.get("resource") if isinstance(data.get("resource"), str) else None,
            newest_by={
                name: stamp
                for name, value in (newest_by.items() if isinstance(newest_by, dict) else ())
                if (stamp := _parse(value)) is not None
            },
        )

    def seen(self, stamps: list[datetime | None]) -> Checkpoint:
        """This checkpoint with ``newest`` moved up to the newest of ``stamps``."""
        present = [stamp for stamp in stamps if stamp is not None]
        if not present:
            return self
        top = max(present)
        return replace(self, newest=top if self.newest is None or top > self.newest else self.newest)


@dataclass(frozen=True)
class Lease:
    run_id: int
    stamp: datetime  # the updated_at the holder last wrote


def next_stamp(after: datetime | None = None) -> datetime:
    """Now, strictly after ``after``: two checkpoints within one microsecond stay distinct."""
    now = utcnow()
    return now if after is None or now > after else after + _TICK


async def claim(run_id: int, *, reopen_finished: bool = False) -> tuple[Lease, SyncStatus] | None:
    """Take the run if nobody is working on it: ``(lease, status it had)``, or None.

    ``reopen_finished``: a finished run may be started again (the reconcile reuses its row)."""
    before = await SyncRun.filter(id=run_id).first().values("status")
    if before is None:
        return None
    stamp = next_stamp()
    free = Q(status=SyncStatus.PENDING) | Q(status=SyncStatus.RUNNING, updated_at__lt=stamp - STALE_AFTER)
    if reopen_finished:
        free |= Q(status__in=[SyncStatus.SUCCEEDED, SyncStatus.FAILED])
    taken = await SyncRun.filter(Q(id=run_id) & free).update(status=SyncStatus.RUNNING, updated_at=stamp)
    return (Lease(run_id, stamp), SyncStatus(before["status"])) if taken else None


async def save(lease: Lease, **fields: Any) -> Lease:
    """Write ``fields`` (progress, checkpoint) as the holder; raises ``LeaseLost`` if not."""
    stamp = next_stamp(lease.stamp)
    if "cursor" in fields and isinstance(fields["cursor"], Checkpoint):
        fields["cursor"] = fields["cursor"].encode()
    taken = await SyncRun.filter(id=lease.run_id, status=SyncStatus.RUNNING, updated_at=lease.stamp).update(
        updated_at=stamp, **fields
    )
    if not taken:
        raise LeaseLost(f"sync run {lease.run_id} was taken over")
    return Lease(lease.run_id, stamp)


async def release(lease: Lease, *, error: str | None = None) -> Lease:
    """Hand the run back (PENDING) for the next slice; ``error`` says why, when it is a failure
    that will be retried."""
    return await save(lease, status=SyncStatus.PENDING, error=error)


async def finish(lease: Lease, **fields: Any) -> None:
    await save(lease, status=SyncStatus.SUCCEEDED, finished_at=utcnow(), error=None, **fields)


async def fail(lease: Lease, error: str) -> None:
    await save(lease, status=SyncStatus.FAILED, finished_at=utcnow(), error=error[:2000])


async def hand_back_held(shop_id: int, kind: SyncKind, *, error: str | None) -> None:
    """For the jobs' error mapping: the shop's RUNNING runs of ``kind`` (the one the failing job
    held: a lease admits one holder) go back to PENDING, with the error shown until it clears."""
    await SyncRun.filter(shop_id=shop_id, kind=kind, status=SyncStatus.RUNNING).update(
        status=SyncStatus.PENDING, updated_at=next_stamp(), error=error[:2000] if error else None
    )


async def fail_held(shop_id: int, kind: SyncKind, error: str) -> None:
    """For the jobs' error mapping: a permanent failure ends the run that was being worked on."""
    now = next_stamp()
    await SyncRun.filter(shop_id=shop_id, kind=kind, status=SyncStatus.RUNNING).update(
        status=SyncStatus.FAILED, updated_at=now, finished_at=now, error=error[:2000]
    )


async def unfinished_backfill(shop_id: int) -> list[SyncRun]:
    runs = await SyncRun.filter(shop_id=shop_id, kind=SyncKind.BACKFILL, status__in=UNFINISHED)
    return sorted(runs, key=lambda run: (_resource_rank(run.resource), run.id))


async def request_backfill(shop_id: int) -> list[SyncRun]:
    """The shop's unfinished backfill, or a new one (PENDING runs for customers, then orders).

    Under the shop's row lock, so that two requests at once (install and CLI) start one backfill."""
    async with in_transaction():
        await Shop.select_for_update().get(id=shop_id)
        runs = await unfinished_backfill(shop_id)
        if runs:
            return runs
        for resource in BACKFILL_RESOURCES:
            await SyncRun.create(shop_id=shop_id, kind=SyncKind.BACKFILL, resource=resource)
        return await unfinished_backfill(shop_id)


async def reconcile_run(shop_id: int) -> SyncRun:
    run = await SyncRun.filter(shop_id=shop_id, kind=SyncKind.RECONCILE).order_by("id").first()
    if run is None:
        run = await SyncRun.create(
            shop_id=shop_id, kind=SyncKind.RECONCILE, resource=RECONCILE_RESOURCE, status=SyncStatus.SUCCEEDED
        )
    return run


def resume_key(run_id: int, stamp: datetime) -> str:
    """Names the job that continues a run from the state stamped ``stamp``: a continuation queued
    by the slice that stopped and one queued by the resume cron for the same state share it."""
    return f"{run_id}-{int(stamp.timestamp() * 1_000_000)}"


def _resource_rank(resource: str) -> int:
    return BACKFILL_RESOURCES.index(resource) if resource in BACKFILL_RESOURCES else len(BACKFILL_RESOURCES)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
