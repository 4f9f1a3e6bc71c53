"""Finding customers (by name, email, phone or order number) and a customer's summary.

Every search is a range scan on one of the shop's indexes — (shop, name_key), (shop, email),
(shop, phone), (shop, number) — read in index order and paginated by keyset: the cursor carries
the last row's (key, id), so page 1000 costs what page 1 costs (OFFSET would re-read every row
before it; app.services.keyset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tortoise.expressions import Q

from app.models import Customer, Order
from app.services.keyset import Cursor, Page, after, take

PAGE_SIZE = 25
MAX_QUERY = 200
# Greater than any character: "abc" <= key < "abc" + TOP is "key starts with abc" on an index.
TOP = "\U0010ffff"
RECENT_ORDERS = 10


class SearchKind(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    ORDER = "order"


@dataclass(frozen=True)
class CustomerHit:
    customer: Customer
    order_number: str | None = None  # the order that matched, for an order-number search


def name_key(text: str) -> str:
    """The form of a name that ``Customer.name_key`` holds: lower-cased, single spaces."""
    return " ".join(text.lower().split())


def search_kind(query: str) -> SearchKind:
    if "@" in query:
        return SearchKind.EMAIL
    if query.startswith("#"):
        return SearchKind.ORDER
    if query.startswith("+") or (len(query) >= 7 and re.fullmatch(r"[\d\s().-]+", query)):
        return SearchKind.PHONE
    if re.fullmatch(r"[0-9]+", query):
        return SearchKind.ORDER  # BigCommerce order numbers are bare ids
    return SearchKind.NAME


async def search_customers(
    shop_id: int, query: str, cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> Page[CustomerHit]:
    """The shop's customers whose name, email or phone starts with ``query``, or who placed an
    order whose number starts with it; in index order, ``limit`` at a time."""
    query = query.strip()[:MAX_QUERY]
    kind = search_kind(query)
    if kind is SearchKind.ORDER:
        return await _by_order_number(shop_id, query, cursor, limit)
    field, prefix = {
        SearchKind.NAME: ("name_key", name_key(query)),
        SearchKind.EMAIL: ("email", query.lower()),
        SearchKind.PHONE: ("phone", query),
    }[kind]
    rows = Customer.filter(shop_id=shop_id, deleted_at=None)
    if prefix:
        rows = rows.filter(**{f"{field}__gte": prefix, f"{field}__lt": prefix + TOP})
    page = await take(
        rows.filter(after(field, cursor)).order_by(field, "id"), limit, lambda c: getattr(c, field)
    )
    return Page([CustomerHit(c) for c in page.items], page.next)


async def _by_order_number(shop_id: int, query: str, cursor: Cursor | None, limit: int) -> Page[CustomerHit]:
    # Shopify numbers are "#1001", BigCommerce's are bare ids: "1001" means either.
    prefixes = [query] if query.startswith("#") else [f"#{query}", query]
    ranges = Q(*(Q(number__gte=p, number__lt=p + TOP) for p in prefixes), join_type=Q.OR)
    orders = Order.filter(ranges, shop_id=shop_id)
    page = await take(
        orders.filter(after("number", cursor), customer_id__not_isnull=True)
        .order_by("number", "id")
        .prefetch_related("customer"),
        limit,
        lambda o: o.number,
    )
    hits = [CustomerHit(o.customer, o.number) for o in page.items if o.customer.deleted_at is None]
    return Page(hits, page.next)


@dataclass(frozen=True)
class CustomerSummary:
    customer: Customer
    order_count: int
    # Net of refunds, of orders that were not cancelled and not test orders, by currency: a
    # customer can buy in several, and amounts in different currencies do not add up.
    spend_by_currency: dict[str, Decimal]
    recent_orders: list[Order]

    @property
    def tags(self) -> list[str]:
        return [tag.strip() for tag in self.customer.tags.split(",") if tag.strip()]


async def customer_summary(shop_id: int, customer_id: int) -> CustomerSummary | None:
    """The shop's customer with what they spent, or None (unknown, or another shop's)."""
    customer = await Customer.get_or_none(id=customer_id, shop_id=shop_id, deleted_at=None)
    if customer is None:
        return None
    # From our own orders rather than the platform's counters, which stop at the last sync of
    # the customer record; the (customer, placed_at) index makes this a short range read.
    totals = await Order.filter(shop_id=shop_id, customer_id=customer_id, test=False).values_list(
        "total_price", "total_refunded", "currency", "cancelled_at"
    )
    spend: dict[str, Decimal] = {}
    for price, refunded, currency, cancelled in totals:
        if cancelled is None:
            spend[currency] = spend.get(currency, Decimal("0")) + Decimal(price) - Decimal(refunded)
    recent = (
        await Order.filter(shop_id=shop_id, customer_id=customer_id)
        .order_by("-placed_at", "-id")
        .limit(RECENT_ORDERS)
    )
    return CustomerSummary(
        customer=customer,
        order_count=len(totals),
        spend_by_currency=dict(sorted(spend.items(), key=lambda item: -item[1]))
        or {customer.currency or "": Decimal("0")},
        recent_orders=list(recent),
    )
