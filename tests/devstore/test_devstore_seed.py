"""The seed generator: deterministic, realistic shop data whose money always adds up."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from devstore.models import FinancialStatus, FulfillmentStatus, Order, Platform
from devstore.seed import DEFAULT_NOW, ORDER_WINDOW, SeedData, generate, iter_orders
from devstore.vocabulary import ascii_slug

ORDERS, CUSTOMERS, SEED = 2000, 600, 7


@pytest.fixture(scope="module")
def data() -> SeedData:
    return generate(ORDERS, CUSTOMERS, SEED)


def money_fields(order: Order) -> list[Decimal]:
    values = [
        order.subtotal,
        order.total_discounts,
        order.total_tax,
        order.total_shipping,
        order.total_price,
        order.total_refunded,
    ]
    for li in order.line_items:
        values += [li.price, li.total_discount, li.total_tax]
    for refund in order.refunds:
        values += [refund.amount, refund.shipping]
        values += [v for rl in refund.lines for v in (rl.subtotal, rl.total_tax)]
    return values


# -- determinism ---------------------------------------------------------------------------------


def test_same_arguments_give_identical_data(data: SeedData) -> None:
    assert generate(ORDERS, CUSTOMERS, SEED) == data


def test_a_different_seed_gives_different_data(data: SeedData) -> None:
    other = generate(ORDERS, CUSTOMERS, SEED + 1)
    assert [c.email for c in other.customers] != [c.email for c in data.customers]
    assert [o.id for o in other.orders] != [o.id for o in data.orders]
    assert [o.total_price for o in other.orders] != [o.total_price for o in data.orders]


def test_different_shops_with_the_same_seed_get_different_data() -> None:
    a = generate(50, 20, SEED, shop_domain="a.myshopify.com")
    b = generate(50, 20, SEED, shop_domain="b.myshopify.com")
    assert a.shop.id != b.shop.id
    assert {o.id for o in a.orders}.isdisjoint({o.id for o in b.orders})


def test_the_global_random_generator_is_neither_used_nor_disturbed() -> None:
    import random

    random.seed(1)
    expected_next = random.random()
    random.seed(1)
    first = generate(100, 30, SEED)
    assert random.random() == expected_next
    random.seed(999)
    assert generate(100, 30, SEED) == first


def test_iter_orders_streams_exactly_the_generated_orders(data: SeedData) -> None:
    stream = iter_orders(ORDERS, CUSTOMERS, SEED)
    assert not isinstance(stream, list | tuple)
    assert tuple(stream) == data.orders


def test_dates_come_from_now_never_from_the_clock(data: SeedData) -> None:
    later = DEFAULT_NOW + timedelta(days=30)
    shifted = generate(ORDERS, CUSTOMERS, SEED, now=later)
    assert [o.created_at + timedelta(days=30) for o in data.orders] == [o.created_at for o in shifted.orders]
    real = datetime.now(UTC)
    recent = generate(20, 5, SEED, now=real)
    assert max(o.updated_at for o in recent.orders) <= real
    assert min(o.created_at for o in recent.orders) >= real - ORDER_WINDOW - timedelta(seconds=1)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(1, 1, SEED, now=datetime(2026, 1, 1))


# -- orders --------------------------------------------------------------------------------------


def test_orders_are_numbered_from_1001_and_rise_with_time(data: SeedData) -> None:
    assert [o.number for o in data.orders] == list(range(1001, 1001 + ORDERS))
    assert [o.name for o in data.orders[:2]] == ["#1001", "#1002"]
    created = [o.created_at for o in data.orders]
    assert created == sorted(created)


def test_shopify_ids_are_large_unique_numbers(data: SeedData) -> None:
    order_ids = [o.id for o in data.orders]
    line_ids = [li.id for o in data.orders for li in o.line_items]
    assert len(set(order_ids)) == len(order_ids)
    assert len(set(line_ids)) == len(line_ids)
    assert all(10**12 < i < 2**53 for i in order_ids + line_ids + [c.id for c in data.customers])


def test_bigcommerce_orders_use_their_number_as_id() -> None:
    bc = generate(30, 10, SEED, platform="bigcommerce", shop_domain="acme.mybigcommerce.com")
    assert bc.shop.platform is Platform.BIGCOMMERCE
    assert all(o.id == o.number and o.name == str(o.number) for o in bc.orders)
    assert all(c.id < 10**6 for c in bc.customers)


def test_orders_have_one_to_five_line_items_about_three_on_average(data: SeedData) -> None:
    counts = [len(o.line_items) for o in data.orders]
    assert set(counts) == {1, 2, 3, 4, 5}
    assert 2.7 <= statistics.mean(counts) <= 3.3


def test_line_items_carry_the_catalogue_fields(data: SeedData) -> None:
    catalogue = {p.variant_id: p for p in data.products}
    for li in (li for o in data.orders for li in o.line_items):
        product = catalogue[li.variant_id]
        assert (li.title, li.variant_title, li.sku, li.product_id) == (
            product.title,
            product.variant_title,
            product.sku,
            product.product_id,
        )
        assert li.quantity >= 1
    assert any("final-sale" in p.tags for p in data.products)
    assert any("final-sale" in li.product_tags for o in data.orders for li in o.line_items)
    assert len({p.sku for p in data.products}) == len(data.products)


def test_money_is_decimal_to_the_cent(data: SeedData) -> None:
    for order in data.orders:
        for value in money_fields(order):
            assert isinstance(value, Decimal)
            assert value.as_tuple().exponent == -2, (order.name, value)
            assert value >= 0


def test_order_totals_add_up(data: SeedData) -> None:
    for o in data.orders:
        gross = sum((li.price * li.quantity for li in o.line_items), Decimal(0))
        assert o.total_discounts == sum((li.total_discount for li in o.line_items), Decimal(0))
        assert o.subtotal == gross - o.total_discounts
        assert o.total_tax == sum((li.total_tax for li in o.line_items), Decimal(0))
        assert o.total_price == o.subtotal + o.total_tax + o.total_shipping
        assert o.total_refunded == sum((r.amount for r in o.refunds), Decimal(0))
    assert any(o.total_discounts > 0 for o in data.orders)
    assert any(o.total_shipping == 0 for o in data.orders)
    assert any(o.total_shipping > 0 for o in data.orders)


def test_refunds_never_exceed_what_was_paid(data: SeedData) -> None:
    for o in data.orders:
        assert o.total_refunded <= o.total_paid
        for refund in o.refunds:
            assert (
                refund.amount
                == sum((rl.subtotal + rl.total_tax for rl in refund.lines), Decimal(0)) + refund.shipping
            )
        for li in o.line_items:
            lines = [rl for r in o.refunds for rl in r.lines if rl.line_item_id == li.id]
            assert sum(rl.quantity for rl in lines) <= li.quantity
            assert sum((rl.subtotal for rl in lines), Decimal(0)) <= li.net_total
            assert sum((rl.total_tax for rl in lines), Decimal(0)) <= li.total_tax


def test_financial_status_matches_the_refunds(data: SeedData) -> None:
    statuses = Counter(o.financial_status for o in data.orders)
    assert set(statuses) == set(FinancialStatus)
    assert statuses[FinancialStatus.PAID] > ORDERS / 2
    for o in data.orders:
        if o.financial_status is FinancialStatus.REFUNDED:
            assert o.refunds and o.total_refunded == o.total_price
        elif o.financial_status is FinancialStatus.PARTIALLY_REFUNDED:
            assert o.refunds and 0 < o.total_refunded < o.total_price
        else:
            assert not o.refunds and o.total_refunded == 0
        if o.financial_status is FinancialStatus.PENDING:
            assert o.total_paid == 0 and not o.fulfillments


def test_fulfillment_status_matches_the_fulfillments(data: SeedData) -> None:
    statuses = Counter(o.fulfillment_status for o in data.orders)
    assert set(statuses) == set(FulfillmentStatus)
    assert statuses[FulfillmentStatus.FULFILLED] > ORDERS / 2
    for o in data.orders:
        shipped = Counter[int]()
        for f in o.fulfillments:
            for fl in f.lines:
                shipped[fl.line_item_id] += fl.quantity
        ordered = Counter({li.id: li.quantity for li in o.line_items})
        assert shipped <= ordered
        if o.fulfillment_status is FulfillmentStatus.FULFILLED:
            assert shipped == ordered
        elif o.fulfillment_status is FulfillmentStatus.PARTIAL:
            assert shipped and shipped != ordered
        else:
            assert not o.fulfillments


def test_fulfillments_have_tracking_and_most_are_delivered(data: SeedData) -> None:
    fulfillments = [f for o in data.orders for f in o.fulfillments]
    for f in fulfillments:
        assert f.tracking_company and f.tracking_number
        assert f.tracking_url.startswith("https://") and f.tracking_number in f.tracking_url
        if f.delivered_at is not None:
            assert f.created_at < f.delivered_at <= DEFAULT_NOW
            assert f.shipment_status == "delivered"
    delivered = sum(f.delivered_at is not None for f in fulfillments)
    assert 0.7 < delivered / len(fulfillments) < 1
    assert len({f.tracking_company for f in fulfillments}) >= 5


def test_some_orders_are_cancelled_with_a_reason_and_refunded(data: SeedData) -> None:
    cancelled = [o for o in data.orders if o.cancelled_at is not None]
    assert 0 < len(cancelled) < ORDERS * 0.1
    for o in cancelled:
        assert o.cancel_reason
        assert o.financial_status is FinancialStatus.REFUNDED
        assert o.fulfillment_status is FulfillmentStatus.UNFULFILLED
        assert o.cancelled_at is not None and o.created_at <= o.cancelled_at <= o.updated_at
    assert all(o.cancel_reason is None for o in data.orders if o.cancelled_at is None)


def test_a_small_share_are_test_orders(data: SeedData) -> None:
    assert 0 < sum(o.test for o in data.orders) < ORDERS * 0.05


def test_orders_are_spread_over_the_last_120_days(data: SeedData) -> None:
    start = DEFAULT_NOW - ORDER_WINDOW
    created = [o.created_at for o in data.orders]
    assert start <= min(created) < start + timedelta(days=2)
    assert DEFAULT_NOW - timedelta(days=2) < max(created) <= DEFAULT_NOW
    for o in data.orders:
        assert o.created_at.tzinfo is not None
        assert o.created_at <= o.updated_at <= DEFAULT_NOW
        events = [f.created_at for f in o.fulfillments] + [r.created_at for r in o.refunds]
        assert all(o.created_at <= t <= o.updated_at for t in events)


def test_orders_come_in_several_currencies_matching_the_shopper(data: SeedData) -> None:
    assert {o.currency for o in data.orders} == {"USD", "EUR", "GBP", "CAD"}
    customers = {c.id: c for c in data.customers}
    linked = [o for o in data.orders if o.customer_id is not None]
    assert len(linked) > ORDERS * 0.9
    for o in linked:
        assert o.customer_id is not None
        customer = customers[o.customer_id]
        assert (o.email, o.locale) == (customer.email, customer.locale)
        assert o.currency in {customer.currency, "USD"}


# -- customers -----------------------------------------------------------------------------------


def test_customer_emails_are_unique_and_derived_from_their_names(data: SeedData) -> None:
    emails = [c.email for c in data.customers]
    assert len(set(emails)) == len(emails) == CUSTOMERS
    for c in data.customers:
        local, domain = c.email.split("@")
        assert ascii_slug(c.last_name) in local
        assert re.fullmatch(r"[a-z0-9._]+", local)
        # Reserved names only, so a seeded address can never reach a real mailbox.
        assert domain in {"example.com", "example.net", "example.org", "mail.example", "post.example"}


def test_customers_come_from_several_locales_with_phones_and_tags(data: SeedData) -> None:
    assert {c.locale for c in data.customers} == {"en", "de", "fr", "es"}
    names = " ".join(c.first_name + c.last_name for c in data.customers)
    assert re.search(r"[äöüßéèáíñ]", names, re.IGNORECASE)
    phones = [c.phone for c in data.customers if c.phone]
    assert len(phones) > CUSTOMERS / 2
    assert all(re.fullmatch(r"\+\d{8,15}", p) for p in phones)
    assert any(c.tags for c in data.customers)
    assert any(not c.tags for c in data.customers)
    assert all(c.created_at <= c.updated_at <= DEFAULT_NOW for c in data.customers)


def test_colliding_emails_get_a_number(data: SeedData) -> None:
    # 600 customers over a few hundred name pairs must collide; the suffix keeps them apart.
    assert any(re.search(r"\d@", c.email) for c in data.customers)


def test_no_customers_means_guest_orders_only() -> None:
    guests = generate(20, 0, SEED)
    assert guests.customers == ()
    assert all(o.customer_id is None and "@" in o.email for o in guests.orders)


def test_seed_data_is_frozen(data: SeedData) -> None:
    with pytest.raises(AttributeError):
        data.orders[0].total_price = Decimal("0.00")  # type: ignore[misc]
    assert replace(data.orders[0], total_price=Decimal("1.00")).total_price == Decimal("1.00")
