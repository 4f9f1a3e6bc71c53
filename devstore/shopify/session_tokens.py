"""Session tokens (App Bridge ID tokens): issued by the admin, verified by the token endpoint.

An HS256 JWT signed with the app's client secret, valid for a minute::

    iss https://{shop}/admin   dest https://{shop}   aud client id   sub staff user id
    exp, nbf, iat   jti (unique)   sid (the admin session)
"""

from __future__ import annotations

import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from devstore.shopify.registration import AppRegistration
from devstore.shopify.staff import StaffUser

ALGORITHM = "HS256"
LIFETIME_SECONDS = 60
# Shopify's libraries allow 10 s of clock skew either way; the token endpoint does the same.
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid")


def issue_session_token(shop_domain: str, app: AppRegistration, user: StaffUser, now: datetime) -> str:
    issued = int(now.timestamp())
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": app.client_id,
        "sub": str(user.id),
        "exp": issued + LIFETIME_SECONDS,
        "nbf": issued,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "sid": user.session_id,
    }
    with warnings.catch_warnings():
        # The dev client secret is shorter than PyJWT would like; Shopify's choice, not ours.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, app.client_secret, algorithm=ALGORITHM)


@dataclass(frozen=True, slots=True)
class VerifiedSessionToken:
    user_id: int
    claims: dict[str, Any]


def verify_session_token(
    token: str, shop_domain: str, app: AppRegistration, now: datetime
) -> VerifiedSessionToken | str:
    """The verified token, or why it is refused (a short description for ``error_description``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            claims: dict[str, Any] = jwt.decode(
                token,
                app.client_secret,
                algorithms=[ALGORITHM],
                audience=app.client_id,
                # Times are checked below against the caller's clock, so that tests can move it.
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
    except jwt.InvalidAudienceError:
        return "the session token is for another app"
    except jwt.MissingRequiredClaimError as exc:
        return f"the session token has no {exc.claim} claim"
    except jwt.PyJWTError:
        return "the session token is malformed or not signed with the app's client secret"
    timestamp = now.timestamp()
    exp, nbf = claims["exp"], claims["nbf"]
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in (exp, nbf)):
        return "the session token's exp and nbf must be numbers"
    if timestamp > exp + LEEWAY_SECONDS:
        return "the session token has expired"
    if timestamp < nbf - LEEWAY_SECONDS:
        return "the session token is not valid yet"
    if claims["dest"] != f"https://{shop_domain}" or claims["iss"] != f"https://{shop_domain}/admin":
        return "the session token is for another shop"
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub.isdigit():
        return "the session token's sub is not a staff user id"
    return VerifiedSessionToken(user_id=int(sub), claims=claims)
