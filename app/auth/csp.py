"""The per-shop ``Content-Security-Policy: frame-ancestors`` that lets a shop's admin frame the app.

Never a wildcard (Shopify's review flags ``*``, ``https:`` and ``https://*.myshopify.com``). In
development the devstore's admin frames the app too, so its origin is allowed as well.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.settings import Settings
from connectors.shopify.shop_domain import is_shop_domain

SHOPIFY_ADMIN_ORIGIN = "https://admin.shopify.com"
HEADER = "Content-Security-Policy"


def frame_ancestors(shop: str | None, settings: Settings) -> str:
    """The header value for ``shop`` (a validated shop domain), or for an unknown shop."""
    sources = []
    if shop and is_shop_domain(shop):
        sources.append(f"https://{shop}")
    sources.append(SHOPIFY_ADMIN_ORIGIN)
    if settings.platform_url:
        parts = urlsplit(settings.platform_url)
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return f"frame-ancestors {' '.join(sources)};"
