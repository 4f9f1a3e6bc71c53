"""suggestedRefund and refundCreate on the devstore, driven by the app's own connector
(``connectors.shopify.refunds``): Shopify's amounts, its validation as userErrors with nothing
written, the order's books after a refund, the webhooks it sends, and the fault switches that make
a refund time out after it was applied or fail with a 5xx before it was."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.base import RefundLineRequest, RefundTransaction, ShippingRefund
from connectors.errors import Transient
from connectors.shopify.errors import UserErrors
from connectors.shopify.graphql import RetryPolicy, ShopifyGraphQL
from connectors.shopify.refunds import create_refund, suggest_refund
from connectors.shopify.sync import fetch_order
from connectors.shopify.throttle import CostBucket
from devstore.models import FinancialStatus, Order
from tests.devstore.graphql_support import API_VERSION, Connected, StaticTokens, connected
from tests.devstore.shopify_support import DEMO, Receiver


def pick(c: Connected, wanted: Callable[[Order], bool]) -> Order:
    return next(o for o in c.store.list_orders(DEMO, limit=250).items if wanted(o))


def untouched_paid(order: Order) -> bool:
    """Paid, fully shipped, never refunded: every unit and cent still refundable."""
    return (
        order.financial_status is FinancialStatus.PAID
        and order.fulfillment_status.value == "fulfilled"
        and not order.refunds
        and order.cancelled_at is None
    )


async def platform_refunds(c: Connected, order_id: int) -> dict[str, Any]:
    response = await c.devstore.get(f"/_devstore/shopify/{DEMO}/orders/{order_id}/refunds")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def refund_units(c: Connected, order: Order, lines: list[RefundLineRequest]) -> Any:
    """Quote, then refund exactly the quote: what the app's refund job does."""
    quote = await suggest_refund(c.graphql, str(order.id), lines, ShippingRefund())
    return await create_refund(
        c.graphql,
        str(order.id),
        lines,
        ShippingRefund(),
        quote.transactions,
        note="test",
        notify=False,
    )


async def test_a_suggestion_prices_units_pro_rata_and_names_the_sale_to_refund(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, lambda o: untouched_paid(o) and any(li.quantity >= 2 for li in o.line_items))
        line = next(li for li in order.line_items if li.quantity >= 2)

        quote = await suggest_refund(
            c.graphql, str(order.id), [RefundLineRequest(str(line.id), 1, "return")], ShippingRefund()
        )

    unit = (line.net_total / line.quantity).quantize(Decimal("0.01"))
    unit_tax = (line.total_tax / line.quantity).quantize(Decimal("0.01"))
    assert (quote.subtotal, quote.tax, quote.shipping) == (unit, unit_tax, Decimal("0.00"))
    assert quote.amount == unit + unit_tax and quote.currency == order.currency
    assert [(q.line_item_id, q.quantity, q.refundable_quantity) for q in quote.lines] == [
        (str(line.id), 1, line.quantity)
    ]
    assert quote.transactions == (
        RefundTransaction(str(order.id * 10), "shopify_payments", unit + unit_tax, "suggested_refund"),
    )


async def test_a_suggestion_caps_quantities_and_shipping_at_what_is_left(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, lambda o: untouched_paid(o) and o.total_shipping > 0)
        line = order.line_items[0]
        quote = await suggest_refund(
            c.graphql,
            str(order.id),
            [RefundLineRequest(str(line.id), line.quantity + 5, "no_restock")],
            ShippingRefund(amount=order.total_shipping + 100),
        )
    assert quote.lines[0].quantity == line.quantity
    assert quote.shipping == quote.shipping_refundable == order.total_shipping
    assert quote.amount == order.total_price, "every unit, its tax and all shipping: the whole order"


async def test_a_refund_changes_the_books_and_sends_refunds_create_and_orders_updated(tmp_path: Path) -> None:
    receiver = Receiver()
    async with connected(tmp_path, receiver) as c:
        order = pick(c, untouched_paid)
        line = order.line_items[0]
        lines = [RefundLineRequest(str(line.id), 1, "return")]
        quote = await suggest_refund(c.graphql, str(order.id), lines, ShippingRefund())

        record = await create_refund(
            c.graphql,
            str(order.id),
            lines,
            ShippingRefund(),
            quote.transactions,
            note="Damaged [aftercare:rf_1]",
            notify=False,
        )

        assert record.amount == quote.amount and record.note == "Damaged [aftercare:rf_1]"
        assert [(r.line_item_id, r.quantity, r.restock_type) for r in record.lines] == [
            (str(line.id), 1, "return")
        ]
        read = await fetch_order(c.graphql, str(order.id))
        assert read is not None
        assert read.total_refunded == quote.amount and read.financial_status == "partially_refunded"
        assert [r.platform_id for r in read.refunds] == [record.platform_id]
        read_line = next(li for li in read.line_items if li.platform_id == str(line.id))
        assert read_line.refundable_quantity == line.quantity - 1
        held = await platform_refunds(c, order.id)
        assert [r["id"] for r in held["refunds"]] == [int(record.platform_id)]
        for _ in range(100):  # webhooks leave in the background
            if len(receiver.received) >= 2:
                break
            await asyncio.sleep(0.02)

    topics = [r.headers["x-shopify-topic"] for r in receiver.received]
    assert sorted(topics) == ["orders/updated", "refunds/create"]
    refund_body = next(
        r.payload for r in receiver.received if r.headers["x-shopify-topic"] == "refunds/create"
    )
    assert refund_body["id"] == int(record.platform_id) and refund_body["order_id"] == order.id


async def test_refunding_everything_in_parts_refunds_exactly_what_was_paid(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, lambda o: untouched_paid(o) and sum(li.quantity for li in o.line_items) >= 3)
        for line in order.line_items:
            for _ in range(line.quantity):
                await refund_units(c, order, [RefundLineRequest(str(line.id), 1, "no_restock")])
        quote = await suggest_refund(c.graphql, str(order.id), [], ShippingRefund(full=True))
        shipping = (
            await create_refund(
                c.graphql,
                str(order.id),
                [],
                ShippingRefund(full=True),
                quote.transactions,
                note="",
                notify=False,
            )
            if quote.amount > 0
            else None
        )
        held = await platform_refunds(c, order.id)

        with pytest.raises(UserErrors, match="more items than were purchased"):
            await create_refund(
                c.graphql,
                str(order.id),
                [RefundLineRequest(str(order.line_items[0].id), 1, "no_restock")],
                ShippingRefund(),
                [],
                note="",
                notify=False,
            )

    assert Decimal(held["total_refunded"]) == order.total_price
    assert held["financial_status"] == "refunded"
    assert shipping is None or shipping.amount == order.total_shipping


async def test_the_suggested_transactions_can_be_refunded_as_they_come(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, untouched_paid)
        lines = [RefundLineRequest(str(order.line_items[0].id), 1, "no_restock")]
        quote = await suggest_refund(c.graphql, str(order.id), lines, ShippingRefund())
        record = await create_refund(
            c.graphql, str(order.id), lines, ShippingRefund(), quote.transactions, note="", notify=False
        )
    assert record.amount == quote.amount


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("too_many", "more items than were purchased"),
        ("too_much_money", "exceeds the refundable"),
        ("foreign_line", "Line item does not exist on this order"),
        ("foreign_parent", "Parent transaction does not exist"),
        ("too_much_shipping", "Shipping refund amount"),
        ("unknown_order", "Order does not exist"),
    ],
)
async def test_what_shopify_refuses_comes_back_as_user_errors_and_changes_nothing(
    tmp_path: Path, case: str, message: str
) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, untouched_paid)
        other = pick(c, lambda o: o.id != order.id)
        line = order.line_items[0]
        order_id = str(order.id)
        lines = [RefundLineRequest(str(line.id), 1, "no_restock")]
        shipping = ShippingRefund()
        sale = RefundTransaction(str(order.id * 10), "shopify_payments", Decimal("1.00"))
        transactions = [sale]
        if case == "too_many":
            lines = [RefundLineRequest(str(line.id), line.quantity + 1, "no_restock")]
        elif case == "too_much_money":
            transactions = [RefundTransaction(sale.parent_id, sale.gateway, order.total_price + 1)]
        elif case == "foreign_line":
            lines = [RefundLineRequest(str(other.line_items[0].id), 1, "no_restock")]
        elif case == "foreign_parent":
            transactions = [RefundTransaction(str(other.id * 10), sale.gateway, sale.amount)]
        elif case == "too_much_shipping":
            shipping = ShippingRefund(amount=order.total_shipping + 1)
        elif case == "unknown_order":
            order_id = "1"

        with pytest.raises(UserErrors, match=message):
            await create_refund(c.graphql, order_id, lines, shipping, transactions, note="", notify=False)
        held = await platform_refunds(c, order.id)

    assert held["refunds"] == [] and held["financial_status"] == "paid"


async def test_restock_types_must_fit_the_units(tmp_path: Path) -> None:
    """The connector never sends LEGACY_RESTOCK (it maps unknown words to NO_RESTOCK), so these
    are sent raw: LEGACY_RESTOCK is refused, RETURN needs shipped units, CANCEL unshipped ones."""
    async with connected(tmp_path) as c:
        order = pick(c, lambda o: o.fulfillment_status.value == "partial" and not o.refunds)
        shipped = {fl.line_item_id for f in order.fulfillments for fl in f.lines}
        unshipped = next(li for li in order.line_items if li.id not in shipped)
        document = """mutation R($input: RefundInput!) { refundCreate(input: $input) {
            refund { id } userErrors { field message } } }"""

        async def refused(restock: str) -> list[dict[str, Any]]:
            line = {
                "lineItemId": f"gid://shopify/LineItem/{unshipped.id}",
                "quantity": 1,
                "restockType": restock,
            }
            data = await c.graphql.query(
                document, {"input": {"orderId": f"gid://shopify/Order/{order.id}", "refundLineItems": [line]}}
            )
            errors: list[dict[str, Any]] = data["refundCreate"]["userErrors"]
            return errors

        assert "LEGACY_RESTOCK" in (await refused("LEGACY_RESTOCK"))[0]["message"]
        assert (await refused("RETURN"))[0]["field"] == ["input", "refundLineItems", "0", "restockType"]
        assert await refused("CANCEL") == [], "an unshipped unit can be cancelled"


async def test_refunds_of_the_last_units_at_once_make_one_refund(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, untouched_paid)
        line = order.line_items[0]
        lines = [RefundLineRequest(str(line.id), line.quantity, "no_restock")]
        quote = await suggest_refund(c.graphql, str(order.id), lines, ShippingRefund())
        # A plan whose bucket admits every call at once, so they really run together.
        await c.devstore.post(
            f"/_devstore/shopify/{DEMO}/api-limits",
            json={"restore_rate": 1000, "maximum_available": 20000, "currently_available": 20000},
        )
        outcomes = await asyncio.gather(
            *(
                create_refund(
                    c.graphql,
                    str(order.id),
                    lines,
                    ShippingRefund(),
                    quote.transactions,
                    note=f"click {n}",
                    notify=False,
                )
                for n in range(5)
            ),
            return_exceptions=True,
        )
        held = await platform_refunds(c, order.id)

    assert len(held["refunds"]) == 1
    assert sum(isinstance(o, UserErrors) for o in outcomes) == 4


class ReadTimeoutTransport(httpx.AsyncBaseTransport):
    """What a network transport does and ASGITransport does not: give up reading after the
    request's read timeout."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        read = request.extensions.get("timeout", {}).get("read")
        try:
            return await asyncio.wait_for(self.inner.handle_async_request(request), read)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out reading the answer", request=request) from exc


async def test_a_refund_that_times_out_after_it_was_applied_exists_once_on_the_platform(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    async with connected(tmp_path, receiver) as c:
        order = pick(c, lambda o: untouched_paid(o) and len(o.line_items) >= 2)
        armed = await c.devstore.post(
            f"/_devstore/shopify/{DEMO}/faults",
            json={"mutation": "refundCreate", "mode": "timeout", "delay_seconds": 5},
        )
        assert armed.status_code == 200, armed.text
        assert armed.json()["faults"][0]["times"] == 1
        impatient = ShopifyGraphQL(
            httpx.AsyncClient(transport=ReadTimeoutTransport(c.app_http._transport), timeout=0.3),
            DEMO,
            API_VERSION,
            StaticTokens(c.token),
            bucket=CostBucket(),
            retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02),
        )
        line = order.line_items[0]
        lines = [RefundLineRequest(str(line.id), 1, "no_restock")]
        quote = await suggest_refund(c.graphql, str(order.id), lines, ShippingRefund())

        with pytest.raises(Transient, match="timed out"):
            await create_refund(
                impatient,
                str(order.id),
                lines,
                ShippingRefund(),
                quote.transactions,
                note="k1",
                notify=False,
            )
        held = await platform_refunds(c, order.id)
        disarmed = (await c.devstore.get(f"/_devstore/shopify/{DEMO}/faults")).json()
        # The fault fired once: the next call answers at once.
        again = await refund_units(
            c, order, [RefundLineRequest(str(order.line_items[1].id), 1, "no_restock")]
        )

    assert [r["note"] for r in held["refunds"]] == ["k1"], "applied exactly once, despite the timeout"
    assert disarmed == {"faults": []}
    assert again.note == "test"


async def test_a_5xx_fault_applies_nothing_until_it_is_used_up(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, untouched_paid)
        armed = await c.devstore.post(
            f"/_devstore/shopify/{DEMO}/faults",
            json={"mutation": "refundCreate", "mode": "error", "times": 2},
        )
        assert armed.status_code == 200
        lines = [RefundLineRequest(str(order.line_items[0].id), 1, "no_restock")]
        for _ in range(2):
            with pytest.raises(Transient, match="503"):
                await refund_units(c, order, lines)
            assert (await platform_refunds(c, order.id))["refunds"] == []
        await refund_units(c, order, lines)
        held = await platform_refunds(c, order.id)
    assert len(held["refunds"]) == 1


async def test_a_fault_fires_only_for_its_mutation(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = pick(c, untouched_paid)
        await c.devstore.post(
            f"/_devstore/shopify/{DEMO}/faults", json={"mutation": "refundCreate", "mode": "error"}
        )
        # A query (suggestedRefund) and another shop's state are untouched.
        await suggest_refund(c.graphql, str(order.id), [], ShippingRefund())
        listed = (await c.devstore.get(f"/_devstore/shopify/{DEMO}/faults")).json()["faults"]
        cleared = await c.devstore.delete(f"/_devstore/shopify/{DEMO}/faults")
    assert [f["mutation"] for f in listed] == ["refundCreate"]
    assert cleared.json() == {"faults": []}


@pytest.mark.parametrize(
    "body",
    [
        {"mutation": "refundCreate", "mode": "explode"},
        {"mutation": "", "mode": "error"},
        {"mutation": "refundCreate", "mode": "error", "times": 0},
        {"mutation": "refundCreate", "mode": "timeout", "delay_seconds": 1000},
        {"mutation": "refundCreate", "mode": "error", "status": 200},
    ],
)
async def test_malformed_faults_are_refused(tmp_path: Path, body: dict[str, Any]) -> None:
    async with connected(tmp_path) as c:
        response = await c.devstore.post(f"/_devstore/shopify/{DEMO}/faults", json=body)
        listed = (await c.devstore.get(f"/_devstore/shopify/{DEMO}/faults")).json()
    assert response.status_code == 422 and "error" in response.json()
    assert listed == {"faults": []}


async def test_the_refunds_of_an_unknown_order_are_a_404(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        response = await c.devstore.get(f"/_devstore/shopify/{DEMO}/orders/1/refunds")
    assert response.status_code == 404
