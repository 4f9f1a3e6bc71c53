"""The Shopify client secrets that may have signed something sent to us."""

from __future__ import annotations

from app.settings import Settings


def client_secrets(settings: Settings) -> tuple[str, ...]:
    """The current secret, then ``SHOPIFY_API_SECRET_OLD`` while a rotation is under way."""
    current = str(settings.shopify_api_secret)
    old = str(settings.shopify_api_secret_old) if settings.shopify_api_secret_old else ""
    return tuple(secret for secret in (current, old) if secret)
