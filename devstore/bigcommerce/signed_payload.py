"""``signed_payload_jwt``: what the control panel sends to the load, uninstall and remove_user callbacks.

An HS256 JWT signed with the app's client secret (fact sheet §1.3)::

    aud client id   iss "bc"   iat now   nbf iat - 5   exp nbf + 24 h   jti UUID
    sub stores/{hash}   user {id, email, locale}   owner {id, email}   url   channel_id

``nbf`` five seconds before ``iat`` is what BigCommerce's own examples show (the docs' table says
they are equal); it is what makes a verifier without leeway for ``nbf`` fail, as it must not.
"""

from __future__ import annotations

import uuid
import warnings
from datetime import datetime
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from devstore.bigcommerce.registration import BigCommerceApp
from devstore.bigcommerce.users import StoreUser, owner_of
from devstore.models import Shop

ALGORITHM = "HS256"
NBF_SKEW_SECONDS = 5
LIFETIME_SECONDS = 24 * 3600


def payload_claims(
    app: BigCommerceApp,
    shop: Shop,
    user: StoreUser,
    now: datetime,
    *,
    url: str = "/",
    channel_id: int | None = None,
) -> dict[str, Any]:
    issued = int(now.timestamp())
    owner = owner_of(shop)
    return {
        "aud": app.client_id,
        "iss": "bc",
        "iat": issued,
        "nbf": issued - NBF_SKEW_SECONDS,
        "exp": issued - NBF_SKEW_SECONDS + LIFETIME_SECONDS,
        "jti": str(uuid.uuid4()),
        "sub": f"stores/{shop.domain}",
        "user": user.claims(),
        "owner": {"id": owner.id, "email": owner.email},
        "url": url,
        "channel_id": channel_id,
    }


def sign(claims: dict[str, Any], secret: str) -> str:
    with warnings.catch_warnings():
        # The dev client secret is shorter than PyJWT would like; BigCommerce's choice, not ours.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm=ALGORITHM)


def signed_payload_jwt(
    app: BigCommerceApp,
    shop: Shop,
    user: StoreUser,
    now: datetime,
    *,
    url: str = "/",
    channel_id: int | None = None,
) -> str:
    return sign(payload_claims(app, shop, user, now, url=url, channel_id=channel_id), app.client_secret)
