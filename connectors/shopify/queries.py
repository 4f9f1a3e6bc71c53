"""The GraphQL documents the sync sends (API version 2026-10; fields from fact sheet 5.2 and the
2026-10 reference), and the search filter they share.

Cost shapes the documents. Shopify admits a call by its *requested* cost (the maximum the query
could touch): an object is 1 point, a connection 2 + ``first`` x its node, and one query may not
request more than 1000 points [1000 unverified for 2026] (fact sheet 5.4). An order with every
nested list at full size would cost thousands, so pages ask for small nested lists sized for the
common order (``PAGE_NESTED``) and the sync re-reads only the orders that overflow them, one at a
time with larger lists (``DETAIL_NESTED``), then pages through any remaining line items. The cost
estimates beside the sizes follow the rules above and are [unverified estimates]: the client
learns each query's real requested cost from Shopify's answer and paces by that.

Product and variant of a line item are objects that need the ``read_products`` scope [unverified
for LineItem.product], which the app does not request today; they are asked for only with
``include_products=True``. Customers are read through ``defaultEmailAddress`` and
``defaultPhoneNumber`` (``email``/``phone`` are deprecated) [fact sheet: check the exact 2026-10
field set]. A field Shopify does not know fails the whole query with a ``Permanent`` error naming it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

MONEY = "{ shopMoney { amount currencyCode } }"

ORDER_FIELDS = f"""
    id name email createdAt processedAt updatedAt cancelledAt cancelReason closedAt
    displayFinancialStatus displayFulfillmentStatus test currencyCode customerLocale tags
    customer {{ id }}
    subtotalPriceSet {MONEY} totalTaxSet {MONEY} totalShippingPriceSet {MONEY}
    totalDiscountsSet {MONEY} totalPriceSet {MONEY} totalRefundedSet {MONEY}"""

LINE_ITEM_FIELDS = f"""
    id title variantTitle sku quantity currentQuantity refundableQuantity unfulfilledQuantity
    nonFulfillableQuantity originalUnitPriceSet {MONEY} totalDiscountSet {MONEY}"""
PRODUCT_FIELDS = "product { id tags } variant { id }"

FULFILLMENT_FIELDS = "id status displayStatus createdAt updatedAt inTransitAt deliveredAt estimatedDeliveryAt"
REFUND_FIELDS = f"id createdAt note totalRefundedSet {MONEY}"
RETURN_FIELDS = "id name status"
RETURN_LINE_FIELDS = """
    id quantity returnReason returnReasonNote customerNote
    ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } }"""

CUSTOMER_FIELDS = """
    id firstName lastName locale state tags numberOfOrders createdAt updatedAt
    defaultEmailAddress { emailAddress marketingState }
    defaultPhoneNumber { phoneNumber }
    amountSpent { amount currencyCode }"""


@dataclass(frozen=True, slots=True)
class NestedSizes:
    """How many of each child an order query asks for. A list that comes back full is treated as
    possibly truncated (lists have no ``pageInfo``)."""

    line_items: int
    fulfillments: int
    tracking: int
    fulfillment_lines: int
    refunds: int
    refund_lines: int
    returns: int
    return_lines: int

    def variables(self) -> dict[str, int]:
        return {
            "lineItems": self.line_items,
            "fulfillments": self.fulfillments,
            "tracking": self.tracking,
            "fulfillmentLines": self.fulfillment_lines,
            "refunds": self.refunds,
            "refundLines": self.refund_lines,
            "returns": self.returns,
            "returnLines": self.return_lines,
        }


# About 210 points per order (line items 52, fulfillments 50, refunds 70, returns 20, order 15).
PAGE_NESTED = NestedSizes(
    line_items=10,
    fulfillments=2,
    tracking=2,
    fulfillment_lines=10,
    refunds=2,
    refund_lines=10,
    returns=1,
    return_lines=5,
)
# About 860 points for one order; line items beyond 25 are paged by order_line_items_query.
DETAIL_NESTED = NestedSizes(
    line_items=25,
    fulfillments=5,
    tracking=2,
    fulfillment_lines=20,
    refunds=5,
    refund_lines=20,
    returns=5,
    return_lines=10,
)
# 4 orders x ~210 points (+20 each with products) stays under the 1000-point ceiling.
ORDER_PAGE_SIZE = 4
# 200 customers x 4 objects (customer, email, phone, amount) + 2 = 802 points; 250 would be 1002.
CUSTOMER_PAGE_SIZE = 200
LINE_ITEM_PAGE_SIZE = 100

_NESTED_VARIABLES = """
    $lineItems: Int!, $fulfillments: Int!, $tracking: Int!, $fulfillmentLines: Int!,
    $refunds: Int!, $refundLines: Int!, $returns: Int!, $returnLines: Int!"""


def _line_item_fields(include_products: bool) -> str:
    return LINE_ITEM_FIELDS + (f"\n    {PRODUCT_FIELDS}" if include_products else "")


def _order_with_children(include_products: bool) -> str:
    return f"""{ORDER_FIELDS}
    lineItems(first: $lineItems) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_line_item_fields(include_products)} }}
    }}
    fulfillments(first: $fulfillments) {{
      {FULFILLMENT_FIELDS}
      trackingInfo(first: $tracking) {{ company number url }}
      fulfillmentLineItems(first: $fulfillmentLines) {{
        pageInfo {{ hasNextPage }}
        nodes {{ quantity lineItem {{ id }} }}
      }}
    }}
    refunds(first: $refunds) {{
      {REFUND_FIELDS}
      refundLineItems(first: $refundLines) {{
        pageInfo {{ hasNextPage }}
        nodes {{ quantity restockType lineItem {{ id }} subtotalSet {MONEY} }}
      }}
    }}
    returns(first: $returns) {{
      pageInfo {{ hasNextPage }}
      nodes {{
        {RETURN_FIELDS}
        returnLineItems(first: $returnLines) {{
          pageInfo {{ hasNextPage }}
          nodes {{ {RETURN_LINE_FIELDS} }}
        }}
      }}
    }}"""


def orders_page_query(*, include_products: bool = False) -> str:
    return f"""query OrdersPage($first: Int!, $after: String, $query: String, {_NESTED_VARIABLES}) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {_order_with_children(include_products)} }}
  }}
}}"""


def order_detail_query(*, include_products: bool = False) -> str:
    return f"""query OrderDetail($id: ID!, {_NESTED_VARIABLES}) {{
  order(id: $id) {{ {_order_with_children(include_products)} }}
}}"""


def order_line_items_query(*, include_products: bool = False) -> str:
    return f"""query OrderLineItems($id: ID!, $first: Int!, $after: String) {{
  order(id: $id) {{
    lineItems(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_line_item_fields(include_products)} }}
    }}
  }}
}}"""


CUSTOMERS_PAGE = f"""query CustomersPage($first: Int!, $after: String, $query: String) {{
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {CUSTOMER_FIELDS} }}
  }}
}}"""

CUSTOMER_DETAIL = f"""query CustomerDetail($id: ID!) {{
  customer(id: $id) {{ {CUSTOMER_FIELDS} }}
}}"""

# limit: null counts everything (the default stops at 10000 and says AT_LEAST); documented for
# customersCount, assumed the same for ordersCount [unverified].
ORDERS_COUNT = """query OrdersCount($query: String) {
  ordersCount(query: $query, limit: null) { count precision }
}"""
CUSTOMERS_COUNT = """query CustomersCount($query: String) {
  customersCount(query: $query, limit: null) { count precision }
}"""


def updated_since_filter(updated_since: datetime | None) -> str | None:
    """The search filter for "changed at or after ``updated_since``", or None for everything.

    ``>=`` rather than ``>``: the filter has whole seconds, and a high-water mark taken from the
    last record seen must not skip another record stamped in the same second. Records at the
    boundary come again; upserts are idempotent (DESIGN invariant 2)."""
    if updated_since is None:
        return None
    if updated_since.tzinfo is None:
        raise ValueError("updated_since must be timezone-aware")
    stamp = updated_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"updated_at:>='{stamp}'"


# --- bulk operations --------------------------------------------------------------------------
#
# A bulk query may hold at most five connections, nested at most two levels deep, and `first`
# is not used (Shopify pages internally). Lists such as `fulfillments` and `refunds` come inline
# in their order's line; connections come as separate lines carrying `__parentId`. Connections
# under those lists, and return lines (a third level), are left out, so orders from a bulk
# export name them in `OrderRecord.incomplete` and the sync reads those orders in detail.

BULK_RUN_QUERY = """mutation BulkRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}"""

BULK_OPERATION_FIELDS = """
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt"""

BULK_OPERATION = f"""query BulkOperation($id: ID!) {{
  node(id: $id) {{ ... on BulkOperation {{ {BULK_OPERATION_FIELDS} }} }}
}}"""


def _bulk_filter(updated_since: datetime | None) -> str:
    search = updated_since_filter(updated_since)
    # json.dumps writes a valid GraphQL string literal for this ASCII text.
    return f"(query: {json.dumps(search)})" if search else ""


def orders_bulk_query(updated_since: datetime | None = None, *, include_products: bool = False) -> str:
    return f"""{{
  orders{_bulk_filter(updated_since)} {{
    edges {{ node {{
      {ORDER_FIELDS}
      fulfillments {{ {FULFILLMENT_FIELDS} trackingInfo {{ company number url }} }}
      refunds {{ {REFUND_FIELDS} }}
      lineItems {{ edges {{ node {{ {_line_item_fields(include_products)} }} }} }}
      returns {{ edges {{ node {{ {RETURN_FIELDS} }} }} }}
    }} }}
  }}
}}"""


def customers_bulk_query(updated_since: datetime | None = None) -> str:
    return f"""{{
  customers{_bulk_filter(updated_since)} {{
    edges {{ node {{ {CUSTOMER_FIELDS} }} }}
  }}
}}"""
