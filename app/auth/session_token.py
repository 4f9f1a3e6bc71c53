"""Shopify session tokens (App Bridge ID tokens): verify one and say who it is for, or why not.

A session token is an HS256 JWT signed with the app's client secret (or, while rotating, the old
one), ``aud`` = the client id, valid for a minute. Its ``iss`` (``https://{shop}/admin``) and
``dest`` (``https://{shop}``) must name the same valid shop; ``sub`` is the staff user.
The check returns a result; the HTTP layer decides what to answer.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from app.clock import utcnow
from connectors.shopify.shop_domain import is_shop_domain

ALGORITHM = "HS256"
# App Bridge sends tokens whose nbf is a little in the future; Shopify's libraries allow 10 s.
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf")


class Failure(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    WRONG_ALGORITHM = "wrong_algorithm"
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    MISSING_CLAIM = "missing_claim"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_ISSUER = "bad_issuer"
    MISMATCHED_HOSTS = "mismatched_hosts"


@dataclass(frozen=True)
class SessionTokenCheck:
    """``ok`` with the shop domain, staff user id and session id; otherwise ``failure``."""

    ok: bool
    shop: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    failure: Failure | None = None

    @classmethod
    def failed(cls, failure: Failure) -> SessionTokenCheck:
        return cls(ok=False, failure=failure)


def verify_session_token(
    token: str | None, *, api_key: str, secrets: Sequence[str], now: datetime | None = None
) -> SessionTokenCheck:
    """Verify ``token`` against each of ``secrets`` (current first) for audience ``api_key``."""
    if not token:
        return SessionTokenCheck.failed(Failure.MISSING)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        return SessionTokenCheck.failed(Failure.MALFORMED)
    if header.get("alg") != ALGORITHM:
        return SessionTokenCheck.failed(Failure.WRONG_ALGORITHM)

    claims = _decode(token, api_key, [s for s in secrets if s])
    if isinstance(claims, Failure):
        return SessionTokenCheck.failed(claims)

    timing = _check_times(claims, now or utcnow())
    if timing is not None:
        return SessionTokenCheck.failed(timing)

    iss_host = _host(claims["iss"])
    dest_host = _host(claims["dest"])
    if iss_host is None or not is_shop_domain(iss_host):
        return SessionTokenCheck.failed(Failure.BAD_ISSUER)
    if dest_host != iss_host:
        return SessionTokenCheck.failed(Failure.MISMATCHED_HOSTS)
    sub, sid = claims["sub"], claims.get("sid")
    if not isinstance(sub, str) or not sub:
        return SessionTokenCheck.failed(Failure.MISSING_CLAIM)
    return SessionTokenCheck(
        ok=True, shop=dest_host, user_id=sub, session_id=sid if isinstance(sid, str) else None
    )


def _decode(token: str, api_key: str, secrets: Sequence[str]) -> dict[str, Any] | Failure:
    # exp/nbf are checked by _check_times against app.clock, so that moving the clock (tests, the
    # devstore's time travel) moves session-token validity with it.
    options: Any = {"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_nbf": False}
    for secret in secrets:
        try:
            with warnings.catch_warnings():
                # Shopify chooses the secret's length, not us; PyJWT's advice cannot be acted on.
                warnings.simplefilter("ignore", InsecureKeyLengthWarning)
                claims: dict[str, Any] = jwt.decode(
                    token, secret, algorithms=[ALGORITHM], audience=api_key, options=options
                )
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidAudienceError:
            return Failure.WRONG_AUDIENCE
        except jwt.MissingRequiredClaimError:
            return Failure.MISSING_CLAIM
        except jwt.InvalidAlgorithmError:
            return Failure.WRONG_ALGORITHM
        except jwt.PyJWTError:
            return Failure.MALFORMED
        return claims
    return Failure.BAD_SIGNATURE


def _check_times(claims: dict[str, Any], now: datetime) -> Failure | None:
    exp, nbf = claims["exp"], claims["nbf"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (exp, nbf)):
        return Failure.MALFORMED
    timestamp = now.timestamp()
    if timestamp > exp + LEEWAY_SECONDS:
        return Failure.EXPIRED
    if timestamp < nbf - LEEWAY_SECONDS:
        return Failure.NOT_YET_VALID
    return None


def _host(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.port is not None or parts.username or parts.password:
            return None
    except ValueError:
        return None
    return parts.hostname
