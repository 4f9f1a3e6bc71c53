"""BigCommerce's ``signed_payload_jwt`` (load, uninstall and remove_user callbacks): verify one and
say who and which store it is for, or why not.

The docs do not name the algorithm or key; both official clients verify an HMAC JWT keyed with the
app's client secret, ``aud`` = the client id (bigcommerce-api-python allows HS256 and HS512, so do
we). We also require ``iss`` = "bc", ``sub`` = ``stores/{hash}`` and a ``jti`` (the caller makes
it single-use). BigCommerce's own examples carry ``nbf = iat - 5`` and its clock is not ours, so
times are checked with ``LEEWAY_SECONDS`` either way. The check returns a result; the caller
decides what to answer.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

ALGORITHMS = ("HS256", "HS512")
ISSUER = "bc"
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ("aud", "iss", "iat", "exp", "sub", "jti", "user", "owner")
# A store hash is short and alphanumeric ("g5cd38"); anything else in ``sub`` is not a store.
_SUBJECT = re.compile(r"stores/([a-z0-9]{1,32})")


class PayloadFailure(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    WRONG_ALGORITHM = "wrong_algorithm"
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    MISSING_CLAIM = "missing_claim"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SUBJECT = "bad_subject"


@dataclass(frozen=True)
class BigCommerceUser:
    """A control-panel user as a callback or the token endpoint names them (ids as strings)."""

    id: str
    email: str = ""
    locale: str | None = None
    username: str = ""


@dataclass(frozen=True)
class SignedPayload:
    store_hash: str
    user: BigCommerceUser  # who triggered the callback (the owner, or another user of the store)
    owner: BigCommerceUser
    jti: str
    url: str  # "/" from the Apps menu, an entity path from an App Extension
    channel_id: int | None
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class PayloadCheck:
    ok: bool
    payload: SignedPayload | None = None
    failure: PayloadFailure | None = None

    @classmethod
    def failed(cls, failure: PayloadFailure) -> PayloadCheck:
        return cls(ok=False, failure=failure)


def verify_signed_payload(
    token: str | None, *, client_id: str, client_secret: str, now: datetime
) -> PayloadCheck:
    """Verify ``token`` for this app (``client_id``/``client_secret``) at ``now``."""
    if not token:
        return PayloadCheck.failed(PayloadFailure.MISSING)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        return PayloadCheck.failed(PayloadFailure.MALFORMED)
    if header.get("alg") not in ALGORITHMS:
        return PayloadCheck.failed(PayloadFailure.WRONG_ALGORITHM)

    claims = _decode(token, client_id, client_secret)
    if isinstance(claims, PayloadFailure):
        return PayloadCheck.failed(claims)
    if claims["iss"] != ISSUER:
        return PayloadCheck.failed(PayloadFailure.WRONG_ISSUER)
    timing = _check_times(claims, now)
    if timing is not None:
        return PayloadCheck.failed(timing)
    match = _SUBJECT.fullmatch(claims["sub"]) if isinstance(claims["sub"], str) else None
    if match is None:
        return PayloadCheck.failed(PayloadFailure.BAD_SUBJECT)

    user, owner, jti = _user(claims["user"]), _user(claims["owner"]), claims["jti"]
    if user is None or owner is None or not isinstance(jti, str) or not jti:
        return PayloadCheck.failed(PayloadFailure.MALFORMED)
    url, channel_id = claims.get("url"), claims.get("channel_id")
    return PayloadCheck(
        ok=True,
        payload=SignedPayload(
            store_hash=match.group(1),
            user=user,
            owner=owner,
            jti=jti,
            url=url if isinstance(url, str) and url else "/",
            channel_id=channel_id
            if isinstance(channel_id, int) and not isinstance(channel_id, bool)
            else None,
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        ),
    )


def _decode(token: str, client_id: str, client_secret: str) -> dict[str, Any] | PayloadFailure:
    # Times are checked by _check_times against the caller's ``now`` (the app's movable clock);
    # the issuer by the caller, so that a wrong one has its own reason.
    options: Any = {
        "require": list(REQUIRED_CLAIMS),
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
        "verify_iss": False,
    }
    try:
        with warnings.catch_warnings():
            # BigCommerce chooses the client secret's length, not us.
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            claims: dict[str, Any] = jwt.decode(
                token, client_secret, algorithms=list(ALGORITHMS), audience=client_id, options=options
            )
    except jwt.InvalidSignatureError:
        return PayloadFailure.BAD_SIGNATURE
    except jwt.InvalidAudienceError:
        return PayloadFailure.WRONG_AUDIENCE
    except jwt.MissingRequiredClaimError:
        return PayloadFailure.MISSING_CLAIM
    except jwt.InvalidAlgorithmError:
        return PayloadFailure.WRONG_ALGORITHM
    except jwt.PyJWTError:
        return PayloadFailure.MALFORMED
    return claims


def _is_time(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_times(claims: dict[str, Any], now: datetime) -> PayloadFailure | None:
    exp, iat, nbf = claims["exp"], claims["iat"], claims.get("nbf", claims["iat"])
    if not all(_is_time(v) for v in (exp, iat, nbf)):
        return PayloadFailure.MALFORMED
    timestamp = now.timestamp()
    if timestamp > exp + LEEWAY_SECONDS:
        return PayloadFailure.EXPIRED
    # iat too: a payload "issued" in the future is not yet valid, whatever its nbf says.
    if timestamp < max(nbf, iat) - LEEWAY_SECONDS:
        return PayloadFailure.NOT_YET_VALID
    return None


def _user(value: object) -> BigCommerceUser | None:
    if not isinstance(value, dict):
        return None
    user_id = value.get("id")
    if isinstance(user_id, bool) or not isinstance(user_id, int | str) or str(user_id) in {"", "0"}:
        return None
    email, locale = value.get("email"), value.get("locale")
    return BigCommerceUser(
        id=str(user_id),
        email=email if isinstance(email, str) else "",
        locale=locale if isinstance(locale, str) and locale else None,
        username=str(value.get("username") or ""),
    )
