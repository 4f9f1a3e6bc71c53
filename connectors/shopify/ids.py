"""Shopify ids: GraphQL speaks GIDs (``gid://shopify/Order/123``); we store the numeric tail.

The numeric id is what REST webhook payloads carry in ``id`` (beside ``admin_graphql_api_id``),
so rows written by a sync and rows written by a webhook meet on one natural key, and ids stay
short and readable in URLs and logs. ``to_gid`` turns one back for a GraphQL call.
"""

from __future__ import annotations

GID_PREFIX = "gid://shopify/"


def gid_type(gid: str) -> str:
    """``"Order"`` for ``gid://shopify/Order/123``; ``""`` for anything that is not a Shopify GID."""
    if not gid.startswith(GID_PREFIX):
        return ""
    return gid[len(GID_PREFIX) :].split("/", 1)[0]


def numeric_id(gid: str) -> str:
    """``"123"`` for ``gid://shopify/Order/123`` (or ``.../Order/123?key=value``).

    A value that is already a bare id is returned as is, so REST ids pass through unchanged."""
    if not gid.startswith(GID_PREFIX):
        return gid
    tail = gid.rsplit("/", 1)[-1]
    return tail.split("?", 1)[0]


def optional_numeric_id(gid: object) -> str | None:
    return numeric_id(gid) if isinstance(gid, str) and gid else None


def to_gid(resource: str, platform_id: str) -> str:
    """``to_gid("Order", "123")`` -> ``"gid://shopify/Order/123"``; a GID passes through unchanged."""
    if platform_id.startswith(GID_PREFIX):
        return platform_id
    return f"{GID_PREFIX}{resource}/{platform_id}"
