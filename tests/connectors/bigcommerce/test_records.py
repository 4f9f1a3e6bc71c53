"""BigCommerce resources -> connector records: dates, statuses, line items, shipments, refunds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.services.orders import FINANCIAL_STATUSES, FULFILLMENT_STATUSES
from connectors.base import FulfillmentLineRecord, RefundLineRecord
from connectors.bigcommerce.dates import filter_value, parse_moment
from connectors.bigcommerce.records import parse_customer, parse_order, parse_refund, refund_records
from connectors.bigcommerce.statuses import STATUSES, financial_status, fulfillment_status
from connectors.errors import Permanent
from tests.connectors.bigcommerce.fakes import fixture

ORDERS = fixture("orders_page.json")


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 05 Dec 2018 20:16:55 +0000", datetime(2018, 12, 5, 20, 16, 55, tzinfo=UTC)),
        ("Thu, 20 Apr 2017 11:32:00 -0400", datetime(2017, 4, 20, 15, 32, tzinfo=UTC)),
        ("Thu, 20 Apr 2017 11:32:00 -0000", datetime(2017, 4, 20, 11, 32, tzinfo=UTC)),  # "UTC, zone unknown"
        ("2017-04-20T11:32:00.000-04:00", datetime(2017, 4, 20, 15, 32, tzinfo=UTC)),
        ("2024-05-14T09:34:00Z", datetime(2024, 5, 14, 9, 34, tzinfo=UTC)),
    ],
)
def test_rfc_2822_and_iso_8601_dates_become_the_same_instants(text: str, expected: datetime) -> None:
    parsed = parse_moment(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["", "yesterday", "Wed, 99 Foo 2018", None, 1544041015])
def test_unreadable_dates_are_none(text: object) -> None:
    assert parse_moment(text) is None


def test_filters_are_sent_as_utc_iso_8601() -> None:
    local = datetime(2018, 12, 5, 15, 16, 55, 123456, tzinfo=timezone(timedelta(hours=-5)))
    assert filter_value(local) == "2018-12-05T20:16:55+00:00"


# --- orders -----------------------------------------------------------------------------------------


def test_an_order_reads_its_v2_fields_and_children() -> None:
    order = parse_order(ORDERS[0], fixture("order_products.json"), [], [])

    assert order.platform_id == order.number == "100"
    assert order.created_at == datetime(2018, 1, 10, 21, 5, 30, tzinfo=UTC)
    assert order.updated_at == datetime(2018, 12, 5, 20, 16, 55, tzinfo=UTC)
    assert order.email == "janedoe@example.com"
    assert order.customer_id == "20"
    assert order.locale == "en"
    assert (order.financial_status, order.fulfillment_status) == ("paid", "unfulfilled")
    assert order.currency == "USD"
    assert order.total_price == Decimal("361.95")
    assert order.subtotal == Decimal("335")
    assert order.total_tax == Decimal("14")
    assert order.total_shipping == Decimal("12.99")
    assert order.returns == ()
    assert order.incomplete == frozenset()

    (line,) = order.line_items
    assert line.platform_id == "65"  # the order product id: also the refund item_id
    assert (line.title, line.sku, line.variant_title) == ("Towel", "S-ORAN", "Orange / Large")
    assert (line.product_id, line.variant_id) == ("77", "1")
    assert (line.quantity, line.refundable_quantity, line.unfulfilled_quantity) == (2, 2, 2)
    assert line.price == Decimal("55.99")
    assert line.total_discount == Decimal("4.5")


def test_a_guest_order_has_no_customer_and_discounts_add_up() -> None:
    order = parse_order(ORDERS[1], [], [], [])
    assert order.customer_id is None
    assert order.email == "guest@example.com"
    assert order.total_discounts == Decimal("7.5")
    assert order.total_refunded == Decimal("65.99")
    assert order.financial_status == "partially_refunded"


def test_an_order_without_a_readable_creation_date_is_refused() -> None:
    with pytest.raises(Permanent, match="date_created"):
        parse_order({**ORDERS[0], "date_created": "soon"}, [], [], [])


def test_a_cancelled_order_is_voided_and_takes_its_last_change_as_cancellation_time() -> None:
    order = parse_order({**ORDERS[0], "status_id": 5}, [], [], [])
    assert order.financial_status == "voided"
    assert order.cancelled_at == order.updated_at


@pytest.mark.parametrize(
    ("status_id", "shipped", "financial", "fulfillment"),
    [
        (0, 0, "pending", "unfulfilled"),
        (1, 0, "pending", "unfulfilled"),
        (2, 2, "paid", "fulfilled"),
        (3, 1, "paid", "partial"),
        (4, 2, "refunded", "fulfilled"),
        (4, 0, "refunded", "unfulfilled"),
        (7, 0, "pending", "unfulfilled"),
        (9, 0, "paid", "unfulfilled"),
        (10, 0, "paid", "fulfilled"),  # completed without shipping: digital goods
        (11, 0, "paid", "unfulfilled"),
        (14, 1, "partially_refunded", "partial"),
    ],
)
def test_status_ids_map_to_our_financial_and_fulfillment_words(
    status_id: int, shipped: int, financial: str, fulfillment: str
) -> None:
    assert financial_status(status_id) == financial
    assert fulfillment_status(status_id, items_total=2, items_shipped=shipped) == fulfillment


def test_every_documented_status_id_is_mapped_to_a_word_the_models_know() -> None:
    assert sorted(STATUSES) == list(range(15))
    for meaning in STATUSES.values():
        assert meaning.financial in FINANCIAL_STATUSES
        assert meaning.fulfillment is None or meaning.fulfillment in FULFILLMENT_STATUSES


def test_an_unknown_status_has_no_financial_word() -> None:
    assert financial_status(99) is None


# --- shipments and refunds ------------------------------------------------------------------------


def test_a_shipment_becomes_a_fulfillment_with_tracking() -> None:
    order = parse_order(ORDERS[1], [], fixture("order_shipments.json"), [])

    (shipment,) = order.fulfillments
    assert shipment.platform_id == "7"
    assert shipment.status == "success"
    assert shipment.tracking_number == "1Z999AA10123456784"
    assert shipment.tracking_company == "ups"
    assert shipment.tracking_url is not None and shipment.tracking_url.startswith("https://wwwapps.ups.com/")
    assert shipment.created_at == datetime(2018, 12, 7, 10, 15, tzinfo=UTC)
    assert shipment.lines == (FulfillmentLineRecord(line_item_id="66", quantity=2),)


def test_a_refund_reads_its_product_items_as_lines_and_its_reasons_as_note() -> None:
    refund = parse_refund(fixture("refund_created.json")["data"], "USD")

    assert refund.platform_id == "1"
    assert refund.amount == Decimal("65.99")
    assert refund.currency == "USD"
    assert refund.created_at == datetime(2024, 5, 14, 9, 34, tzinfo=UTC)
    assert refund.note == "Damaged [aftercare:rf_1]"  # the same reason on two items, once
    assert refund.lines == (
        RefundLineRecord(line_item_id="65", quantity=1, restock_type="no_restock", amount=Decimal("55.99")),
    )


def test_a_refund_whose_every_payment_was_declined_moved_no_money_and_is_left_out() -> None:
    declined = fixture("refund_declined.json")["data"]
    created = fixture("refund_created.json")["data"]

    records = refund_records([created, declined], "USD")

    assert [record.platform_id for record in records] == ["1"]


def test_a_partly_declined_refund_counts_only_the_payments_that_went_through() -> None:
    refund = fixture("refund_created.json")["data"]
    payments = [
        {"id": 1, "provider_id": "storecredit", "amount": 20, "offline": False, "is_declined": False},
        {"id": 2, "provider_id": "braintree", "amount": 45.99, "offline": False, "is_declined": True},
    ]

    assert parse_refund({**refund, "payments": payments}).amount == Decimal("20")


# --- customers --------------------------------------------------------------------------------------


def test_a_v3_customer_becomes_a_customer_record() -> None:
    customer = parse_customer(fixture("customers_page.json")["data"][0])

    assert customer.platform_id == "32"
    assert customer.email == "jane.smith@example.com"
    assert (customer.first_name, customer.last_name, customer.phone) == ("Jane", "Smith", "555-123-4567")
    assert customer.created_at == datetime(2024, 5, 14, 9, 34, tzinfo=UTC)
    assert customer.updated_at == datetime(2024, 5, 15, 10, tzinfo=UTC)
    assert customer.accepts_marketing is True
    assert (customer.orders_count, customer.total_spent) == (0, Decimal("0"))
