"""What one slice of a long sync reports back to the job that ran it.

Backfills and reconciles run in time slices (a few minutes each), so that no job holds a worker
for hours and a deploy or crash costs at most one slice: the checkpoint is in ``SyncRun``, and
the next slice — queued by the one that stopped, or by the resume cron — carries on from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# A slice stops at its next checkpoint after this long (well inside the jobs' timeouts).
SLICE_SECONDS = 240.0


class SliceState(enum.StrEnum):
    DONE = "done"  # nothing left to do
    MORE = "more"  # out of time: continue at once
    WAITING = "waiting"  # the platform is preparing something (a bulk export): continue later
    BUSY = "busy"  # another worker holds the run
    STOPPED = "stopped"  # nothing to do for this shop now (inactive, or not ready)


@dataclass(frozen=True)
class SliceResult:
    state: SliceState
    resume_key: str | None = None  # names the continuation job (MORE, WAITING)
    wait: float = 0.0  # seconds before the continuation should run
    note: str = ""

    @property
    def continues(self) -> bool:
        return self.state in (SliceState.MORE, SliceState.WAITING)
