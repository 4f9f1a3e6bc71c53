"""The Shopify webhook topics Aftercare subscribes to (``shopify.app.toml`` declares the same)."""

from __future__ import annotations

# Mandatory privacy-law webhooks: configured only through ``compliance_topics`` in the toml.
COMPLIANCE_TOPICS: frozenset[str] = frozenset({"customers/data_request", "customers/redact", "shop/redact"})

ORDER_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
    "orders/edited",
    "orders/delete",
)
CUSTOMER_TOPICS = ("customers/create", "customers/update", "customers/delete", "customers/merge")
REFUND_TOPICS = ("refunds/create",)
FULFILLMENT_TOPICS = ("fulfillments/create", "fulfillments/update")
RETURN_TOPICS = (
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
    "returns/process",
    "returns/update",
)
APP_TOPICS = ("app/uninstalled", "bulk_operations/finish")

# Every topic of a [[webhooks.subscriptions]] entry, in the order the toml lists them.
SUBSCRIBED_TOPICS: tuple[str, ...] = (
    *ORDER_TOPICS,
    *CUSTOMER_TOPICS,
    *REFUND_TOPICS,
    *FULFILLMENT_TOPICS,
    *RETURN_TOPICS,
    *APP_TOPICS,
)

WEBHOOKS_PATH = "/webhooks/shopify"
COMPLIANCE_PATH = "/webhooks/shopify/compliance"
