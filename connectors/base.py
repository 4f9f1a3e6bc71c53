"""Data shapes shared by every connector (platform-neutral, plain frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint granted. ``expires_at`` is None for a non-expiring token, and
    ``refresh_token`` is None when there is nothing to refresh with."""

    access_token: str = field(repr=False)
    scope: str
    expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_at: datetime | None = None
