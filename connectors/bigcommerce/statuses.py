"""BigCommerce order statuses -> our financial and fulfillment words (Shopify REST's, which the
models store for every platform: ``app/services/orders.py``).

The ids are fixed (fact sheet 2.3, ``GET /v2/order_statuses``); merchants may rename them
(``custom_status``) but not change their meaning. BigCommerce has one status where Shopify has
two, so each id says what it implies about money; fulfillment is read from the order's own
``items_shipped``/``items_total`` except where the status alone settles it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StatusMeaning:
    name: str
    financial: str
    fulfillment: str | None  # None: count shipped items instead
    cancelled: bool = False


STATUSES: dict[int, StatusMeaning] = {
    0: StatusMeaning("Incomplete", "pending", "unfulfilled"),  # an abandoned checkout
    1: StatusMeaning("Pending", "pending", None),
    2: StatusMeaning("Shipped", "paid", "fulfilled"),
    3: StatusMeaning("Partially Shipped", "paid", "partial"),
    4: StatusMeaning("Refunded", "refunded", None),
    5: StatusMeaning("Cancelled", "voided", None, cancelled=True),
    # The payment was declined: no money was taken, as with a voided authorization.
    6: StatusMeaning("Declined", "voided", None),
    7: StatusMeaning("Awaiting Payment", "pending", None),
    8: StatusMeaning("Awaiting Pickup", "paid", None),
    9: StatusMeaning("Awaiting Shipment", "paid", None),
    # Completed also ends orders that never ship (digital goods), so it means fulfilled.
    10: StatusMeaning("Completed", "paid", "fulfilled"),
    11: StatusMeaning("Awaiting Fulfillment", "paid", None),
    # Held for a fraud review: the payment is taken or authorized but not settled [unverified which].
    12: StatusMeaning("Manual Verification Required", "authorized", None),
    # A chargeback is open; the money was paid and is in dispute.
    13: StatusMeaning("Disputed", "paid", None),
    14: StatusMeaning("Partially Refunded", "partially_refunded", None),
}


def financial_status(status_id: int) -> str | None:
    meaning = STATUSES.get(status_id)
    return meaning.financial if meaning is not None else None


def fulfillment_status(status_id: int, items_total: int, items_shipped: int) -> str:
    meaning = STATUSES.get(status_id)
    if meaning is not None and meaning.fulfillment is not None:
        return meaning.fulfillment
    if items_shipped <= 0:
        return "unfulfilled"
    return "fulfilled" if items_shipped >= items_total else "partial"


def is_cancelled(status_id: int) -> bool:
    meaning = STATUSES.get(status_id)
    return meaning is not None and meaning.cancelled
