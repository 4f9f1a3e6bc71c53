"""The connector layer's one error tree; jobs and the HTTP layer each map it in one place.

- ``AuthError``: the platform refused our credentials (401, an invalid session token, a revoked
  token); ``RefreshTokenExpired`` means only a new install or token exchange can help.
- ``InvalidSignature``: a signed request or payload from the platform did not verify.
- ``RateLimited``: slow down; ``retry_after`` says for how long.
- ``Transient``: 5xx, timeouts, connection errors: the same call may succeed later.
- ``Permanent``: the platform said no (4xx, userErrors): retrying the same call will not help.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector failure; ``status`` is the platform's HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AuthError(ConnectorError):
    pass


class RefreshTokenExpired(AuthError):
    pass


class InvalidSignature(ConnectorError):
    pass


class RateLimited(ConnectorError):
    def __init__(self, message: str, *, retry_after: float, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class Transient(ConnectorError):
    pass


class Permanent(ConnectorError):
    """``reasons``: what the platform said, in its words, for showing to a person (a refused
    refund's messages); empty when there is nothing better than ``message``."""

    def __init__(self, message: str, *, status: int | None = None, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message, status=status)
        self.reasons = reasons


__all__ = [
    "AuthError",
    "ConnectorError",
    "InvalidSignature",
    "Permanent",
    "RateLimited",
    "RefreshTokenExpired",
    "Transient",
]
