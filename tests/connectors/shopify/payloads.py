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


# --- REST webhook bodies (fact sheet 3.1; shapes of shopify.dev/docs/api/webhooks samples) -------


def rest_money(amount: str, currency: str = "EUR") -> dict[str, Any]:
    """A REST ``*_set`` MoneyBag (shop and presentment money)."""
    return {
        "shop_money": {"amount": amount, "currency_code": currency},
        "presentment_money": {"amount": amount, "currency_code": currency},
    }


def rest_line_item(number: int, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": number,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{number}",
        "attributed_staffs": [],
        "current_quantity": 2,
        "fulfillable_quantity": 2,
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "gift_card": False,
        "grams": 100,
        "name": f"Wool socks {number} - M / Grey",
        "price": "12.50",
        "price_set": rest_money("12.50"),
        "product_exists": True,
        "product_id": 788032119674292922,
        "properties": [],
        "quantity": 2,
        "requires_shipping": True,
        "sku": f"SOCK-{number}",
        "taxable": True,
        "title": f"Wool socks {number}",
        "total_discount": "2.50",
        "total_discount_set": rest_money("2.50"),
        "variant_id": 642667041472713922,
        "variant_inventory_management": "shopify",
        "variant_title": "M / Grey",
        "vendor": "Aftercare Test",
        "tax_lines": [],
        "duties": [],
        "discount_allocations": [],
    }
    item.update(overrides)
    return item


def rest_fulfillment(
    number: int, order_id: int, line_item: int, *, updated_at: str = "2026-10-03T08:00:00Z", **overrides: Any
) -> dict[str, Any]:
    """A REST Fulfillment: the body of fulfillments/create and /update, and an order's ``fulfillments``."""
    fulfillment: dict[str, Any] = {
        "id": number,
        "order_id": order_id,
        "status": "success",
        "created_at": "2026-10-02T09:00:00Z",
        "service": "manual",
        "updated_at": updated_at,
        "tracking_company": "DHL Express",
        "shipment_status": "in_transit",
        "location_id": 655441491,
        "origin_address": None,
        "email": "shopper@example.com",
        "destination": None,
        "line_items": [
            rest_line_item(line_item, quantity=2, fulfillable_quantity=0, fulfillment_status="fulfilled")
        ],
        "tracking_number": "JD0146000012345",
        "tracking_numbers": ["JD0146000012345"],
        "tracking_url": "https://www.dhl.com/track?JD0146000012345",
        "tracking_urls": ["https://www.dhl.com/track?JD0146000012345"],
        "receipt": {},
        "name": f"#{1000 + order_id % 1000}.1",
        "admin_graphql_api_id": f"gid://shopify/Fulfillment/{number}",
    }
    fulfillment.update(overrides)
    return fulfillment


def rest_refund(
    number: int, order_id: int, line_item: int, *, amount: str = "10.00", **overrides: Any
) -> dict[str, Any]:
    """A REST Refund: the body of refunds/create, and an order's ``refunds``."""
    refund: dict[str, Any] = {
        "id": number,
        "order_id": order_id,
        "created_at": "2026-10-07T10:00:00Z",
        "note": "Arrived torn",
        "user_id": 548380009,
        "processed_at": "2026-10-07T10:00:00Z",
        "duties": [],
        "total_duties_set": rest_money("0.00"),
        "return": None,
        "refund_shipping_lines": [],
        "restock": True,
        "admin_graphql_api_id": f"gid://shopify/Refund/{number}",
        "order_adjustments": [],
        "refund_line_items": [
            {
                "id": number * 10,
                "quantity": 1,
                "line_item_id": line_item,
                "location_id": 655441491,
                "restock_type": "return",
                "subtotal": float(amount),
                "total_tax": 0.0,
                "subtotal_set": rest_money(amount),
                "total_tax_set": rest_money("0.00"),
                "line_item": rest_line_item(line_item),
            }
        ],
        "transactions": [
            {
                "id": number * 100,
                "order_id": order_id,
                "kind": "refund",
                "gateway": "bogus",
                "status": "success",
                "message": "Bogus Gateway: Forced success",
                "created_at": "2026-10-07T10:00:00Z",
                "test": True,
                "authorization": None,
                "parent_id": 389404469,
                "processed_at": "2026-10-07T10:00:00Z",
                "source_name": "web",
                "receipt": {},
                "amount": amount,
                "currency": "EUR",
                "admin_graphql_api_id": f"gid://shopify/OrderTransaction/{number * 100}",
            }
        ],
    }
    refund.update(overrides)
    return refund


def rest_customer(
    number: int, *, updated_at: str = "2026-10-08T12:00:00Z", **overrides: Any
) -> dict[str, Any]:
    """customers/create and /update since 2025-01: no tags, consent, order count or amount spent."""
    customer: dict[str, Any] = {
        "id": number,
        "created_at": "2026-01-05T10:00:00Z",
        "updated_at": updated_at,
        "first_name": "Ada",
        "last_name": f"Lovelace {number}",
        "state": "enabled",
        "note": None,
        "verified_email": True,
        "multipass_identifier": None,
        "tax_exempt": False,
        "email": f"ada{number}@example.com",
        "phone": "+442071234567",
        "currency": "EUR",
        "addresses": [],
        "tax_exemptions": [],
        "admin_graphql_api_id": f"gid://shopify/Customer/{number}",
        "default_address": None,
    }
    customer.update(overrides)
    return customer


def rest_order(
    number: int,
    *,
    updated_at: str = "2026-10-08T12:00:00Z",
    customer: int | None = None,
    line_items: list[dict[str, Any]] | None = None,
    fulfillments: list[dict[str, Any]] | None = None,
    refunds: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An orders/create (updated, paid, cancelled, fulfilled, ...) body: the REST Order."""
    customer_id = customer if customer is not None else number + 500
    order: dict[str, Any] = {
        "id": number,
        "admin_graphql_api_id": f"gid://shopify/Order/{number}",
        "app_id": None,
        "browser_ip": None,
        "buyer_accepts_marketing": False,
        "cancel_reason": None,
        "cancelled_at": None,
        "cart_token": None,
        "checkout_token": None,
        "closed_at": None,
        "confirmation_number": "ABC123XYZ",
        "confirmed": True,
        "contact_email": f"shopper{number}@example.com",
        "created_at": "2026-10-01T08:15:00Z",
        "currency": "EUR",
        "current_subtotal_price": "22.50",
        "current_total_price": "31.68",
        "current_total_tax": "4.28",
        "customer_locale": "de-DE",
        "email": f"shopper{number}@example.com",
        "financial_status": "paid",
        "fulfillment_status": None,
        "name": f"#{1000 + number}",
        "note": None,
        "number": number,
        "order_number": 1000 + number,
        "phone": None,
        "presentment_currency": "EUR",
        "processed_at": "2026-10-01T08:15:02Z",
        "source_name": "web",
        "subtotal_price": "22.50",
        "subtotal_price_set": rest_money("22.50"),
        "tags": "vip, wholesale",
        "taxes_included": True,
        "test": False,
        "total_discounts": "2.50",
        "total_discounts_set": rest_money("2.50"),
        "total_line_items_price": "25.00",
        "total_price": "31.68",
        "total_price_set": rest_money("31.68"),
        "total_shipping_price_set": rest_money("4.90"),
        "total_tax": "4.28",
        "total_tax_set": rest_money("4.28"),
        "updated_at": updated_at,
        "customer": {
            "id": customer_id,
            "created_at": None,
            "updated_at": None,
            "first_name": "Grace",
            "last_name": "Hopper",
            "state": "enabled",
            "email": f"shopper{number}@example.com",
            "phone": None,
            "currency": "EUR",
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        },
        "discount_applications": [],
        "fulfillments": fulfillments if fulfillments is not None else [],
        "line_items": line_items if line_items is not None else [rest_line_item(number * 10 + 1)],
        "payment_terms": None,
        "refunds": refunds if refunds is not None else [],
        "shipping_lines": [],
        "returns": [],
        "line_item_groups": [],
    }
    order.update(overrides)
    return order


def rest_return(number: int, order_id: int, status: str = "requested", **overrides: Any) -> dict[str, Any]:
    """returns/request and returns/approve carry ``order``; cancel, close and reopen ``order_id``."""
    body: dict[str, Any] = {
        "id": number,
        "admin_graphql_api_id": f"gid://shopify/Return/{number}",
        "status": status,
        "order": {"id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}"},
        "total_return_line_items": 1,
        "name": None,
        "return_line_items": [],
        "return_shipping_fees": [],
        "exchange_line_items": [],
        "total_exchange_line_items": 0,
    }
    body.update(overrides)
    return body


def rest_merge(kept: int, deleted: int, status: str = "completed") -> dict[str, Any]:
    return {
        "admin_graphql_api_customer_kept_id": f"gid://shopify/Customer/{kept}",
        "admin_graphql_api_customer_deleted_id": f"gid://shopify/Customer/{deleted}",
        "admin_graphql_api_job_id": None,
        "status": status,
        "errors": [],
    }


def bulk_finished(status: str = "completed", operation: str = BULK_ID) -> dict[str, Any]:
    return {
        "admin_graphql_api_id": operation,
        "completed_at": "2026-10-08T12:34:56-04:00",
        "created_at": "2026-10-08T12:17:28-04:00",
        "error_code": None,
        "status": status,
        "type": "query",
    }
