"""Building BigCommerce ``signed_payload_jwt`` values the way the control panel does (callbacks.mdx)."""

from __future__ import annotations

import uuid
import warnings
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from app.clock import utcnow

OWNER_ID = 7
OWNER_EMAIL = "owner@example.com"


def signed_payload_claims(
    store_hash: str, client_id: str, *, user_id: int = OWNER_ID, **overrides: Any
) -> dict[str, Any]:
    now = int(utcnow().timestamp())
    claims: dict[str, Any] = {
        "aud": client_id,
        "iss": "bc",
        "iat": now,
        # As in BigCommerce's own examples: nbf five seconds before iat, exp a day after.
        "nbf": now - 5,
        "exp": now + 86400,
        "jti": str(uuid.uuid4()),
        "sub": f"stores/{store_hash}",
        "user": {
            "id": user_id,
            "email": OWNER_EMAIL if user_id == OWNER_ID else f"user{user_id}@example.com",
            "locale": "en-US",
        },
        "owner": {"id": OWNER_ID, "email": OWNER_EMAIL},
        "url": "/",
        "channel_id": None,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None or k == "channel_id"}


def make_signed_payload(
    store_hash: str, client_id: str, secret: str, *, algorithm: str = "HS256", **overrides: Any
) -> str:
    """A payload for ``store_hash``; ``overrides`` replace claims (None removes one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(
            signed_payload_claims(store_hash, client_id, **overrides), secret, algorithm=algorithm
        )
