"""Realistic Shopify token-endpoint payloads (fact sheet section 9.1)."""

from __future__ import annotations

from typing import Any

SHOP = "test-shop.myshopify.com"
API_KEY = "test-client-id"
API_SECRET = "test-client-secret"
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"

EXPIRING_OFFLINE: dict[str, Any] = {
    "access_token": "shpat_first_access",
    "scope": "read_orders,write_orders",
    "expires_in": 3600,
    "refresh_token": "shprt_first_refresh",
    "refresh_token_expires_in": 7776000,
}
REFRESHED: dict[str, Any] = {
    "access_token": "shpat_refreshed_access",
    "scope": "read_orders,write_orders",
    "expires_in": 3600,
    "refresh_token": "shprt_rotated_refresh",
    "refresh_token_expires_in": 7776000,
}
INVALID_SUBJECT_TOKEN = {"error": "invalid_subject_token", "error_description": "Session token is invalid"}
INVALID_GRANT = {"error": "invalid_grant", "error_description": "The refresh token is invalid or has expired"}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
INVALID_CODE = {
    "error": "invalid_request",
    "error_description": "The authorization code was not found or was already used",
}
