from __future__ import annotations

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidSignature,
    Permanent,
    RateLimited,
    RefreshTokenExpired,
    Transient,
)


def test_one_tree_with_refresh_expiry_as_an_auth_error() -> None:
    for kind in (AuthError, InvalidSignature, Permanent, Transient, RateLimited):
        assert issubclass(kind, ConnectorError)
    assert issubclass(RefreshTokenExpired, AuthError)
    assert not issubclass(Transient, AuthError)


def test_rate_limited_says_when_to_retry() -> None:
    error = RateLimited("slow down", retry_after=4.5)
    assert error.retry_after == 4.5
    assert error.status == 429
