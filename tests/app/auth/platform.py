"""Where the app's shared client sends Shopify's URLs in tests (``AFTERCARE_PLATFORM_URL``)."""

from __future__ import annotations

from tests.conftest import PLATFORM_URL


def token_url(shop: str) -> str:
    """``https://{shop}/admin/oauth/access_token``, routed to the stand-in."""
    return f"{PLATFORM_URL}/shopify/{shop}/admin/oauth/access_token"
