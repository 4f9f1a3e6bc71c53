"""The per-shop ``Content-Security-Policy: frame-ancestors`` that lets a shop's admin frame the app.

Shopify: never a wildcard (Shopify's review flags ``*``, ``https:`` and ``https://*.myshopify.com``).

BigCommerce documents no CSP. Its control panel is ``https://store-{hash}.mybigcommerce.com/manage``
(docs: unified-billing example queries), so a store's pages name that origin. INFERENCE, as in
``platform/bigcommerce.md`` §1.6: ``https://*.bigcommerce.com`` too, for BigCommerce's own hosts
(login.bigcommerce.com sits in the install flow). A page that names no verified store (a refused
callback) allows any store's control panel: it shows nothing of any store.

In development the devstore's admin frames the app too, so its origin is allowed as well.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.models import Platform, Shop
from app.settings import Settings
from connectors.shopify.shop_domain import is_shop_domain

SHOPIFY_ADMIN_ORIGIN = "https://admin.shopify.com"
BIGCOMMERCE_ORIGINS = "https://*.bigcommerce.com"
ANY_BIGCOMMERCE_STORE = "https://*.mybigcommerce.com"
HEADER = "Content-Security-Policy"
_STORE_HASH = re.compile(r"[a-z0-9]{1,32}")


def frame_ancestors(shop: str | None, settings: Settings) -> str:
    """The header value for ``shop`` (a validated shop domain), or for an unknown shop."""
    sources = []
    if shop and is_shop_domain(shop):
        sources.append(f"https://{shop}")
    sources.append(SHOPIFY_ADMIN_ORIGIN)
    return _header(sources, settings)


def bigcommerce_frame_ancestors(store_hash: str | None, settings: Settings) -> str:
    """The header value for a BigCommerce store (its hash), or for an unverified one."""
    if store_hash and _STORE_HASH.fullmatch(store_hash):
        sources = [f"https://store-{store_hash}.mybigcommerce.com"]
    else:
        sources = [ANY_BIGCOMMERCE_STORE]
    sources.append(BIGCOMMERCE_ORIGINS)
    return _header(sources, settings)


def admin_frame_ancestors(shop: Shop, settings: Settings) -> str:
    """For an authenticated admin response: the one place that asks the shop's platform."""
    if shop.platform == Platform.BIGCOMMERCE:
        return bigcommerce_frame_ancestors(shop.domain, settings)
    return frame_ancestors(shop.domain, settings)


def _header(sources: list[str], settings: Settings) -> str:
    if settings.platform_url:
        parts = urlsplit(settings.platform_url)
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return f"frame-ancestors {' '.join(sources)};"
