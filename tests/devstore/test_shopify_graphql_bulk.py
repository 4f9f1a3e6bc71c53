"""Bulk exports: the devstore's JSONL reads back through the app's ``stream_bulk_jsonl`` whole."""

from __future__ import annotations

import json
from contextlib import aclosing
from pathlib import Path

import pytest

from connectors.base import CustomerRecord, OrderRecord
from connectors.shopify.bulk import start_customers_export, start_orders_export, wait_for_bulk_operation
from connectors.shopify.bulk_jsonl import BulkRecord, stream_bulk_jsonl
from connectors.shopify.errors import BulkOperationFailed
from tests.devstore.graphql_support import Connected, connected, post_graphql
from tests.devstore.shopify_support import DEMO


async def _read(c: Connected, url: str) -> list[BulkRecord]:
    async with aclosing(stream_bulk_jsonl(c.app_http, url)) as records:
        return [record async for record in records]


async def test_an_orders_export_round_trips_through_the_apps_reader(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        started = await start_orders_export(c.graphql)
        assert started.id.startswith("gid://shopify/BulkOperation/")
        done = await wait_for_bulk_operation(c.graphql, started.id, poll_interval=0.02, max_interval=0.1)
        assert done.status == "COMPLETED" and done.url is not None
        assert done.root_object_count == 12 and done.object_count > 12
        records = await _read(c, done.url)
        seeded = {str(o.id): o for o in c.store.list_orders(DEMO, limit=250).items}
        assert [r.platform_id for r in records] == sorted(seeded, key=int)
        for record in records:
            assert isinstance(record, OrderRecord)
            order = seeded[record.platform_id]
            assert [li.platform_id for li in record.line_items] == [str(li.id) for li in order.line_items]
            assert len(record.refunds) == len(order.refunds)

        # The file is grouped: every child right after its parent, with __parentId.
        response = await c.app_http.get(done.url)
        lines = [json.loads(line) for line in response.text.splitlines()]
        parent = None
        for line in lines:
            if "__parentId" in line:
                assert line["__parentId"] == parent
            else:
                parent = line["id"]

        # currentBulkOperation names the latest one.
        current = await post_graphql(c.devstore, c.token, "{ currentBulkOperation { id status url } }")
        assert current.json()["data"]["currentBulkOperation"]["id"] == started.id


async def test_a_customers_export_and_a_filtered_one(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        started = await start_customers_export(c.graphql)
        done = await wait_for_bulk_operation(c.graphql, started.id, poll_interval=0.02, max_interval=0.1)
        assert done.url is not None
        records = await _read(c, done.url)
        assert all(isinstance(r, CustomerRecord) for r in records) and len(records) == 5

        newest = max(o.updated_at for o in c.store.list_orders(DEMO, limit=250).items)
        filtered = await start_orders_export(c.graphql, newest)
        finished = await wait_for_bulk_operation(c.graphql, filtered.id, poll_interval=0.02, max_interval=0.1)
        assert finished.root_object_count >= 1 and finished.root_object_count < 12


async def test_a_failing_export_reports_its_partial_data(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        switch = await c.devstore.post(f"/_devstore/shopify/{DEMO}/bulk-options", json={"fail_after": 5})
        assert switch.status_code == 200
        started = await start_orders_export(c.graphql)
        with pytest.raises(BulkOperationFailed) as failed:
            await wait_for_bulk_operation(c.graphql, started.id, poll_interval=0.02, max_interval=0.1)
        assert failed.value.partial_data_url is not None
        assert len(await _read(c, failed.value.partial_data_url)) == 5
        # It fails once: the next export completes.
        again = await start_orders_export(c.graphql)
        done = await wait_for_bulk_operation(c.graphql, again.id, poll_interval=0.02, max_interval=0.1)
        assert done.root_object_count == 12


async def test_an_unusable_bulk_query_is_a_user_error(tmp_path: Path) -> None:
    async with connected(tmp_path) as c:
        answer = await post_graphql(
            c.devstore,
            c.token,
            "mutation B($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message } } }",
            {"q": "{ products { edges { node { id } } } }"},
        )
        payload = answer.json()["data"]["bulkOperationRunQuery"]
        assert payload["bulkOperation"] is None and payload["userErrors"][0]["field"] == ["query"]
