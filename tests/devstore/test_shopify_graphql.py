"""The devstore's GraphQL Admin API, read by the app's own connector: every query shape it sends is
answered from the seeded data and parsed, pages cover every row once, filters and errors behave."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from connectors.errors import Permanent
from connectors.shopify.queries import CUSTOMERS_PAGE, ORDER_PAGE_SIZE, PAGE_NESTED, orders_page_query
from connectors.shopify.sync import count_customers, count_orders, fetch_order, iter_customers, iter_orders
from tests.devstore.graphql_support import connected, post_graphql
from tests.devstore.shopify_support import DEMO


async def test_orders_pages_cover_every_order_once_and_parse(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        seeded = c.store.list_orders(DEMO, limit=250).items
        seen = [record async for page in iter_orders(c.graphql, page_size=3) for record in page.records]
        assert sorted(r.platform_id for r in seen) == sorted(str(o.id) for o in seeded)
        by_id = {str(o.id): o for o in seeded}
        for record in seen:
            order = by_id[record.platform_id]
            assert record.number == order.name and record.total_price == order.total_price
            assert [li.platform_id for li in record.line_items] == [str(li.id) for li in order.line_items]
            assert len(record.fulfillments) == len(order.fulfillments)
            assert record.financial_status == order.financial_status.value
            assert record.currency == order.currency
        # sortKey UPDATED_AT: pages come in updated_at order
        stamps = [r.updated_at for r in seen]
        assert None not in stamps
        assert stamps == sorted(s for s in stamps if s is not None)


async def test_customers_pages_and_counts(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        seen = [r async for page in iter_customers(c.graphql, page_size=2) for r in page.records]
        seeded = c.store.list_customers(DEMO, limit=250).items
        assert sorted(r.platform_id for r in seen) == sorted(str(x.id) for x in seeded)
        assert {r.email for r in seen} == {x.email for x in seeded}
        assert sum(r.orders_count for r in seen) == sum(
            1 for o in c.store.list_orders(DEMO, limit=250).items if o.customer_id is not None
        )
        orders, customers = await count_orders(c.graphql), await count_customers(c.graphql)
        assert (orders.count, orders.exact) == (12, True)
        assert (customers.count, customers.exact) == (5, True)


async def test_the_updated_at_filter_selects_what_changed_since(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        seeded = c.store.list_orders(DEMO, limit=250).items
        since: datetime = sorted(o.updated_at for o in seeded)[6]
        expected = {str(o.id) for o in seeded if o.updated_at >= since}
        got = {
            r.platform_id async for page in iter_orders(c.graphql, since, page_size=3) for r in page.records
        }
        assert got == expected
        assert (await count_orders(c.graphql, since)).count == len(expected)


async def test_one_order_is_read_whole_and_a_missing_one_is_none(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        order = c.store.list_orders(DEMO, limit=1).items[0]
        record = await fetch_order(c.graphql, str(order.id))
        assert record is not None and record.platform_id == str(order.id)
        assert record.incomplete <= {"returns"} or "line_items" not in record.incomplete
        assert await fetch_order(c.graphql, "1") is None


async def test_cost_is_reported_and_matches_the_apps_estimate(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        variables: dict[str, object] = {"first": ORDER_PAGE_SIZE, **PAGE_NESTED.variables()}
        answer = (await post_graphql(c.devstore, c.token, orders_page_query(), variables)).json()
        cost = answer["extensions"]["cost"]
        # queries.py: "4 orders x ~210 points stays under the 1000-point ceiling".
        assert 800 <= cost["requestedQueryCost"] <= 1000
        assert 0 < cost["actualQueryCost"] < cost["requestedQueryCost"]
        status = cost["throttleStatus"]
        assert status["maximumAvailable"] == 1000.0 and status["restoreRate"] == 100.0
        # Debited the actual cost (refilling at 100/s meanwhile), not the requested one.
        assert 1000 - cost["requestedQueryCost"] < status["currentlyAvailable"] < 1000
        customers = (await post_graphql(c.devstore, c.token, CUSTOMERS_PAGE, {"first": 200})).json()
        # Reported whether or not the bucket had room for it (the order page may have left less).
        assert customers["extensions"]["cost"]["requestedQueryCost"] == 802


async def test_an_empty_bucket_answers_throttled_and_the_client_waits(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        limits = f"/_devstore/shopify/{DEMO}/api-limits"
        plan = {"restore_rate": 2000, "maximum_available": 1000, "currently_available": 0}
        assert (await c.devstore.post(limits, json=plan)).status_code == 200
        raw = await post_graphql(c.devstore, c.token, CUSTOMERS_PAGE, {"first": 10})
        assert raw.status_code == 200
        body = raw.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert body["extensions"]["cost"]["actualQueryCost"] is None
        assert body["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 2000

        await c.devstore.post(limits, json=plan)  # empty again, counters reset
        pages = [page async for page in iter_orders(c.graphql, page_size=ORDER_PAGE_SIZE)]
        assert sum(len(p.records) for p in pages) == 12
        counters = (await c.devstore.get(limits)).json()
        # The first call finds the bucket empty; from then on the client paces itself, except that
        # a query shape it has never sent (an order's detail read) is assumed cheap until answered.
        assert 1 <= counters["throttled"] <= 2
        assert counters["requests"] >= len(pages) + 1


async def test_unknown_queries_and_fields_are_graphql_errors(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        unknown = (await post_graphql(c.devstore, c.token, "{ products(first: 3) { nodes { id } } }")).json()
        assert unknown["errors"][0]["message"] == "Field 'products' doesn't exist on type 'QueryRoot'"
        assert "data" not in unknown
        field = (await post_graphql(c.devstore, c.token, "{ orders(first: 1) { nodes { id nope } } }")).json()
        assert field["errors"][0]["message"] == "Field 'nope' doesn't exist on type 'Order'"
        garbage = (await post_graphql(c.devstore, c.token, "{ orders(first: 1) { nodes { id }")).json()
        assert garbage["errors"][0]["message"].startswith("Parse error")
        too_big = (
            await post_graphql(
                c.devstore,
                c.token,
                "{ orders(first: 250) { nodes { id totalPriceSet { shopMoney { amount } } lineItems(first: 50) { nodes { id } } } } }",
            )
        ).json()
        assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
        with pytest.raises(Permanent, match="products"):
            await c.graphql.query("query P { products(first: 1) { nodes { id } } }")


async def test_a_bad_token_gets_shopifys_401(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        refused = await post_graphql(c.devstore, "shpat_not-a-token", "{ shop { name } }")
        assert refused.status_code == 401
        assert "Invalid API key or access token" in refused.json()["errors"]
        shop = (await post_graphql(c.devstore, c.token, "{ shop { name myshopifyDomain } }")).json()
        assert shop["data"]["shop"]["myshopifyDomain"] == DEMO
