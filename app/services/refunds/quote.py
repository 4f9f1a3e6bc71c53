"""The platform's computation of a planned refund, asked before anything is confirmed, and its
JSON form as kept on the intent (``Refund.quote``): what the staff member saw and agreed to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from app.services.refunds.plan import RefundPlan
from connectors.base import RefundTransaction, ShippingRefund, StoreConnector, SuggestedRefund

Quoter = Callable[[RefundPlan], Awaitable[SuggestedRefund]]


def platform_quoter(connector: StoreConnector) -> Quoter:
    async def quote(plan: RefundPlan) -> SuggestedRefund:
        return await connector.suggest_refund(plan.order_platform_id, plan.line_requests(), plan.shipping)

    return quote


def quote_document(plan: RefundPlan, quote: SuggestedRefund) -> dict[str, Any]:
    return {
        "request": plan.as_request(),
        "amount": str(quote.amount),
        "subtotal": str(quote.subtotal),
        "tax": str(quote.tax),
        "shipping": str(quote.shipping),
        "currency": quote.currency,
        "transactions": [
            {"parent_id": t.parent_id, "gateway": t.gateway, "amount": str(t.amount), "kind": t.kind}
            for t in quote.transactions
        ],
    }


def transactions_of(document: dict[str, Any] | None) -> list[RefundTransaction]:
    """What the intent refunds against. Suggested transactions become refunds of the same parent."""
    rows = (document or {}).get("transactions")
    return [
        RefundTransaction(str(row["parent_id"]), str(row.get("gateway", "")), _decimal(row.get("amount")))
        for row in rows or []
        if isinstance(row, dict) and row.get("parent_id")
    ]


def shipping_of(document: dict[str, Any] | None) -> ShippingRefund:
    request = (document or {}).get("request") or {}
    shipping = request.get("shipping") if isinstance(request, dict) else None
    if not isinstance(shipping, dict):
        return ShippingRefund()
    return ShippingRefund(full=shipping.get("full") is True, amount=_decimal(shipping.get("amount")))


def _decimal(value: object) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return Decimal("0")
    return amount if amount.is_finite() else Decimal("0")
