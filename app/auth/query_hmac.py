"""The HMAC Shopify puts on the query strings it sends (install requests, OAuth callbacks).

Algorithm (Shopify/shopify_python_api ``Session.calculate_hmac``): drop ``hmac``; turn ``k[]``
keys into ``k=["a", "b"]``; escape ``%`` and ``&`` (and ``=`` in keys) so no pair can be forged
out of another; sort the ``k=v`` pairs; join with ``&``; HMAC-SHA256 with the client secret;
compare the lowercase hex digest in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence

HMAC_PARAM = "hmac"


def query_hmac(pairs: Iterable[tuple[str, str]], secret: str) -> str:
    """The hex HMAC Shopify would send with these query parameters."""
    message = _message_for_signature(pairs)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_query_hmac(pairs: Sequence[tuple[str, str]], secrets: Sequence[str]) -> bool:
    """True when the ``hmac`` parameter matches under one of ``secrets`` (current, then old)."""
    received = [value for key, value in pairs if key == HMAC_PARAM]
    if len(received) != 1 or not received[0]:
        return False
    expected = received[0].lower().encode()
    return any(
        hmac.compare_digest(query_hmac(pairs, secret).encode(), expected) for secret in secrets if secret
    )


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
        key, value = (
            (raw_key[:-2], json.dumps(raw_value)) if isinstance(raw_value, list) else (raw_key, raw_value)
        )
        key = key.replace("%", "%25").replace("=", "%3D")
        value = value.replace("%", "%25")
        encoded.append(f"{key}={value}".replace("&", "%26"))
    return "&".join(sorted(encoded))
