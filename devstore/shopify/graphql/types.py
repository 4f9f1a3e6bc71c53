"""What each field of each served type is: a scalar, an object, a list or a connection.

This is the part of Shopify's schema the devstore serves. It decides how a value is rendered
(a connection gets ``nodes``/``edges``/``pageInfo``, ``first``/``after`` apply to it) and what a
field costs (``cost.py``). A field missing here is an error, as on Shopify, never an empty value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["scalar", "object", "list", "connection"]


@dataclass(frozen=True, slots=True)
class FieldType:
    kind: Kind
    of: str = ""  # the object type, for everything but scalars


SCALAR = FieldType("scalar")


def _obj(name: str) -> FieldType:
    return FieldType("object", name)


def _list(name: str) -> FieldType:
    return FieldType("list", name)


def _conn(name: str) -> FieldType:
    return FieldType("connection", name)


def _scalars(*names: str) -> dict[str, FieldType]:
    return dict.fromkeys(names, SCALAR)


MONEY_BAG = _obj("MoneyBag")

TYPES: dict[str, dict[str, FieldType]] = {
    "QueryRoot": {
        "orders": _conn("Order"),
        "customers": _conn("Customer"),
        "order": _obj("Order"),
        "customer": _obj("Customer"),
        "ordersCount": _obj("Count"),
        "customersCount": _obj("Count"),
        "node": _obj("Node"),
        "currentBulkOperation": _obj("BulkOperation"),
        "shop": _obj("Shop"),
        "return": _obj("Return"),
        "returnableFulfillments": _conn("ReturnableFulfillment"),
    },
    "Mutation": {
        "bulkOperationRunQuery": _obj("BulkOperationRunQueryPayload"),
        "refundCreate": _obj("RefundCreatePayload"),
        "returnRequest": _obj("ReturnPayload"),
        "returnApproveRequest": _obj("ReturnPayload"),
        "returnDeclineRequest": _obj("ReturnPayload"),
        "returnCancel": _obj("ReturnPayload"),
        "returnClose": _obj("ReturnPayload"),
        "returnProcess": _obj("ReturnPayload"),
    },
    "RefundCreatePayload": {
        "refund": _obj("Refund"),
        "order": _obj("Order"),
        "userErrors": _list("UserError"),
    },
    # The return mutations' payloads differ only in name: each has ``return`` and ReturnUserErrors.
    "ReturnPayload": {"return": _obj("Return"), "userErrors": _list("UserError")},
    "BulkOperationRunQueryPayload": {
        "bulkOperation": _obj("BulkOperation"),
        "userErrors": _list("UserError"),
    },
    "UserError": _scalars("field", "message", "code"),
    "Count": _scalars("count", "precision"),
    "PageInfo": _scalars("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"),
    "Shop": _scalars("id", "name", "email", "myshopifyDomain", "currencyCode", "ianaTimezone"),
    "MoneyBag": {"shopMoney": _obj("MoneyV2"), "presentmentMoney": _obj("MoneyV2")},
    "MoneyV2": _scalars("amount", "currencyCode"),
    "BulkOperation": _scalars(
        "id",
        "status",
        "errorCode",
        "objectCount",
        "rootObjectCount",
        "fileSize",
        "url",
        "partialDataUrl",
        "createdAt",
        "completedAt",
        "query",
        "type",
    ),
    "Order": {
        **_scalars(
            "id",
            "legacyResourceId",
            "name",
            "email",
            "phone",
            "note",
            "createdAt",
            "processedAt",
            "updatedAt",
            "cancelledAt",
            "cancelReason",
            "closedAt",
            "closed",
            "displayFinancialStatus",
            "displayFulfillmentStatus",
            "test",
            "currencyCode",
            "presentmentCurrencyCode",
            "customerLocale",
            "tags",
        ),
        "customer": _obj("Customer"),
        "subtotalPriceSet": MONEY_BAG,
        "totalTaxSet": MONEY_BAG,
        "totalShippingPriceSet": MONEY_BAG,
        "totalDiscountsSet": MONEY_BAG,
        "totalPriceSet": MONEY_BAG,
        "totalRefundedSet": MONEY_BAG,
        "currentTotalPriceSet": MONEY_BAG,
        "lineItems": _conn("LineItem"),
        "fulfillments": _list("Fulfillment"),
        "refunds": _list("Refund"),
        "returns": _conn("Return"),
        "suggestedRefund": _obj("SuggestedRefund"),
    },
    "SuggestedRefund": {
        "amountSet": MONEY_BAG,
        "subtotalSet": MONEY_BAG,
        "totalTaxSet": MONEY_BAG,
        "shipping": _obj("ShippingRefund"),
        "refundLineItems": _list("RefundLineItem"),
        "suggestedTransactions": _list("SuggestedOrderTransaction"),
    },
    "ShippingRefund": {"amountSet": MONEY_BAG, "maximumRefundableSet": MONEY_BAG},
    "SuggestedOrderTransaction": {
        **_scalars("gateway", "kind"),
        "parentTransaction": _obj("OrderTransaction"),
        "amountSet": MONEY_BAG,
        "maximumRefundableSet": MONEY_BAG,
    },
    "OrderTransaction": {
        **_scalars("id", "kind", "status", "gateway"),
        "amountSet": MONEY_BAG,
        "parentTransaction": _obj("OrderTransaction"),
    },
    "Location": _scalars("id", "name"),
    "LineItem": {
        **_scalars(
            "id",
            "title",
            "name",
            "variantTitle",
            "sku",
            "quantity",
            "currentQuantity",
            "refundableQuantity",
            "unfulfilledQuantity",
            "nonFulfillableQuantity",
        ),
        "originalUnitPriceSet": MONEY_BAG,
        "totalDiscountSet": MONEY_BAG,
        "product": _obj("Product"),
        "variant": _obj("ProductVariant"),
    },
    "Product": _scalars("id", "title", "tags"),
    "ProductVariant": _scalars("id", "title", "sku"),
    "Fulfillment": {
        **_scalars(
            "id",
            "name",
            "status",
            "displayStatus",
            "createdAt",
            "updatedAt",
            "inTransitAt",
            "deliveredAt",
            "estimatedDeliveryAt",
        ),
        "trackingInfo": _list("FulfillmentTrackingInfo"),
        "location": _obj("Location"),
        "fulfillmentLineItems": _conn("FulfillmentLineItem"),
    },
    "FulfillmentTrackingInfo": _scalars("company", "number", "url"),
    "FulfillmentLineItem": {**_scalars("id", "quantity"), "lineItem": _obj("LineItem")},
    "Refund": {
        **_scalars("id", "createdAt", "note"),
        "totalRefundedSet": MONEY_BAG,
        "refundLineItems": _conn("RefundLineItem"),
        "transactions": _conn("OrderTransaction"),
    },
    "RefundLineItem": {
        **_scalars("id", "quantity", "restockType", "restocked"),
        "lineItem": _obj("LineItem"),
        "subtotalSet": MONEY_BAG,
        "totalTaxSet": MONEY_BAG,
    },
    "Return": {
        **_scalars("id", "name", "status", "createdAt", "totalQuantity"),
        "order": _obj("Order"),
        "decline": _obj("ReturnDecline"),
        "returnLineItems": _conn("ReturnLineItem"),
        "reverseFulfillmentOrders": _conn("ReverseFulfillmentOrder"),
    },
    "ReturnDecline": _scalars("reason", "note"),
    "ReturnLineItem": {
        **_scalars(
            "id",
            "quantity",
            "processedQuantity",
            "unprocessedQuantity",
            "returnReason",
            "returnReasonNote",
            "customerNote",
        ),
        "fulfillmentLineItem": _obj("FulfillmentLineItem"),
    },
    "ReverseFulfillmentOrder": {
        **_scalars("id", "status"),
        "lineItems": _conn("ReverseFulfillmentOrderLineItem"),
    },
    "ReverseFulfillmentOrderLineItem": {
        **_scalars("id", "totalQuantity"),
        "fulfillmentLineItem": _obj("FulfillmentLineItem"),
    },
    "ReturnableFulfillment": {
        "id": SCALAR,
        "fulfillment": _obj("Fulfillment"),
        "returnableFulfillmentLineItems": _conn("ReturnableFulfillmentLineItem"),
    },
    "ReturnableFulfillmentLineItem": {
        "quantity": SCALAR,
        "fulfillmentLineItem": _obj("FulfillmentLineItem"),
    },
    "Customer": {
        **_scalars(
            "id",
            "legacyResourceId",
            "firstName",
            "lastName",
            "displayName",
            "email",
            "phone",
            "locale",
            "state",
            "tags",
            "numberOfOrders",
            "createdAt",
            "updatedAt",
            "verifiedEmail",
        ),
        "defaultEmailAddress": _obj("CustomerEmailAddress"),
        "defaultPhoneNumber": _obj("CustomerPhoneNumber"),
        "amountSpent": _obj("MoneyV2"),
    },
    "CustomerEmailAddress": _scalars("emailAddress", "marketingState"),
    "CustomerPhoneNumber": _scalars("phoneNumber"),
}

# ``node(id:)`` answers with whatever the id names; its selection is checked against that type.
NODE_TYPES = ("BulkOperation", "Order", "Customer", "Return")
CONNECTION_FIELDS = {"nodes", "edges", "pageInfo"}
EDGE_FIELDS = {"node", "cursor"}


def field_type(type_name: str, field_name: str) -> FieldType | None:
    if field_name == "__typename":
        return SCALAR
    if type_name == "Node":
        for candidate in NODE_TYPES:
            found = TYPES[candidate].get(field_name)
            if found is not None:
                return found
        return None
    return TYPES.get(type_name, {}).get(field_name)
