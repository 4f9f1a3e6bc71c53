"""Order sync end to end: the app installed on the devstore imports the shop's history, survives a
worker killed in the middle, and a reconcile repairs what a lost webhook left behind.

Real processes (app, worker, devstore), a real Redis and SQLite. The backfill is started by the
worker's ``resume_syncs`` job (the cron that notices a shop never synced), queued here at once
instead of waiting for its next minute.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.queue import open_queue
from app.services.sync.schedule import queue_reconcile
from app.settings import load_settings
from devstore.store import DevStore
from tests.e2e.app_db import query, wait_for_rows
from tests.e2e.support import empty_redis as flush_redis
from tests.support.servers import Stack, running_stack

DEMO = "demo.myshopify.com"
SHOP_ID = "SELECT id FROM shop WHERE platform = 'shopify' AND domain = ?"
ORDERS = 'SELECT count(*) AS n, count(DISTINCT platform_id) AS distinct_ids FROM "order" WHERE shop_id = ?'
CUSTOMERS = (
    "SELECT count(*) AS n, count(DISTINCT platform_id) AS distinct_ids FROM customer WHERE shop_id = ?"
)
RUNS = "SELECT * FROM sync_run WHERE shop_id = ? AND kind = 'backfill' ORDER BY id"


def install(stack: Stack, http: httpx.Client, database_url: str) -> int:
    """The admin's Install button, then the app's first load (its token exchange); the shop's id."""
    settings = load_settings(stack.env)
    admin = f"{stack.devstore_url}/shopify/{DEMO}/admin"
    assert http.post(f"{admin}/settings/apps/{settings.shopify_api_key}/install").status_code == 303
    token = http.get(f"{admin}/session-token", params={"client_id": settings.shopify_api_key}).json()
    home = http.get(
        f"{stack.app_url}/",
        params={"shop": DEMO, "embedded": "1", "id_token": token["id_token"]},
        headers={"Accept": "text/html", "Sec-Fetch-Dest": "iframe"},
    )
    assert home.status_code == 200
    [shop] = query(database_url, SHOP_ID, DEMO)
    return int(shop["id"])


def empty_redis(redis_url: str) -> None:
    """``tests.e2e.support.empty_redis`` for the tests here, which are not async."""
    asyncio.run(flush_redis(redis_url))


def start_backfill(redis_url: str) -> None:
    async def enqueue() -> None:
        queue = open_queue(redis_url)
        try:
            await queue.enqueue_job("resume_syncs")
        finally:
            await queue.aclose()

    asyncio.run(enqueue())


def devstore_counts(stack: Stack, http: httpx.Client) -> tuple[int, int]:
    [shop] = [s for s in http.get(f"{stack.devstore_url}/_devstore/shops").json() if s["domain"] == DEMO]
    return int(shop["orders_count"]), int(shop["customers_count"])


def wait_for_backfill(stack: Stack, database_url: str, shop_id: int, timeout: float) -> list[sqlite3.Row]:
    runs = wait_for_rows(
        database_url,
        RUNS,
        shop_id,
        until=lambda rows: len(rows) >= 2 and all(r["status"] == "succeeded" for r in rows),
        timeout=timeout,
    )
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"], stack.log("worker")[-3000:]
    return runs


def assert_mirrors_devstore(stack: Stack, http: httpx.Client, database_url: str, shop_id: int) -> None:
    orders, customers = devstore_counts(stack, http)
    [got_orders] = query(database_url, ORDERS, shop_id)
    [got_customers] = query(database_url, CUSTOMERS, shop_id)
    assert (got_orders["n"], got_orders["distinct_ids"]) == (orders, orders)
    assert (got_customers["n"], got_customers["distinct_ids"]) == (customers, customers)
    [lines] = query(
        database_url,
        "SELECT count(*) AS n, count(DISTINCT platform_id) AS d FROM line_item WHERE shop_id = ?",
        shop_id,
    )
    assert lines["n"] == lines["d"] > 0


@pytest.mark.slow
def test_installing_imports_exactly_the_shops_orders_and_customers(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    empty_redis(redis_url)
    with running_stack(tmp_path / "var", app_database, redis_url) as stack, httpx.Client(timeout=30) as http:
        shop_id = install(stack, http, app_database)
        start_backfill(redis_url)
        wait_for_backfill(stack, app_database, shop_id, timeout=90)
        assert_mirrors_devstore(stack, http, app_database, shop_id)
        [shop] = query(app_database, "SELECT synced_through FROM shop WHERE id = ?", shop_id)
        assert shop["synced_through"] is not None


def _age_running_runs(database_url: str, shop_id: int) -> int:
    """Stand in for the ten minutes (``runs.STALE_AFTER``) after which a run whose worker stopped
    checkpointing is taken over: the killed worker's run is stamped that long ago."""
    with closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as conn, conn:
        found = conn.execute(
            "SELECT id, updated_at FROM sync_run WHERE shop_id = ? AND status = 'running'", (shop_id,)
        ).fetchall()
        for run_id, stamp in found:
            older = datetime.fromisoformat(stamp) - timedelta(minutes=11)
            conn.execute(
                "UPDATE sync_run SET updated_at = ? WHERE id = ?", (older.isoformat(sep=" "), run_id)
            )
    return len(found)


@pytest.mark.slow
def test_a_worker_killed_mid_backfill_resumes_without_duplicates(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    # A larger shop than the stack seeds (it keeps a shop seeded already): pages for a while.
    var = tmp_path / "var"
    store = DevStore(var / "devstore.sqlite3")
    store.create_schema()
    store.seed(DEMO, "shopify", orders=400, customers=60, seed=42)
    empty_redis(redis_url)
    with running_stack(var, app_database, redis_url) as stack, httpx.Client(timeout=30) as http:
        # Faster than Shopify's Standard plan, so the test takes seconds, still paced by the bucket.
        limits = http.post(
            f"{stack.devstore_url}/_devstore/shopify/{DEMO}/api-limits", json={"restore_rate": 400}
        )
        assert limits.status_code == 200
        shop_id = install(stack, http, app_database)
        start_backfill(redis_url)
        partial = wait_for_rows(
            app_database, ORDERS, shop_id, until=lambda rows: rows[0]["n"] >= 60, timeout=90
        )
        stack.stop("worker", signal.SIGKILL)
        assert 60 <= partial[0]["n"] < 400, "the backfill was not in the middle when the worker died"
        time.sleep(0.5)
        before = query(app_database, ORDERS, shop_id)[0]["n"]
        assert before < 400
        assert _age_running_runs(app_database, shop_id) == 1

        stack.start("worker", "-m", "app", "worker")  # its resume_syncs runs at start-up
        wait_for_backfill(stack, app_database, shop_id, timeout=120)
        assert_mirrors_devstore(stack, http, app_database, shop_id)


@pytest.mark.slow
def test_a_reconcile_repairs_an_order_whose_webhook_was_lost(
    tmp_path: Path, app_database: str, redis_url: str
) -> None:
    empty_redis(redis_url)
    with running_stack(tmp_path / "var", app_database, redis_url) as stack, httpx.Client(timeout=30) as http:
        shop_id = install(stack, http, app_database)
        start_backfill(redis_url)
        wait_for_backfill(stack, app_database, shop_id, timeout=90)
        [order] = query(
            app_database,
            'SELECT platform_id, tags FROM "order" WHERE shop_id = ? ORDER BY platform_id LIMIT 1',
            shop_id,
        )
        edited = http.post(
            f"{stack.devstore_url}/_devstore/shopify/{DEMO}/orders/{order['platform_id']}",
            json={"tags": ["repaired-by-reconcile"], "financial_status": "refunded", "drop_webhook": True},
        )
        assert edited.status_code == 200 and edited.json()["deliveries"] == []

        async def reconcile() -> None:
            queue = open_queue(redis_url)
            try:
                assert await queue_reconcile(queue, shop_id, f"e2e-{time.time_ns()}") is not None
            finally:
                await queue.aclose()

        asyncio.run(reconcile())
        [repaired] = wait_for_rows(
            app_database,
            'SELECT tags, financial_status FROM "order" WHERE shop_id = ? AND platform_id = ?',
            shop_id,
            order["platform_id"],
            until=lambda rows: rows[0]["tags"] == "repaired-by-reconcile",
            timeout=60,
        )
        assert repaired["tags"] == "repaired-by-reconcile", stack.log("worker")[-3000:]
        assert repaired["financial_status"] == "refunded"
        assert_mirrors_devstore(stack, http, app_database, shop_id)
