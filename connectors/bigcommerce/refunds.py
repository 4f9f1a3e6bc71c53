"""Refunds on BigCommerce: the quote shown before confirming, and the one call that moves money.

    quote = await suggest_refund(rest, "100", [RefundLineRequest("65", 1, "no_restock")], ShippingRefund())
    record = await create_refund(rest, "100", lines, ShippingRefund(), quote.transactions,
                                 note="Damaged [aftercare:rf_...]", notify=True)

Fact sheet 2.5: ``POST /v3/orders/{id}/payment_actions/refund_quotes`` computes the amounts and
offers ``refund_methods`` — an array of methods, each an array of payment options
``{provider_id, amount, offline, ...}``; ``POST .../refunds`` takes ``items`` and ``payments``
(one method's options, amounts as quoted, else 422).

How our shapes map:
- a line is a PRODUCT item (``item_id`` = the order product id = our line item id); our restock
  word is not sent: API refunds never restock (2.5);
- shipping is one SHIPPING item per shipping address (``item_id`` = the order address id) with an
  amount; "full" means each address's ``cost_inc_tax`` less the shipping already refunded on it
  (that the amount is tax-inclusive is [unverified]; a wrong guess is answered 422 at the quote);
- ``SuggestedRefund.transactions`` is ONE method: the first that refunds online to something other
  than store credit only, else the first online one, else BigCommerce's first. Sending options of
  two methods would refund twice. Each option becomes a ``RefundTransaction`` whose ``parent_id``
  is ``"{provider_id}:online"`` or ``"{provider_id}:offline"`` (the only id an option has, plus the
  flag the refund must repeat) and whose ``gateway`` is the provider's description, for people;
- the note goes in every item's ``reason`` (a refund request has no other text; up to 1000
  characters, so a longer note keeps its end, where our reconcile marker is);
- ``notify`` has no equivalent: the shopper is emailed when the store's settings send email for
  the Refunded / Partially Refunded statuses (2.5).

There is no idempotency key (2.5), so ``create_refund`` is sent once and never retried after an
ambiguous failure (a timeout, a 5xx): ``Transient``, and the caller lists the order's refunds
(``list_refunds``) before trying again. Refunds on one order must not run concurrently (2.5): the
caller holds a per-order lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from connectors.base import (
    RefundLineRequest,
    RefundRecord,
    RefundTransaction,
    ShippingRefund,
    SuggestedRefund,
    SuggestedRefundLine,
)
from connectors.bigcommerce.listing import v2_all, v3_all, v3_data
from connectors.bigcommerce.records import declined_messages, parse_refund, refund_records, wholly_declined
from connectors.bigcommerce.rest import BigCommerceREST, path_id
from connectors.errors import Permanent, Transient
from connectors.values import ZERO, decimal, integer, mapping, mappings, text

logger = logging.getLogger(__name__)

Resource = Mapping[str, Any]

REASON_LIMIT = 1000
ONLINE, OFFLINE = "online", "offline"
STORE_CREDIT = "storecredit"


async def suggest_refund(
    rest: BigCommerceREST,
    order_id: str,
    lines: Sequence[RefundLineRequest],
    shipping: ShippingRefund,
) -> SuggestedRefund:
    """BigCommerce's quote for these lines and shipping. Creates nothing: safe to repeat."""
    order_id = path_id(order_id)
    order, (products, _), (addresses, _), (refunds, _) = await asyncio.gather(
        rest.get(f"v2/orders/{order_id}"),
        v2_all(rest, f"v2/orders/{order_id}/products", "the order's products"),
        v2_all(rest, f"v2/orders/{order_id}/shipping_addresses", "the order's shipping addresses"),
        _refunds(rest, order_id),
    )
    refundable_shipping = _refundable_shipping(addresses, refunds)
    shipping_items = _shipping_items(shipping, refundable_shipping)
    body = {"items": [_product_item(line) for line in lines] + shipping_items}
    # A quote computes and stores nothing, so a lost answer may simply be asked again.
    quote = v3_data(
        await rest.post(f"v3/orders/{order_id}/payment_actions/refund_quotes", body, retry_ambiguous=True),
        "the refund quote",
    )
    refundable = {
        str(integer(product.get("id"))): integer(product.get("quantity"))
        - integer(product.get("quantity_refunded"))
        for product in products
    }
    return parse_quote(
        quote,
        lines=tuple(
            SuggestedRefundLine(line.line_item_id, line.quantity, refundable.get(line.line_item_id, 0))
            for line in lines
        ),
        shipping=sum((decimal(item["amount"]) for item in shipping_items), ZERO),
        shipping_refundable=sum(refundable_shipping.values(), ZERO),
        currency=text(mapping(order).get("currency_code"))
        or text(mapping(order).get("default_currency_code")),
    )


async def create_refund(
    rest: BigCommerceREST,
    order_id: str,
    lines: Sequence[RefundLineRequest],
    shipping: ShippingRefund,
    transactions: Sequence[RefundTransaction],
    *,
    note: str,
    notify: bool,
) -> RefundRecord:
    """Issue the refund once. ``Permanent`` when refused (422) or its payment was declined, with
    BigCommerce's words in ``reasons``; ``Transient`` when the answer was lost."""
    del notify  # BigCommerce decides by the store's email settings (module docstring)
    order_id = path_id(order_id)
    payments = [_payment(transaction) for transaction in transactions]
    if not payments:
        raise Permanent("a BigCommerce refund needs a refund method from the quote")
    shipping_items: list[dict[str, Any]] = []
    if shipping.full or shipping.amount > 0:
        (addresses, _), (refunds, _) = await asyncio.gather(
            v2_all(rest, f"v2/orders/{order_id}/shipping_addresses", "the order's shipping addresses"),
            _refunds(rest, order_id),
        )
        shipping_items = _shipping_items(shipping, _refundable_shipping(addresses, refunds))
    reason = note[-REASON_LIMIT:]
    items = [_product_item(line) for line in lines] + shipping_items
    body = {
        "items": [{**item, "reason": reason} if reason else item for item in items],
        "payments": payments,
    }
    answer = await rest.post(f"v3/orders/{order_id}/payment_actions/refunds", body, retry_ambiguous=False)
    try:
        refund = v3_data(answer, "the refund")
        record = parse_refund(refund)
    except Permanent as unreadable:
        # 2xx without a refund we can read: it may exist. Never report "not done".
        raise Transient(
            f"BigCommerce accepted the refund but its answer was unreadable ({unreadable})"
        ) from None
    if wholly_declined(refund):
        reasons = declined_messages(refund)
        raise Permanent(f"the refund was declined: {'; '.join(reasons)}", status=201, reasons=reasons)
    if declined_messages(refund):
        logger.warning(
            "part of a BigCommerce refund was declined",
            extra={"shop": rest.store_hash, "order": order_id, "refund": record.platform_id},
        )
    return record


async def list_refunds(
    rest: BigCommerceREST, order_id: str, currency: str | None = None
) -> tuple[RefundRecord, ...]:
    """The order's refunds that moved money (ascending by id), for a reconcile before a retry."""
    refunds, whole = await _refunds(rest, path_id(order_id))
    if not whole:
        raise Transient(f"could not list every refund of order {order_id}")
    return refund_records(refunds, currency)


def parse_quote(
    quote: Resource,
    *,
    lines: tuple[SuggestedRefundLine, ...],
    shipping: Decimal,
    shipping_refundable: Decimal,
    currency: str,
) -> SuggestedRefund:
    """A quote's ``data`` as a ``SuggestedRefund``. What leaves the shop is the chosen method's
    total (what the refund must send); ``total_refund_amount`` stands in when no method is
    offered. Tax is the quote's; the subtotal is the rest after shipping [unverified how
    ``tax_inclusive: false`` splits amounts, as the fact sheet's example has no tax]."""
    method = choose_method(quote.get("refund_methods"))
    amount = sum((decimal(option.get("amount")) for option in method), ZERO)
    if not method:
        amount = decimal(quote.get("total_refund_amount"))
    tax = decimal(quote.get("total_refund_tax_amount"))
    return SuggestedRefund(
        amount=amount,
        subtotal=amount - tax - shipping,
        tax=tax,
        shipping=shipping,
        shipping_refundable=shipping_refundable,
        currency=currency,
        lines=lines,
        transactions=tuple(_transaction(option) for option in method),
    )


def choose_method(refund_methods: object) -> list[Resource]:
    """The refund method to suggest (module docstring): online to the original payment first."""
    methods = [
        options
        for method in (refund_methods if isinstance(refund_methods, list) else [])
        if (options := [option for option in mappings(method) if text(option.get("provider_id"))])
    ]

    def rank(options: list[Resource]) -> tuple[bool, bool]:
        offline = any(option.get("offline") is True for option in options)
        credit_only = all(text(option.get("provider_id")) == STORE_CREDIT for option in options)
        return (offline, credit_only)

    return min(methods, key=rank, default=[])  # min is stable: BigCommerce's order breaks ties


def option_id(provider_id: str, offline: bool) -> str:
    return f"{provider_id}:{OFFLINE if offline else ONLINE}"


def parse_option_id(value: str) -> tuple[str, bool]:
    provider_id, _, mode = value.rpartition(":")
    if not provider_id or mode not in (ONLINE, OFFLINE):
        raise Permanent(f"not a BigCommerce refund method: {value!r}")
    return provider_id, mode == OFFLINE


def _transaction(option: Resource) -> RefundTransaction:
    provider_id = text(option.get("provider_id"))
    return RefundTransaction(
        parent_id=option_id(provider_id, option.get("offline") is True),
        gateway=text(option.get("provider_description")) or provider_id,
        amount=decimal(option.get("amount")),
    )


def _payment(transaction: RefundTransaction) -> dict[str, Any]:
    provider_id, offline = parse_option_id(transaction.parent_id)
    return {"provider_id": provider_id, "amount": _number(transaction.amount), "offline": offline}


def _product_item(line: RefundLineRequest) -> dict[str, Any]:
    return {"item_type": "PRODUCT", "item_id": int(path_id(line.line_item_id)), "quantity": line.quantity}


def _refundable_shipping(addresses: Sequence[Resource], refunds: Sequence[Resource]) -> dict[int, Decimal]:
    """Per shipping address: its shipping cost less what refunds that moved money took of it."""
    refunded: dict[int, Decimal] = {}
    for refund in refunds:
        if wholly_declined(refund):
            continue
        for item in mappings(refund.get("items")):
            if text(item.get("item_type")) == "SHIPPING":
                address_id = integer(item.get("item_id"))
                refunded[address_id] = refunded.get(address_id, ZERO) + decimal(item.get("requested_amount"))
    return {
        address_id: max(ZERO, decimal(address.get("cost_inc_tax")) - refunded.get(address_id, ZERO))
        for address in addresses
        if (address_id := integer(address.get("id"))) > 0
    }


def _shipping_items(shipping: ShippingRefund, refundable: Mapping[int, Decimal]) -> list[dict[str, Any]]:
    """SHIPPING items: everything refundable when ``full``; else ``amount`` spread over the
    addresses in order, each up to what it has left (any excess goes on the first, and the store
    refuses it with its own message)."""
    if shipping.full:
        return [_shipping_item(address_id, left) for address_id, left in refundable.items() if left > 0]
    remaining = shipping.amount
    if remaining <= 0:
        return []
    if not refundable:
        raise Permanent("this order has no shipping address to refund shipping on")
    shares: dict[int, Decimal] = {}
    for address_id, left in refundable.items():
        share = min(left, remaining)
        if share > 0:
            shares[address_id] = share
            remaining -= share
    if remaining > 0:
        first = next(iter(refundable))
        shares[first] = shares.get(first, ZERO) + remaining
    return [_shipping_item(address_id, amount) for address_id, amount in shares.items()]


def _shipping_item(address_id: int, amount: Decimal) -> dict[str, Any]:
    return {"item_type": "SHIPPING", "item_id": address_id, "amount": _number(amount)}


async def _refunds(rest: BigCommerceREST, order_id: str) -> tuple[list[Resource], bool]:
    return await v3_all(
        rest, f"v3/orders/{order_id}/payment_actions/refunds", "the order's refunds", documents_paging=False
    )


def _number(amount: Decimal) -> float:
    """Amounts go out as JSON numbers, as the reference's examples send them; two decimals
    survive a float exactly enough to print back the same."""
    return float(amount.quantize(Decimal("0.01")))
