"""Small JSON values signed with ``SECRET_KEY``, each for one purpose, for cookies and URLs.

Format: ``base64url(json) "." base64url(HMAC-SHA256(SECRET_KEY, purpose + ":" + json))``. The
purpose is part of the MAC, so a value signed for one use (a URL token) is never accepted for
another (a cookie, a CSRF token). Values are readable by whoever holds them: sign, do not hide.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


def sign(value: dict[str, Any], *, key: str, purpose: str) -> str:
    payload = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return f"{b64url(payload)}.{b64url(mac(payload, key=key, purpose=purpose))}"


def unsign(token: str | None, *, key: str, purpose: str) -> dict[str, Any] | None:
    """The value if ``token`` was signed by us for ``purpose``; None otherwise."""
    if not token or token.count(".") != 1:
        return None
    encoded_payload, encoded_mac = token.split(".")
    try:
        payload, received = _unb64(encoded_payload), _unb64(encoded_mac)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(received, mac(payload, key=key, purpose=purpose)):
        return None
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def mac(data: bytes, *, key: str, purpose: str) -> bytes:
    return hmac.new(key.encode(), purpose.encode() + b":" + data, hashlib.sha256).digest()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
