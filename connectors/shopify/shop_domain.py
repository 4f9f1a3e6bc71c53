"""What counts as a Shopify shop domain (``{name}.myshopify.com``), as Shopify's own libraries decide.

Every shop domain that comes from outside (a query string, a JWT claim) goes through
``sanitize_shop_domain`` before it is used in a URL, a header or a query.
"""

from __future__ import annotations

import re

MYSHOPIFY_SUFFIX = ".myshopify.com"
# Shopify/shopify_python_api shopify/utils/shop_url.py HOSTNAME_PATTERN, anchored at both ends.
SHOP_DOMAIN_RE = re.compile(r"\A[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com\Z")
_SCHEME_RE = re.compile(r"\Ahttps?://", re.IGNORECASE)


def sanitize_shop_domain(value: str | None) -> str | None:
    """``"{name}.myshopify.com"`` (lowercased, scheme and trailing slash removed), or None."""
    if not value:
        return None
    candidate = _SCHEME_RE.sub("", value.strip()).rstrip("/").lower()
    return candidate if SHOP_DOMAIN_RE.match(candidate) else None


def is_shop_domain(value: str) -> bool:
    """Exactly a valid shop domain, with nothing to clean up."""
    return SHOP_DOMAIN_RE.match(value) is not None


def shop_name(domain: str) -> str:
    """``"{name}"`` of ``"{name}.myshopify.com"``: the store handle in admin.shopify.com URLs."""
    return domain.removesuffix(MYSHOPIFY_SUFFIX)
