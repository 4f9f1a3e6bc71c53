"""Refunds on Shopify: the amounts computed before confirming, and the one call that moves money.

    quote = await suggest_refund(client, "1001", [("11", 1)], ShippingRefund(), restock=True)
    record = await create_refund(client, "1001", lines, ShippingRefund(), quote.transactions,
                                 note="Damaged [aftercare:rf_...]", notify=True)

Fact sheet 6.1 (API 2026-10): ``Order.suggestedRefund`` returns the amounts, tax and the
transactions to refund against; ``refundCreate(input: RefundInput!)`` takes those transactions
(kind REFUND, parentId, gateway, amount, orderId) with the lines and shipping.

``refundCreate`` has no idempotency key of its own (the ``@idempotent`` directive is
[unverified] for this mutation and version), so ``create_refund`` is sent once, never retried
after an ambiguous failure (``retry_ambiguous=False``): the caller puts its own key in the note
and, after a timeout, looks for it among the order's refunds before trying again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from connectors.base import (
    RefundLineRecord,
    RefundLineRequest,
    RefundRecord,
    RefundTransaction,
    ShippingRefund,
    SuggestedRefund,
    SuggestedRefundLine,
)
from connectors.errors import Permanent, Transient
from connectors.shopify.graphql import ShopifyGraphQL
from connectors.shopify.ids import numeric_id, optional_numeric_id, to_gid
from connectors.shopify.records import Connection
from connectors.values import decimal, integer, mapping, moment

_MONEY = "shopMoney { amount currencyCode }"

SUGGESTED_REFUND = f"""query SuggestedRefund($id: ID!, $refundLineItems: [RefundLineItemInput!],
    $shippingAmount: Money, $refundShipping: Boolean) {{
  order(id: $id) {{
    id
    suggestedRefund(refundLineItems: $refundLineItems, shippingAmount: $shippingAmount,
        refundShipping: $refundShipping) {{
      amountSet {{ {_MONEY} }}
      subtotalSet {{ {_MONEY} }}
      totalTaxSet {{ {_MONEY} }}
      shipping {{ amountSet {{ {_MONEY} }} maximumRefundableSet {{ {_MONEY} }} }}
      refundLineItems {{ lineItem {{ id refundableQuantity }} quantity restockType }}
      suggestedTransactions {{ parentTransaction {{ id }} gateway kind amountSet {{ {_MONEY} }} }}
    }}
  }}
}}"""

REFUND_CREATE = f"""mutation RefundCreate($input: RefundInput!) {{
  refundCreate(input: $input) {{
    refund {{
      id createdAt note
      totalRefundedSet {{ {_MONEY} }}
      refundLineItems(first: 100) {{
        pageInfo {{ hasNextPage }}
        nodes {{ lineItem {{ id }} quantity restockType subtotalSet {{ {_MONEY} }} }}
      }}
    }}
    order {{ id }}
    userErrors {{ field message }}
  }}
}}"""

# Our restock words -> RefundLineItemRestockType (LEGACY_RESTOCK is rejected on 2026-10).
RESTOCK_TYPES = {"no_restock": "NO_RESTOCK", "return": "RETURN", "cancel": "CANCEL"}


async def suggest_refund(
    client: ShopifyGraphQL,
    order_id: str,
    lines: Sequence[RefundLineRequest],
    shipping: ShippingRefund,
) -> SuggestedRefund:
    """What Shopify would refund for these lines and shipping. A query: safe to repeat."""
    variables: dict[str, Any] = {
        "id": to_gid("Order", order_id),
        "refundLineItems": [_line_input(line) for line in lines],
    }
    if shipping.full:
        variables["refundShipping"] = True
    else:
        variables["shippingAmount"] = str(shipping.amount)
    data = await client.query(SUGGESTED_REFUND, variables)
    order = data.get("order")
    if not isinstance(order, Mapping):
        raise Permanent(f"Shopify has no order {order_id}")
    node = order.get("suggestedRefund")
    if not isinstance(node, Mapping):
        raise Permanent("Shopify returned no suggested refund")
    return parse_suggested_refund(node)


async def create_refund(
    client: ShopifyGraphQL,
    order_id: str,
    lines: Sequence[RefundLineRequest],
    shipping: ShippingRefund,
    transactions: Sequence[RefundTransaction],
    *,
    note: str,
    notify: bool,
) -> RefundRecord:
    """Issue the refund once. ``UserErrors`` when Shopify refuses it; ``Transient`` when the answer
    was lost, in which case the refund may or may not exist: reconcile before any retry."""
    gid = to_gid("Order", order_id)
    refund_input: dict[str, Any] = {
        "orderId": gid,
        "refundLineItems": [_line_input(line) for line in lines],
        "transactions": [
            {
                "orderId": gid,
                "parentId": to_gid("OrderTransaction", t.parent_id),
                "gateway": t.gateway,
                # refundCreate only refunds: a suggestion's SUGGESTED_REFUND is not a kind it takes.
                "kind": "REFUND",
                "amount": str(t.amount),
            }
            for t in transactions
        ],
        "note": note,
        "notify": notify,
    }
    if shipping.full:
        refund_input["shipping"] = {"fullRefund": True}
    elif shipping.amount > 0:
        refund_input["shipping"] = {"amount": str(shipping.amount)}
    payload = await client.mutate(
        REFUND_CREATE, {"input": refund_input}, payload="refundCreate", retry_ambiguous=False
    )
    node = payload.get("refund")
    if not isinstance(node, Mapping):
        # No userErrors and no refund: we cannot tell what happened; never treat it as "not done".
        raise Transient("refundCreate answered without a refund or errors")
    return parse_refund(node)


def parse_suggested_refund(node: Mapping[str, Any]) -> SuggestedRefund:
    shipping = mapping(node.get("shipping"))
    return SuggestedRefund(
        amount=_money(node.get("amountSet")),
        subtotal=_money(node.get("subtotalSet")),
        tax=_money(node.get("totalTaxSet")),
        shipping=_money(shipping.get("amountSet")),
        shipping_refundable=_money(shipping.get("maximumRefundableSet")),
        currency=_currency(node.get("amountSet")),
        lines=tuple(
            SuggestedRefundLine(
                line_item_id=numeric_id(str(mapping(line.get("lineItem")).get("id", ""))),
                quantity=integer(line.get("quantity")),
                refundable_quantity=integer(mapping(line.get("lineItem")).get("refundableQuantity")),
            )
            for line in _nodes(node.get("refundLineItems"))
            if mapping(line.get("lineItem")).get("id")
        ),
        transactions=tuple(
            RefundTransaction(
                parent_id=parent,
                gateway=str(t.get("gateway") or ""),
                amount=_money(t.get("amountSet")),
                kind=str(t.get("kind") or "REFUND").lower(),
            )
            for t in _nodes(node.get("suggestedTransactions"))
            if (parent := optional_numeric_id(mapping(t.get("parentTransaction")).get("id")))
        ),
    )


def parse_refund(node: Mapping[str, Any]) -> RefundRecord:
    gid = node.get("id")
    if not isinstance(gid, str) or not gid:
        raise Permanent("Shopify sent a refund without an id")
    return RefundRecord(
        platform_id=numeric_id(gid),
        created_at=moment(node.get("createdAt")),
        amount=_money(node.get("totalRefundedSet")),
        currency=_currency(node.get("totalRefundedSet")) or None,
        note=str(node.get("note") or ""),
        lines=tuple(
            RefundLineRecord(
                line_item_id=line_item_id,
                quantity=integer(line.get("quantity")),
                restock_type=str(line.get("restockType") or "NO_RESTOCK").lower(),
                amount=_money(line.get("subtotalSet")),
            )
            for line in _nodes(node.get("refundLineItems"))
            if (line_item_id := optional_numeric_id(mapping(line.get("lineItem")).get("id")))
        ),
    )


def _line_input(line: RefundLineRequest) -> dict[str, Any]:
    return {
        "lineItemId": to_gid("LineItem", line.line_item_id),
        "quantity": line.quantity,
        "restockType": RESTOCK_TYPES.get(line.restock_type, "NO_RESTOCK"),
    }


def _nodes(value: object) -> list[Mapping[str, Any]]:
    """A plain list (suggestedRefund's fields) or a connection (a refund's lines)."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return Connection(value).nodes


def _money(bag: object) -> Decimal:
    return decimal(mapping(mapping(bag).get("shopMoney")).get("amount"))


def _currency(bag: object) -> str:
    code = mapping(mapping(bag).get("shopMoney")).get("currencyCode")
    return code if isinstance(code, str) else ""
