"""The two HMACs Shopify signs with the app's client secret.

- Query strings it sends the app (admin loads, OAuth callbacks): hex HMAC-SHA256 over the sorted
  ``key=value`` pairs without ``hmac``, with ``%``, ``&`` (and ``=`` in keys) escaped and
  ``k[]`` arrays as JSON, as Shopify/shopify_python_api ``Session.calculate_hmac`` computes it.
- Webhook bodies: base64 HMAC-SHA256 of the raw bytes, in ``X-Shopify-Hmac-Sha256``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable

HMAC_PARAM = "hmac"


def query_hmac(pairs: Iterable[tuple[str, str]], secret: str) -> str:
    message = _message_for_signature(pairs)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_query(pairs: Iterable[tuple[str, str]], secret: str) -> list[tuple[str, str]]:
    """``pairs`` with their ``hmac`` added, sorted by key the way Shopify lists them."""
    kept = [(k, v) for k, v in pairs if k != HMAC_PARAM]
    return sorted([*kept, (HMAC_PARAM, query_hmac(kept, secret))], key=lambda pair: pair[0])


def webhook_hmac(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _message_for_signature(pairs: Iterable[tuple[str, str]]) -> str:
    grouped: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key == HMAC_PARAM:
            continue
        if key.endswith("[]"):
            values = grouped.setdefault(key, [])
            if isinstance(values, list):
                values.append(value)
        else:
            grouped[key] = value
    encoded = []
    for raw_key, raw_value in grouped.items():
        if isinstance(raw_value, list):
            key, value = raw_key[:-2], json.dumps(raw_value)
        else:
            key, value = raw_key, raw_value
        key = key.replace("%", "%25").replace("=", "%3D")
        encoded.append(f"{key}={value.replace('%', '%25')}".replace("&", "%26"))
    return "&".join(sorted(encoded))
