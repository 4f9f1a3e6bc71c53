"""The life of one seeded order: placed, maybe paid, shipped, delivered, refunded or cancelled.

The rules keep the money consistent by construction: line discounts and taxes sum to the order's,
and refunds take a line's exact remainder on its last units, so they never exceed what was paid.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from devstore import vocabulary as words
from devstore.models import (
    Customer,
    FinancialStatus,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    LineItem,
    Order,
    Platform,
    Product,
    Refund,
    RefundLine,
    cents,
)
from devstore.vocabulary import ascii_slug

ORDER_WINDOW = timedelta(days=120)
FIRST_ORDER_NUMBER = 1001
ZERO = Decimal("0.00")

# Line items per order: 1..5, about 3 on average.
_LINE_COUNT_WEIGHTS = (15, 20, 30, 20, 15)
_QUANTITY_WEIGHTS = (80, 15, 5)


def _tracking_number(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(chr(ord("A") + rng.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)


def _price_in(price_usd: Decimal, currency: str) -> Decimal:
    """A merchant's price list in another currency: converted, then rounded to the half unit."""
    if currency == "USD":
        return price_usd
    halves = (price_usd * words.FX_FROM_USD[currency] * 2).quantize(Decimal("1"))
    return cents(halves / 2)


def whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


class OrderBuilder:
    """The rules for one order's life: placed, maybe paid, shipped, delivered, refunded or cancelled."""

    def __init__(
        self,
        rng: random.Random,
        platform: Platform,
        now: datetime,
        catalogue: Sequence[Product],
        customers: Sequence[Customer],
        new_id: Mapping[str, Callable[[], int]],
    ) -> None:
        """``new_id["order" | "line_item" | "fulfillment" | "refund"]()`` hands out the platform's ids."""
        self.rng = rng
        self.platform = platform
        self.now = now
        self.catalogue = catalogue
        self.customers = customers
        self.order_ids = new_id["order"]
        self.line_ids = new_id["line_item"]
        self.fulfillment_ids = new_id["fulfillment"]
        self.refund_ids = new_id["refund"]
        self.window_start = now - ORDER_WINDOW
        self.window_seconds = ORDER_WINDOW.total_seconds()

    def build(self, index: int, count: int) -> Order:
        rng, now = self.rng, self.now
        number = FIRST_ORDER_NUMBER + index
        # Numbers rise with time, as on a real shop: order i lands in the i-th slice of the window.
        placed = whole_seconds(
            self.window_start + timedelta(seconds=self.window_seconds * (index + rng.random()) / count)
        )
        order_id = self.order_ids()
        if self.platform is Platform.BIGCOMMERCE:
            order_id, name = number, str(number)  # BigCommerce shows the order id as the number
        else:
            name = f"#{number}"

        customer = self._pick_customer()
        if customer is None:
            region = rng.choices(words.REGIONS, [r.weight for r in words.REGIONS])[0]
            first, last = (
                rng.choice(words.FIRST_NAMES[region.locale]),
                rng.choice(words.LAST_NAMES[region.locale]),
            )
            # A guest checkout: the ".number" suffix cannot collide with a customer's address.
            email = f"{ascii_slug(first)}.{ascii_slug(last)}.{number}@{rng.choice(words.EMAIL_DOMAINS)}"
            locale, country, currency, phone = region.locale, region.country, region.currency, None
        else:
            email, locale, country, phone = customer.email, customer.locale, customer.country, customer.phone
            currency = customer.currency if rng.random() < 0.9 else "USD"

        lines = self._line_items(currency, country)
        line_total = sum((li.price * li.quantity for li in lines), ZERO)
        total_discounts = sum((li.total_discount for li in lines), ZERO)
        subtotal = line_total - total_discounts
        total_tax = sum((li.total_tax for li in lines), ZERO)
        flat, free_from = words.SHIPPING[currency]
        total_shipping = ZERO if subtotal >= free_from else flat
        total_price = subtotal + total_tax + total_shipping

        test = rng.random() < 0.01
        tags = (rng.choice(words.ORDER_TAGS),) if rng.random() < 0.15 else ()
        cancelled_at: datetime | None = None
        cancel_reason: str | None = None
        fulfillments: tuple[Fulfillment, ...] = ()
        refunds: tuple[Refund, ...] = ()
        roll = rng.random()
        if roll < 0.03:
            cancelled_at = min(now, placed + timedelta(minutes=rng.randint(5, 48 * 60)))
            cancel_reason = rng.choice(words.CANCEL_REASONS)
            # A cancelled paid order is refunded in full and its items go back to stock.
            refunds = (
                self._refund(
                    cancelled_at, lines, {li.id: li.quantity for li in lines}, total_shipping, "cancel"
                ),
            )
            financial, fulfillment_status = FinancialStatus.REFUNDED, FulfillmentStatus.UNFULFILLED
        elif roll < 0.07:
            financial, fulfillment_status = FinancialStatus.PENDING, FulfillmentStatus.UNFULFILLED
        else:
            fulfillment_status, fulfillments = self._ship(placed, lines, country)
            financial, refunds = self._refunds(placed, lines, fulfillments, total_shipping)

        closed_at = cancelled_at
        if closed_at is None and fulfillment_status is FulfillmentStatus.FULFILLED:
            closed_at = max(f.created_at for f in fulfillments)  # archived once everything shipped
        updated_at = max(
            [placed, *(t for t in (cancelled_at, closed_at) if t is not None)]
            + [t for f in fulfillments for t in (f.created_at, f.delivered_at) if t is not None]
            + [r.created_at for r in refunds]
        )

        return Order(
            id=order_id,
            number=number,
            name=name,
            customer_id=customer.id if customer else None,
            email=email,
            phone=phone,
            locale=locale,
            country=country,
            currency=currency,
            subtotal=subtotal,
            total_discounts=total_discounts,
            total_tax=total_tax,
            total_shipping=total_shipping,
            total_price=total_price,
            total_refunded=sum((r.amount for r in refunds), ZERO),
            financial_status=financial,
            fulfillment_status=fulfillment_status,
            tags=tags,
            test=test,
            created_at=placed,
            updated_at=updated_at,
            cancelled_at=cancelled_at,
            cancel_reason=cancel_reason,
            closed_at=closed_at,
            line_items=lines,
            fulfillments=fulfillments,
            refunds=refunds,
        )

    def _pick_customer(self) -> Customer | None:
        if not self.customers or self.rng.random() < 0.02:
            return None
        # Skewed towards the first customers so that some of them order again and again.
        return self.customers[int(len(self.customers) * self.rng.random() ** 1.6)]

    def _line_items(self, currency: str, country: str) -> tuple[LineItem, ...]:
        rng = self.rng
        n = rng.choices(range(1, 6), _LINE_COUNT_WEIGHTS)[0]
        picks = [self.catalogue[i] for i in rng.sample(range(len(self.catalogue)), n)]
        quantities = [
            1 if "gift-card" in p.tags else rng.choices((1, 2, 3), _QUANTITY_WEIGHTS)[0] for p in picks
        ]
        prices = [_price_in(p.price, currency) for p in picks]
        gross = [price * q for price, q in zip(prices, quantities, strict=True)]
        discount_rate = (
            rng.choice((Decimal("0.10"), Decimal("0.15"), Decimal("0.20"))) if rng.random() < 0.2 else ZERO
        )
        total_discount = cents(sum(gross, ZERO) * discount_rate)
        # Spread the order discount over its lines; the last takes the remainder so the sum is exact.
        allocations = [(g * discount_rate).quantize(Decimal("0.01"), rounding=ROUND_DOWN) for g in gross[:-1]]
        allocations.append(total_discount - sum(allocations, ZERO))
        tax_rate = words.TAX_RATES[country]
        return tuple(
            LineItem(
                id=self.line_ids(),
                product_id=p.product_id,
                variant_id=p.variant_id,
                title=p.title,
                variant_title=p.variant_title,
                sku=p.sku,
                quantity=q,
                price=price,
                total_discount=discount,
                total_tax=cents((g - discount) * tax_rate),
                product_tags=p.tags,
            )
            for p, q, price, g, discount in zip(picks, quantities, prices, gross, allocations, strict=True)
        )

    def _ship(
        self, placed: datetime, lines: tuple[LineItem, ...], country: str
    ) -> tuple[FulfillmentStatus, tuple[Fulfillment, ...]]:
        rng, now = self.rng, self.now
        shipped_at = placed + timedelta(minutes=rng.randint(60, 72 * 60))
        units = sum(li.quantity for li in lines)
        if shipped_at > now or rng.random() < 0.02:
            return FulfillmentStatus.UNFULFILLED, ()
        if units >= 2 and rng.random() < 0.06:
            # Part of the order ships; the rest waits (back-ordered).
            if len(lines) > 1:
                shipped = [
                    FulfillmentLine(li.id, li.quantity) for li in lines[: rng.randint(1, len(lines) - 1)]
                ]
            else:
                shipped = [FulfillmentLine(lines[0].id, rng.randint(1, lines[0].quantity - 1))]
            return FulfillmentStatus.PARTIAL, (self._fulfillment(shipped_at, shipped, country),)
        all_lines = [FulfillmentLine(li.id, li.quantity) for li in lines]
        if len(lines) > 1 and rng.random() < 0.15:
            # Split shipment: two parcels, the second a little later.
            cut = rng.randint(1, len(lines) - 1)
            second_at = min(now, shipped_at + timedelta(hours=rng.randint(2, 48)))
            return FulfillmentStatus.FULFILLED, (
                self._fulfillment(shipped_at, all_lines[:cut], country),
                self._fulfillment(second_at, all_lines[cut:], country),
            )
        return FulfillmentStatus.FULFILLED, (self._fulfillment(shipped_at, all_lines, country),)

    def _fulfillment(
        self, shipped_at: datetime, lines: Sequence[FulfillmentLine], country: str
    ) -> Fulfillment:
        rng, now = self.rng, self.now
        carrier = rng.choice(words.CARRIERS_BY_COUNTRY[country])
        number = _tracking_number(rng, words.TRACKING_FORMATS[carrier])
        delivered_at: datetime | None = shipped_at + timedelta(hours=rng.randint(30, 7 * 24))
        if delivered_at is not None and (delivered_at > now or rng.random() < 0.08):
            delivered_at = None  # still in transit, or the carrier never reported delivery
        return Fulfillment(
            id=self.fulfillment_ids(),
            status="success",
            shipment_status="delivered" if delivered_at else "in_transit",
            tracking_company=carrier,
            tracking_number=number,
            tracking_url=words.TRACKING_URLS[carrier].format(number=number),
            created_at=shipped_at,
            delivered_at=delivered_at,
            lines=tuple(lines),
        )

    def _refunds(
        self,
        placed: datetime,
        lines: tuple[LineItem, ...],
        fulfillments: tuple[Fulfillment, ...],
        shipping: Decimal,
    ) -> tuple[FinancialStatus, tuple[Refund, ...]]:
        rng, now = self.rng, self.now
        roll = rng.random()
        if roll >= 0.15:
            return FinancialStatus.PAID, ()
        last_event = max([placed] + [f.delivered_at or f.created_at for f in fulfillments])
        refunded_at = last_event + timedelta(hours=rng.randint(2, 14 * 24))
        if refunded_at > now:
            return FinancialStatus.PAID, ()  # too recent for anyone to have sent it back yet
        shipped = {fl.line_item_id for f in fulfillments for fl in f.lines}
        # Shipped items come back as returns; items never shipped are simply cancelled.
        restock_of = {li.id: ("return" if li.id in shipped else "cancel") for li in lines}
        units = sum(li.quantity for li in lines)
        if roll < 0.05 or units < 2:
            everything = {li.id: li.quantity for li in lines}
            return FinancialStatus.REFUNDED, (
                self._refund(refunded_at, lines, everything, shipping, restock_of),
            )

        # A partial refund leaves at least one unit paid for; sometimes it comes in two refunds.
        refund_units = rng.randint(1, min(units - 1, 3))
        pool = [li for li in lines for _ in range(li.quantity)]
        chosen = rng.sample(pool, refund_units)
        first: dict[int, int] = {}
        second: dict[int, int] = {}
        for i, li in enumerate(chosen):
            target = second if i > 0 and rng.random() < 0.3 else first
            target[li.id] = target.get(li.id, 0) + 1
        refunds = [self._refund(refunded_at, lines, first, ZERO, restock_of, already={})]
        if second:
            later = min(now, refunded_at + timedelta(hours=rng.randint(1, 72)))
            refunds.append(self._refund(later, lines, second, ZERO, restock_of, already=first))
        return FinancialStatus.PARTIALLY_REFUNDED, tuple(refunds)

    def _refund(
        self,
        at: datetime,
        lines: tuple[LineItem, ...],
        quantities: dict[int, int],
        shipping: Decimal,
        restock: str | dict[int, str],
        already: dict[int, int] | None = None,
    ) -> Refund:
        """Refund ``quantities`` per line id; ``already`` is what earlier refunds took from each line.

        A partial quantity is rounded down and the last units take the exact remainder, so the refunds
        of a line never add up to more than was paid for it.
        """
        already = already or {}
        refund_lines = []
        for li in lines:
            qty = quantities.get(li.id, 0)
            if not qty:
                continue
            before = already.get(li.id, 0)
            sub_before = self._share(li.net_total, before, li.quantity)
            tax_before = self._share(li.total_tax, before, li.quantity)
            refund_lines.append(
                RefundLine(
                    line_item_id=li.id,
                    quantity=qty,
                    subtotal=self._share(li.net_total, before + qty, li.quantity) - sub_before,
                    total_tax=self._share(li.total_tax, before + qty, li.quantity) - tax_before,
                    restock_type=restock if isinstance(restock, str) else restock[li.id],
                )
            )
        amount = sum((rl.subtotal + rl.total_tax for rl in refund_lines), ZERO) + shipping
        return Refund(
            id=self.refund_ids(),
            created_at=at,
            note=self.rng.choice(words.REFUND_NOTES),
            shipping=shipping,
            amount=amount,
            lines=tuple(refund_lines),
        )

    @staticmethod
    def _share(total: Decimal, units: int, of: int) -> Decimal:
        """The part of ``total`` that ``units`` of ``of`` units are worth, rounded down (exact at all)."""
        if units >= of:
            return total
        return (total * units / of).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
