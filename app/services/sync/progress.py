"""How far a sync has come, for the CLI's progress bar and the admin: done/total, rate, ETA."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from app.models import SyncRun

BAR_WIDTH = 24


@dataclass(frozen=True)
class Progress:
    resource: str
    status: str
    method: str
    done: int
    total: int | None
    elapsed: float  # seconds since the run started
    error: str | None = None

    @classmethod
    def of(cls, run: SyncRun, now: datetime) -> Progress:
        started = run.started_at
        return cls(
            resource=run.resource,
            status=str(run.status),
            method=run.method,
            done=run.done,
            total=run.total,
            elapsed=max(0.0, (now - started).total_seconds()) if started is not None else 0.0,
            error=run.error,
        )

    @property
    def rate(self) -> float | None:
        """Records per second since the start (None before there is anything to measure)."""
        return self.done / self.elapsed if self.done and self.elapsed > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, when there is a total and a rate."""
        rate = self.rate
        if rate is None or self.total is None:
            return None
        return max(0, self.total - self.done) / rate

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


def render(progress: Progress) -> str:
    """``orders   [#######.........]  1,234/10,000  12.3%  45.6/s  ETA 3m12s  (bulk)``"""
    fraction = progress.fraction
    filled = round(BAR_WIDTH * fraction) if fraction is not None else 0
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    total = f"{progress.total:,}" if progress.total is not None else "?"
    parts = [f"{progress.resource:<9} [{bar}]", f"{progress.done:,}/{total}"]
    if fraction is not None:
        parts.append(f"{100 * fraction:5.1f}%")
    if progress.rate is not None:
        parts.append(f"{progress.rate:,.1f}/s")
    if progress.eta is not None and progress.status == "running":
        parts.append(f"ETA {duration(progress.eta)}")
    parts.append(f"({progress.method}, {progress.status})")
    return "  ".join(parts)


def duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class ProgressPrinter:
    """Writes progress to a terminal: one line redrawn in place on a TTY; elsewhere (logs, CI) a
    line every ``every`` seconds and whenever the resource changes."""

    def __init__(
        self, out: TextIO, *, every: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.out = out
        self.tty = out.isatty()
        self.every = every if not self.tty else 0.2
        self.clock = clock
        self._last = -1e9
        self._resource: str | None = None
        self._width = 0

    def __call__(self, progress: Progress) -> None:
        now = self.clock()
        changed = progress.resource != self._resource
        if not changed and now - self._last < self.every:
            return
        if changed and self._resource is not None and self.tty:
            self.out.write("\n")
            self._width = 0
        self._last, self._resource = now, progress.resource
        line = render(progress)
        if self.tty:
            self.out.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        if self.tty and self._resource is not None:
            self.out.write("\n")
            self.out.flush()
        self._resource, self._width = None, 0
