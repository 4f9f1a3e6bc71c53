"""The OAuth ``state`` nonce, kept in a signed cookie that binds it to the browser and the shop.

Format: ``base64url(json{state, shop, iat}) "." base64url(HMAC-SHA256(SECRET_KEY, purpose + payload))``.
The cookie is first-party (the auth-code grant runs top-level, outside the admin's iframe).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

COOKIE_NAME = "aftercare_oauth_state"
COOKIE_PATH = "/auth"
MAX_AGE_SECONDS = 600
_PURPOSE = b"aftercare.oauth-state.v1:"


@dataclass(frozen=True)
class OAuthState:
    state: str
    shop: str


def new_state() -> str:
    return secrets.token_urlsafe(32)


def sign_state(value: OAuthState, *, key: str, now: datetime) -> str:
    payload = json.dumps(
        {"state": value.state, "shop": value.shop, "iat": int(now.timestamp())}, separators=(",", ":")
    ).encode()
    return f"{_b64(payload)}.{_b64(_mac(payload, key))}"


def read_state(cookie: str | None, *, key: str, now: datetime) -> OAuthState | None:
    """The state in a cookie we signed less than ``MAX_AGE_SECONDS`` ago, or None."""
    if not cookie or cookie.count(".") != 1:
        return None
    encoded_payload, encoded_mac = cookie.split(".")
    try:
        payload = _unb64(encoded_payload)
        mac = _unb64(encoded_mac)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(mac, _mac(payload, key)):
        return None
    try:
        data = json.loads(payload)
        state, shop, issued = data["state"], data["shop"], data["iat"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(state, str) or not isinstance(shop, str) or not isinstance(issued, int):
        return None
    if not 0 <= now.timestamp() - issued <= MAX_AGE_SECONDS:
        return None
    return OAuthState(state=state, shop=shop)


def states_match(expected: str, received: str) -> bool:
    return hmac.compare_digest(expected.encode(), received.encode())


def _mac(payload: bytes, key: str) -> bytes:
    return hmac.new(key.encode(), _PURPOSE + payload, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
