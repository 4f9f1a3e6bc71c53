"""Realistic Shopify payloads: the token endpoint (fact sheet 9.1), GraphQL answers, bulk exports (9.5-9.9)."""

from __future__ import annotations

import json
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


# --- GraphQL Admin API (fact sheet sections 5 and 9.5-9.9) -------------------------------------

API_VERSION = "2026-10"
GRAPHQL_URL = f"https://{SHOP}/admin/api/{API_VERSION}/graphql.json"
RESULT_URL = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/1.jsonl?X-Goog-Signature=abc"
PARTIAL_URL = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/1-partial.jsonl?X-Goog-Signature=def"


def cost(
    requested: float = 52,
    actual: float | None = 12,
    *,
    available: float = 1988,
    maximum: float = 2000.0,
    restore: float = 100.0,
) -> dict[str, Any]:
    """``extensions`` with the cost block every response carries."""
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": restore,
            },
        }
    }


def ok(data: dict[str, Any], extensions: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"data": data, "extensions": extensions if extensions is not None else cost()}


def throttled(
    requested: float = 752, available: float = 666, maximum: float = 1000.0, restore: float = 50.0
) -> dict[str, Any]:
    """The THROTTLED body of fact sheet 5.4, sent with HTTP 200."""
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": cost(requested, None, available=available, maximum=maximum, restore=restore),
    }


UNDEFINED_FIELD = {
    "errors": [
        {
            "message": "Field 'bogus' doesn't exist on type 'Order'",
            "locations": [{"line": 3, "column": 5}],
            "path": ["query OrdersPage", "orders", "nodes", "bogus"],
            "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "bogus"},
        }
    ]
}
INTERNAL_ERROR = {
    "errors": [
        {
            "message": "Internal error. Looks like something went wrong on our end.",
            "extensions": {
                "code": "INTERNAL_SERVER_ERROR",
                "requestId": "7a1c6f0e-0000-4000-8000-000000000000",
            },
        }
    ]
}
REFUND_USER_ERRORS = ok(
    {
        "refundCreate": {
            "refund": None,
            "order": None,
            "userErrors": [
                {
                    "field": ["input", "refundLineItems", "0", "quantity"],
                    "message": "Quantity cannot refund more items than were purchased",
                }
            ],
        }
    }
)
RETURN_USER_ERRORS = ok(
    {
        "returnProcess": {
            "return": None,
            "userErrors": [
                {
                    "field": ["input", "returnLineItems"],
                    "message": "Return line item is invalid",
                    "code": "INVALID",
                }
            ],
        }
    }
)


def money(amount: str, currency: str = "EUR") -> dict[str, Any]:
    """A MoneyBag as queried (shopMoney only)."""
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def line_item_node(number: int, **overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"gid://shopify/LineItem/{number}",
        "title": f"Wool socks {number}",
        "variantTitle": "M / Grey",
        "sku": f"SOCK-{number}",
        "quantity": 2,
        "currentQuantity": 2,
        "refundableQuantity": 2,
        "unfulfilledQuantity": 0,
        "nonFulfillableQuantity": 0,
        "originalUnitPriceSet": money("12.50"),
        "totalDiscountSet": money("2.50"),
    }
    node.update(overrides)
    return node


def fulfillment_node(number: int, line_item: int, **overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"gid://shopify/Fulfillment/{number}",
        "status": "SUCCESS",
        "displayStatus": "DELIVERED",
        "createdAt": "2026-10-02T09:00:00Z",
        "updatedAt": "2026-10-05T15:30:00Z",
        "inTransitAt": "2026-10-03T08:00:00Z",
        "deliveredAt": "2026-10-05T15:30:00Z",
        "estimatedDeliveryAt": None,
        "trackingInfo": [
            {
                "company": "DHL Express",
                "number": "JD0146000012345",
                "url": "https://www.dhl.com/track?JD0146000012345",
            }
        ],
        "fulfillmentLineItems": {
            "pageInfo": {"hasNextPage": False},
            "nodes": [{"quantity": 2, "lineItem": {"id": f"gid://shopify/LineItem/{line_item}"}}],
        },
    }
    node.update(overrides)
    return node


def refund_node(number: int, line_item: int, **overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"gid://shopify/Refund/{number}",
        "createdAt": "2026-10-07T10:00:00Z",
        "note": "Arrived torn",
        "totalRefundedSet": money("10.00"),
        "refundLineItems": {
            "pageInfo": {"hasNextPage": False},
            "nodes": [
                {
                    "quantity": 1,
                    "restockType": "RETURN",
                    "lineItem": {"id": f"gid://shopify/LineItem/{line_item}"},
                    "subtotalSet": money("10.00"),
                }
            ],
        },
    }
    node.update(overrides)
    return node


def return_node(number: int, line_item: int, **overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"gid://shopify/Return/{number}",
        "name": f"#1001-R{number}",
        "status": "OPEN",
        "returnLineItems": {
            "pageInfo": {"hasNextPage": False},
            "nodes": [
                {
                    "id": f"gid://shopify/ReturnLineItem/{number}0",
                    "quantity": 1,
                    "returnReason": "SIZE_TOO_SMALL",
                    "returnReasonNote": "Runs small",
                    "customerNote": None,
                    "fulfillmentLineItem": {"lineItem": {"id": f"gid://shopify/LineItem/{line_item}"}},
                }
            ],
        },
    }
    node.update(overrides)
    return node


def order_node(
    number: int,
    *,
    updated_at: str = "2026-10-08T12:00:00Z",
    line_items: list[dict[str, Any]] | None = None,
    more_line_items: str | None = None,
    fulfillments: list[dict[str, Any]] | None = None,
    refunds: list[dict[str, Any]] | None = None,
    returns: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An order node as ``orders_page_query`` asks for it. ``more_line_items``: the end cursor of a
    line-item connection that continues."""
    items = line_items if line_items is not None else [line_item_node(number * 10 + 1)]
    node: dict[str, Any] = {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{1000 + number}",
        "email": f"shopper{number}@example.com",
        "createdAt": "2026-10-01T08:15:00Z",
        "processedAt": "2026-10-01T08:15:02Z",
        "updatedAt": updated_at,
        "cancelledAt": None,
        "cancelReason": None,
        "closedAt": None,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "FULFILLED",
        "test": False,
        "currencyCode": "EUR",
        "customerLocale": "de-DE",
        "tags": ["vip", "wholesale"],
        "customer": {"id": f"gid://shopify/Customer/{number + 500}"},
        "subtotalPriceSet": money("22.50"),
        "totalTaxSet": money("4.28"),
        "totalShippingPriceSet": money("4.90"),
        "totalDiscountsSet": money("2.50"),
        "totalPriceSet": money("31.68"),
        "totalRefundedSet": money("0.00"),
        "lineItems": {
            "pageInfo": {"hasNextPage": more_line_items is not None, "endCursor": more_line_items},
            "nodes": items,
        },
        "fulfillments": fulfillments if fulfillments is not None else [],
        "refunds": refunds if refunds is not None else [],
        "returns": {"pageInfo": {"hasNextPage": False}, "nodes": returns if returns is not None else []},
    }
    node.update(overrides)
    return node


def customer_node(number: int, **overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"gid://shopify/Customer/{number}",
        "firstName": "Ada",
        "lastName": f"Lovelace {number}",
        "locale": "en-GB",
        "state": "ENABLED",
        "tags": ["newsletter"],
        "numberOfOrders": "3",
        "createdAt": "2026-01-05T10:00:00Z",
        "updatedAt": "2026-10-08T12:00:00Z",
        "defaultEmailAddress": {"emailAddress": f"ada{number}@example.com", "marketingState": "SUBSCRIBED"},
        "defaultPhoneNumber": {"phoneNumber": "+442071234567"},
        "amountSpent": {"amount": "123.45", "currencyCode": "GBP"},
    }
    node.update(overrides)
    return node


def connection_page(
    name: str, nodes: list[dict[str, Any]], end_cursor: str | None, has_next: bool
) -> dict[str, Any]:
    return ok({name: {"pageInfo": {"hasNextPage": has_next, "endCursor": end_cursor}, "nodes": nodes}})


# --- bulk operations (fact sheet 5.3 and 9.9) ---------------------------------------------------

BULK_ID = "gid://shopify/BulkOperation/720918"


def bulk_started(status: str = "CREATED") -> dict[str, Any]:
    return ok(
        {"bulkOperationRunQuery": {"bulkOperation": {"id": BULK_ID, "status": status}, "userErrors": []}}
    )


BULK_ALREADY_RUNNING = ok(
    {
        "bulkOperationRunQuery": {
            "bulkOperation": None,
            "userErrors": [
                {
                    "field": ["query"],
                    "message": "A bulk query operation for this app and shop is already in progress.",
                    "code": "OPERATION_IN_PROGRESS",
                }
            ],
        }
    }
)


def bulk_operation(status: str, **fields: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": BULK_ID,
        "status": status,
        "errorCode": None,
        "objectCount": "0",
        "rootObjectCount": "0",
        "fileSize": None,
        "url": None,
        "partialDataUrl": None,
        "createdAt": "2026-10-08T12:00:00Z",
        "completedAt": None,
    }
    node.update(fields)
    return ok({"node": node})


def bulk_order_line(number: int, **overrides: Any) -> dict[str, Any]:
    """A top-level order line of an export: lists inline, connections left to child lines."""
    line = order_node(number, **overrides)
    del line["lineItems"], line["returns"]
    for fulfillment in line["fulfillments"]:
        fulfillment.pop("fulfillmentLineItems", None)
    for refund in line["refunds"]:
        refund.pop("refundLineItems", None)
    return line


def bulk_child(node: dict[str, Any], parent_gid: str) -> dict[str, Any]:
    child = {key: value for key, value in node.items() if key != "returnLineItems"}
    child["__parentId"] = parent_gid
    return child


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()
