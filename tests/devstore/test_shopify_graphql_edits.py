"""Editing an order in the devstore changes what the API answers and sends the webhooks Shopify would
(or, with ``drop_webhook``, none: a lost delivery)."""

from __future__ import annotations

from pathlib import Path

from connectors.shopify.sync import fetch_order, iter_orders
from tests.devstore.graphql_support import connected
from tests.devstore.shopify_support import DEMO, Receiver


async def test_an_edit_sends_orders_updated_and_the_api_shows_it(tmp_path: Path) -> None:
    receiver = Receiver()
    async with connected(tmp_path, receiver) as c:
        order = next(o for o in c.store.list_orders(DEMO, limit=250).items if not o.fulfillments)
        edited = await c.devstore.post(
            f"/_devstore/shopify/{DEMO}/orders/{order.id}",
            json={"tags": ["vip", "gift"], "note": "call first", "fulfill": True, "wait": True},
        )
        assert edited.status_code == 200, edited.text
        topics = [d["topic"] for d in edited.json()["deliveries"]]
        assert topics[0] == "orders/updated" and "fulfillments/create" in topics
        assert {r.headers["x-shopify-topic"] for r in receiver.received} >= {"orders/updated"}
        record = await fetch_order(c.graphql, str(order.id))
        assert record is not None
        assert record.tags == ("vip", "gift") and record.fulfillment_status == "fulfilled"
        assert record.updated_at is not None and record.updated_at > order.updated_at
        assert len(record.fulfillments) == 1

        # Changed since the old stamp: the reconcile's filter finds it.
        changed = [r async for p in iter_orders(c.graphql, record.updated_at, page_size=3) for r in p.records]
        assert [r.platform_id for r in changed] == [str(order.id)]


async def test_drop_webhook_changes_the_order_and_sends_nothing(tmp_path: Path) -> None:
    receiver = Receiver()
    async with connected(tmp_path, receiver) as c:
        order = c.store.list_orders(DEMO, limit=1).items[0]
        edited = await c.devstore.post(
            f"/_devstore/shopify/{DEMO}/orders/{order.id}",
            json={"financial_status": "refunded", "deliver": True, "drop_webhook": True, "wait": True},
        )
        assert edited.status_code == 200 and edited.json()["deliveries"] == []
        assert receiver.received == []
        record = await fetch_order(c.graphql, str(order.id))
        assert record is not None and record.financial_status == "refunded"
        assert all(f.delivered_at is not None for f in record.fulfillments)


async def test_bad_edits_are_refused(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = c.store.list_orders(DEMO, limit=1).items[0]
        url = f"/_devstore/shopify/{DEMO}/orders/{order.id}"
        assert (await c.devstore.post(url, json={"financial_status": "lost"})).status_code == 422
        assert (await c.devstore.post(url, json={"tags": 5})).status_code == 422
        missing = await c.devstore.post(f"/_devstore/shopify/{DEMO}/orders/1", json={"note": "x"})
        assert missing.status_code == 404


async def test_the_admin_order_page_edits_the_order(tmp_path: Path) -> None:
    receiver = Receiver()
    async with connected(tmp_path, receiver) as c:
        order = c.store.list_orders(DEMO, limit=1).items[0]
        page = f"/shopify/{DEMO}/admin/orders/{order.id}"
        shown = await c.devstore.get(page)
        assert shown.status_code == 200 and order.name in shown.text and "Lose the webhook" in shown.text
        saved = await c.devstore.post(page, data={"tags": "from-the-form", "drop_webhook": "on"})
        assert saved.status_code == 303 and saved.headers["location"] == page
        assert "from-the-form" in (await c.devstore.get(page)).text
        assert receiver.received == []
        refused = await c.devstore.post(page, data={"financial_status": "lost"})
        assert refused.status_code == 422 and "financial_status" in refused.text
        assert (await c.devstore.get(f"/shopify/{DEMO}/admin/orders/1")).status_code == 404
