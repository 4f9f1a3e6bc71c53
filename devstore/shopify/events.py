"""Which seeded record a webhook is about, when a test or the webhook page names none.

``orders/*`` carry the newest order (or ``order_id``), ``customers/*`` a customer (or
``customer_id``), ``refunds/create`` and ``fulfillments/*`` the newest order's refund or shipment
that has one, ``app/uninstalled`` and ``shop/update`` the shop, and the compliance topics what
Shopify sends for them.
"""

from __future__ import annotations

from typing import Any

from devstore.models import Customer, Order, Shop
from devstore.shopify import payloads
from devstore.store import DevStore


class NoPayload(ValueError):
    """There is no default payload for the topic, or no seeded record to build it from."""


def default_payload(
    store: DevStore, shop: Shop, topic: str, *, order_id: int | None = None, customer_id: int | None = None
) -> dict[str, Any]:
    resource = topic.split("/")[0]
    if topic in {"app/uninstalled", "shop/update"}:
        return payloads.shop_payload(shop)
    if topic == "shop/redact":
        return payloads.shop_redact_payload(shop)
    if resource == "orders":
        order = _order(store, shop, order_id or _newest(store, shop, "orders", "id"))
        return payloads.order_payload(order, _customer_or_none(store, shop, order.customer_id))
    if resource == "refunds":
        order = _order(store, shop, order_id or _newest(store, shop, "refunds", "order_id"))
        if not order.refunds:
            raise NoPayload(f"order {order.id} has no refund")
        return payloads.refund_payload(order, order.refunds[-1])
    if resource == "fulfillments":
        order = _order(store, shop, order_id or _newest(store, shop, "fulfillments", "order_id"))
        if not order.fulfillments:
            raise NoPayload(f"order {order.id} has no fulfillment")
        return payloads.fulfillment_payload(order, order.fulfillments[-1])
    if resource == "customers":
        customer = _customer(store, shop, customer_id)
        if topic == "customers/redact":
            return payloads.customer_privacy_payload(
                shop, customer, _order_ids(store, shop, customer), orders_key="orders_to_redact"
            )
        if topic == "customers/data_request":
            payload = payloads.customer_privacy_payload(
                shop, customer, _order_ids(store, shop, customer), orders_key="orders_requested"
            )
            return {**payload, "data_request": {"id": customer.id % 1_000_000}}
        return payloads.customer_payload(customer)
    raise NoPayload(f"there is no default payload for {topic}: pass one")


def _newest(store: DevStore, shop: Shop, table: str, column: str) -> int:
    with store.connect() as conn:
        row = conn.execute(
            f"SELECT {column} FROM {table} WHERE shop_id = ? ORDER BY id DESC LIMIT 1", (shop.id,)
        ).fetchone()
    if row is None:
        raise NoPayload(f"{shop.domain} has no {table}")
    value: int = row[0]
    return value


def _order(store: DevStore, shop: Shop, order_id: int) -> Order:
    order = store.get_order(shop.domain, order_id)
    if order is None:
        raise NoPayload(f"{shop.domain} has no order {order_id}")
    return order


def _customer(store: DevStore, shop: Shop, customer_id: int | None) -> Customer:
    if customer_id is None:
        first = store.list_customers(shop.domain, limit=1).items
        if not first:
            raise NoPayload(f"{shop.domain} has no customers")
        return first[0]
    customer = store.get_customer(shop.domain, customer_id)
    if customer is None:
        raise NoPayload(f"{shop.domain} has no customer {customer_id}")
    return customer


def _customer_or_none(store: DevStore, shop: Shop, customer_id: int | None) -> Customer | None:
    return None if customer_id is None else store.get_customer(shop.domain, customer_id)


def _order_ids(store: DevStore, shop: Shop, customer: Customer) -> list[int]:
    with store.connect() as conn:
        found = conn.execute(
            "SELECT id FROM orders WHERE shop_id = ? AND customer_id = ? ORDER BY id", (shop.id, customer.id)
        ).fetchall()
    return [row[0] for row in found]
