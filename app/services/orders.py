"""The shop's orders: a filtered list (keyset on placed_at, newest first) and one order in full."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.models import Customer, Fulfillment, LineItem, Order, Refund, Return
from app.services.input import InvalidInput
from app.services.keyset import Cursor, Page, before, take

PAGE_SIZE = 50
# The statuses the platforms report (Shopify REST names; BigCommerce's are mapped to them on sync).
FINANCIAL_STATUSES = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
)
FULFILLMENT_STATUSES = ("unfulfilled", "partial", "fulfilled", "restocked")
SAFE_SCHEMES = ("https://", "http://")


@dataclass(frozen=True)
class OrderFilters:
    financial_status: str | None = None
    fulfillment_status: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None  # inclusive

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters, for the "older" link."""
        pairs = {
            "financial_status": self.financial_status,
            "fulfillment_status": self.fulfillment_status,
            "from": self.placed_from.isoformat() if self.placed_from else None,
            "to": self.placed_to.isoformat() if self.placed_to else None,
        }
        return {name: value for name, value in pairs.items() if value}


def parse_filters(params: Mapping[str, str]) -> OrderFilters:
    """The list's filters from query parameters; ``InvalidInput`` names the first bad one."""
    financial = params.get("financial_status") or None
    if financial is not None and financial not in FINANCIAL_STATUSES:
        raise InvalidInput(f"Unknown payment status {financial!r}.")
    fulfillment = params.get("fulfillment_status") or None
    if fulfillment is not None and fulfillment not in FULFILLMENT_STATUSES:
        raise InvalidInput(f"Unknown fulfillment status {fulfillment!r}.")
    placed_from, placed_to = _date(params, "from"), _date(params, "to")
    if placed_from and placed_to and placed_from > placed_to:
        raise InvalidInput("The start date is after the end date.")
    return OrderFilters(financial, fulfillment, placed_from, placed_to)


def _date(params: Mapping[str, str], name: str) -> date | None:
    text = params.get(name) or None
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{text[:40]!r} is not a date (YYYY-MM-DD).") from exc


def order_cursor(text: str | None) -> tuple[Cursor | None, datetime | None]:
    cursor = Cursor.decode(text)
    if cursor is None:
        return None, None
    try:
        at = datetime.fromisoformat(cursor.key)
    except ValueError as exc:
        raise InvalidInput("The page link is not valid; start from the first page.") from exc
    if at.tzinfo is None:
        raise InvalidInput("The page link is not valid; start from the first page.")
    return cursor, at


async def list_orders(
    shop_id: int, filters: OrderFilters, cursor_text: str | None = None, limit: int = PAGE_SIZE
) -> Page[Order]:
    """Newest first on the (shop, placed_at) index; status filters are checked on the rows read."""
    cursor, at = order_cursor(cursor_text)
    rows = Order.filter(shop_id=shop_id, deleted_at=None).filter(before("placed_at", cursor, at))
    if filters.financial_status:
        rows = rows.filter(financial_status=filters.financial_status)
    if filters.fulfillment_status:
        rows = rows.filter(fulfillment_status=filters.fulfillment_status)
    # Dates are the shop's calendar days in UTC: a day runs from its midnight to the next.
    if filters.placed_from:
        rows = rows.filter(placed_at__gte=datetime.combine(filters.placed_from, time(), UTC))
    if filters.placed_to:
        rows = rows.filter(placed_at__lt=datetime.combine(filters.placed_to + timedelta(days=1), time(), UTC))
    page: Page[Order] = await take(
        rows.order_by("-placed_at", "-id").prefetch_related("customer"),
        limit,
        lambda o: o.placed_at.isoformat(),
    )
    return page


@dataclass(frozen=True)
class TrackedFulfillment:
    fulfillment: Fulfillment
    tracking_href: str | None  # only http(s): a platform's URL is not trusted to be a link


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    customer: Customer | None
    line_items: list[LineItem]
    fulfillments: list[TrackedFulfillment]
    refunds: list[Refund]
    returns: list[Return]


async def order_detail(shop_id: int, order_id: int) -> OrderDetail | None:
    """The shop's order with everything the order page shows, or None (unknown or another shop's)."""
    order = await Order.get_or_none(id=order_id, shop_id=shop_id, deleted_at=None)
    if order is None:
        return None
    customer = await Customer.get_or_none(shop_id=shop_id, orders__id=order.id, deleted_at=None)
    fulfillments = await Fulfillment.filter(shop_id=shop_id, order_id=order.id).order_by("fulfilled_at", "id")
    return OrderDetail(
        order=order,
        customer=customer,
        line_items=list(await LineItem.filter(shop_id=shop_id, order_id=order.id).order_by("id")),
        fulfillments=[TrackedFulfillment(f, _safe_link(f.tracking_url)) for f in fulfillments],
        refunds=list(await Refund.filter(shop_id=shop_id, order_id=order.id).order_by("-created_at", "-id")),
        returns=list(
            await Return.filter(shop_id=shop_id, order_id=order.id).order_by("-requested_at", "-id")
        ),
    )


def _safe_link(url: str | None) -> str | None:
    if url and url.lower().startswith(SAFE_SCHEMES):
        return url
    return None
