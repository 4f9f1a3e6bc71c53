"""BigCommerce refinements of the connector error tree (still ``connectors.errors`` classes, so the
jobs map them in their one place without knowing BigCommerce)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import Permanent
from connectors.values import mapping, mappings, text


class NotFound(Permanent):
    """404: the store has no such resource (a deleted order, a hook removed on uninstall)."""


def error_reasons(body: object) -> tuple[str, ...]:
    """The messages of an error body, in BigCommerce's words, whichever of its shapes it has:

    - v3: ``{"status", "title", "type", "errors": {field: message}}`` (fact sheet 2.5);
    - v3 refunds: ``{"data": [{"status", "title"}]}`` and ``{"data": [{"error": ...}]}``;
    - v2: ``[{"status": 400, "message": "..."}]`` [unverified: the common v2 shape, not in the
      fact sheet].
    """
    entries: list[Mapping[str, Any]]
    if isinstance(body, list):
        entries = mappings(body)
    elif isinstance(body, Mapping) and isinstance(body.get("data"), list):
        entries = mappings(body["data"])
    else:
        entries = [mapping(body)]
    reasons: list[str] = []
    for entry in entries:
        for key in ("title", "message", "error"):
            if said := text(entry.get(key)).strip():
                reasons.append(said)
                break
        for field, detail in mapping(entry.get("errors")).items():
            if isinstance(detail, str) and detail.strip():
                reasons.append(f"{field}: {detail.strip()}")
    return tuple(dict.fromkeys(reasons))  # unique, in order
