"""Refunds: quote, then refund once; declines and refusals in the store's words; a lost answer is
never answered by a second POST."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from connectors.base import RefundLineRequest, RefundTransaction, ShippingRefund
from connectors.bigcommerce import refunds
from connectors.bigcommerce.refunds import choose_method, parse_option_id
from connectors.errors import Permanent, Transient
from tests.connectors.bigcommerce.fakes import API, FakeTime, fixture, make_rest, ok, sent, v3_list

ORDER = API + "v2/orders/100"
QUOTES = API + "v3/orders/100/payment_actions/refund_quotes"
REFUNDS = API + "v3/orders/100/payment_actions/refunds"
LINE = RefundLineRequest("65", 1, "return")
NOTE = "Damaged [aftercare:rf_1]"


def _order_reads(existing_refunds: list[dict[str, Any]] | None = None) -> respx.Route:
    respx.get(ORDER).mock(return_value=ok(fixture("orders_page.json")[0]))
    respx.get(ORDER + "/products").mock(return_value=ok(fixture("order_products.json")))
    respx.get(ORDER + "/shipping_addresses").mock(return_value=ok(fixture("order_shipping_addresses.json")))
    return respx.get(REFUNDS).mock(return_value=ok(v3_list(existing_refunds or [])))


@respx.mock
async def test_a_quote_then_a_refund_with_the_quoted_method(http: httpx.AsyncClient, time: FakeTime) -> None:
    _order_reads()
    quote_route = respx.post(QUOTES).mock(return_value=ok(fixture("refund_quote.json"), 201))
    refund_route = respx.post(REFUNDS).mock(return_value=ok(fixture("refund_created.json"), 201))
    rest = make_rest(http, time)

    quote = await refunds.suggest_refund(rest, "100", [LINE], ShippingRefund(amount=Decimal("10")))

    assert sent(quote_route.calls.last.request) == {
        "items": [
            {"item_type": "PRODUCT", "item_id": 65, "quantity": 1},
            {"item_type": "SHIPPING", "item_id": 51, "amount": 10.0},
        ]
    }
    assert (quote.amount, quote.subtotal, quote.tax, quote.shipping) == (
        Decimal("65.99"),
        Decimal("55.99"),
        Decimal("0"),
        Decimal("10"),
    )
    assert quote.shipping_refundable == Decimal("12.99")
    assert quote.currency == "USD"
    assert [(line.line_item_id, line.quantity, line.refundable_quantity) for line in quote.lines] == [
        ("65", 1, 2)
    ]
    # Of the two methods offered, the one back to the card; never both (that would refund twice).
    assert quote.transactions == (RefundTransaction("braintree:online", "Braintree", Decimal("65.99")),)

    # What the app keeps of a suggestion: parent_id, gateway and amount (kind is not stored).
    kept = [RefundTransaction(t.parent_id, t.gateway, t.amount) for t in quote.transactions]
    record = await refunds.create_refund(
        rest, "100", [LINE], ShippingRefund(amount=Decimal("10")), kept, note=NOTE, notify=True
    )

    assert sent(refund_route.calls.last.request) == {
        "items": [
            {"item_type": "PRODUCT", "item_id": 65, "quantity": 1, "reason": NOTE},
            {"item_type": "SHIPPING", "item_id": 51, "amount": 10.0, "reason": NOTE},
        ],
        "payments": [{"provider_id": "braintree", "amount": 65.99, "offline": False}],
    }
    assert refund_route.call_count == 1
    assert record.platform_id == "1"
    assert record.amount == Decimal("65.99")
    assert NOTE in record.note


@respx.mock
async def test_a_declined_refund_is_permanent_with_the_decline_message(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.post(REFUNDS).mock(return_value=ok(fixture("refund_declined.json"), 201))
    braintree = [RefundTransaction("braintree:online", "Braintree", Decimal("65.99"))]

    with pytest.raises(Permanent) as raised:
        await refunds.create_refund(
            make_rest(http, time), "100", [LINE], ShippingRefund(), braintree, note=NOTE, notify=False
        )

    assert raised.value.reasons == ("Transaction settlement pending: refunds are not yet possible",)


@respx.mock
async def test_a_refused_refund_is_permanent_with_the_stores_message(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(
        return_value=httpx.Response(422, json=fixture("refund_guest_store_credit_422.json"))
    )
    credit = [RefundTransaction("storecredit:online", "Store Credit", Decimal("65.99"))]

    with pytest.raises(Permanent) as raised:
        await refunds.create_refund(
            make_rest(http, time), "100", [LINE], ShippingRefund(), credit, note=NOTE, notify=False
        )

    assert raised.value.status == 422
    assert raised.value.reasons == ("Unable to provide store credit for a guest customer.",)
    assert route.call_count == 1


@respx.mock
async def test_a_lost_answer_is_transient_with_no_second_post_and_the_refund_is_found_by_listing(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(side_effect=httpx.ReadTimeout("timed out"))
    respx.get(REFUNDS).mock(return_value=ok(v3_list([fixture("refund_created.json")["data"]])))
    rest = make_rest(http, time)
    braintree = [RefundTransaction("braintree:online", "Braintree", Decimal("65.99"))]

    with pytest.raises(Transient):
        await refunds.create_refund(rest, "100", [LINE], ShippingRefund(), braintree, note=NOTE, notify=False)
    existing = await refunds.list_refunds(rest, "100")

    assert route.call_count == 1
    assert [(refund.platform_id, refund.amount) for refund in existing] == [("1", Decimal("65.99"))]
    assert "[aftercare:rf_1]" in existing[0].note


@respx.mock
async def test_a_503_from_the_tax_service_is_transient_and_not_repeated(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(
        return_value=httpx.Response(503, json=fixture("refund_tax_service_503.json"))
    )
    braintree = [RefundTransaction("braintree:online", "Braintree", Decimal("65.99"))]

    with pytest.raises(Transient, match="Tax service gone away"):
        await refunds.create_refund(
            make_rest(http, time), "100", [LINE], ShippingRefund(), braintree, note=NOTE, notify=False
        )

    assert route.call_count == 1


@respx.mock
async def test_a_quote_is_asked_again_after_a_5xx_because_it_creates_nothing(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    _order_reads()
    route = respx.post(QUOTES).mock(side_effect=[httpx.Response(502), ok(fixture("refund_quote.json"), 201)])

    quote = await refunds.suggest_refund(make_rest(http, time), "100", [LINE], ShippingRefund())

    assert route.call_count == 2
    assert quote.amount == Decimal("65.99")


@respx.mock
async def test_full_shipping_is_what_is_left_after_earlier_refunds(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    _order_reads(existing_refunds=[fixture("refund_created.json")["data"]])  # took 10 of 12.99
    route = respx.post(QUOTES).mock(return_value=ok(fixture("refund_quote.json"), 201))

    quote = await refunds.suggest_refund(make_rest(http, time), "100", [], ShippingRefund(full=True))

    assert sent(route.calls.last.request)["items"] == [
        {"item_type": "SHIPPING", "item_id": 51, "amount": 2.99}
    ]
    assert quote.shipping_refundable == Decimal("2.99")


@respx.mock
async def test_an_offline_method_is_sent_as_offline(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.post(REFUNDS).mock(return_value=ok(fixture("refund_created.json"), 201))
    custom = [RefundTransaction("custom:offline", "Custom", Decimal("65.99"))]

    await refunds.create_refund(
        make_rest(http, time), "100", [LINE], ShippingRefund(), custom, note="", notify=False
    )

    body = sent(route.calls.last.request)
    assert body["payments"] == [{"provider_id": "custom", "amount": 65.99, "offline": True}]
    assert "reason" not in body["items"][0]


@respx.mock
async def test_a_long_note_keeps_its_end_where_the_reconcile_marker_is(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(return_value=ok(fixture("refund_created.json"), 201))
    note = "x" * 2000 + " [aftercare:rf_1]"
    braintree = [RefundTransaction("braintree:online", "Braintree", Decimal("65.99"))]

    await refunds.create_refund(
        make_rest(http, time), "100", [LINE], ShippingRefund(), braintree, note=note, notify=False
    )

    reason = sent(route.calls.last.request)["items"][0]["reason"]
    assert len(reason) == 1000
    assert reason.endswith(" [aftercare:rf_1]")


async def test_a_refund_without_a_method_is_refused_before_any_call(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.post(REFUNDS)
        with pytest.raises(Permanent, match="refund method"):
            await refunds.create_refund(
                make_rest(http, time), "100", [LINE], ShippingRefund(), [], note="", notify=False
            )
        assert route.call_count == 0


def test_the_method_suggested_is_online_to_the_payment_before_store_credit_before_offline() -> None:
    credit = [{"provider_id": "storecredit", "amount": 10, "offline": False}]
    card = [{"provider_id": "braintree", "amount": 10, "offline": False}]
    bank = [{"provider_id": "bankdeposit", "amount": 10, "offline": True, "offline_provider": True}]
    split = [
        {"provider_id": "bankdeposit", "amount": 6, "offline": True},
        {"provider_id": "storecredit", "amount": 4, "offline": False},
    ]

    assert choose_method([credit, bank, card]) == card
    assert choose_method([bank, credit]) == credit
    assert choose_method([split, bank]) == split  # BigCommerce's order breaks the tie
    assert choose_method([]) == []
    assert choose_method("nonsense") == []


def test_a_method_id_round_trips_and_refuses_anything_else() -> None:
    assert parse_option_id("checkout_paypalexpress:online") == ("checkout_paypalexpress", False)
    assert parse_option_id("custom:offline") == ("custom", True)
    with pytest.raises(Permanent):
        parse_option_id("gid://shopify/OrderTransaction/1")
