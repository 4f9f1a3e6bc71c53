"""Building Shopify session tokens (App Bridge ID tokens) the way the admin does."""

from __future__ import annotations

import uuid
import warnings
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from app.clock import utcnow


def session_token_claims(shop: str, api_key: str, *, sub: str = "42", **overrides: Any) -> dict[str, Any]:
    now = int(utcnow().timestamp())
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": sub,
        "exp": now + 60,
        "nbf": now - 5,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": "sess-1",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def make_session_token(
    shop: str, api_key: str, secret: str, *, algorithm: str = "HS256", **overrides: Any
) -> str:
    """An HS256 session token for ``shop``; ``overrides`` replace claims (None removes one)."""
    with warnings.catch_warnings():
        # The dev client secret is shorter than PyJWT likes; Shopify's may be too.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(session_token_claims(shop, api_key, **overrides), secret, algorithm=algorithm)
