"""What the refund fault tests of every platform share (DESIGN invariant 3, end to end): staff
confirming a refund through the app's refund page, our refund rows, the platform's refunds as its
control endpoint reports them, and the steps that stand in for waits (a killed worker's job mark).

A platform's test module subclasses ``RefundShop`` with how its staff authenticate and how its
devstore reports an order's refunds; the rest is the same refund-intent job on both.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from arq.constants import in_progress_key_prefix

from app.queue import job_id, open_queue
from app.services.refunds.execution import ATTEMPT_LEASE
from app.services.refunds.intents import EXECUTE_REFUND
from tests.e2e.app_db import query, wait_for_rows
from tests.support.servers import ROOT, Stack

# Short enough that a held answer becomes a timeout in seconds; long enough for a loaded 2-core box.
PLATFORM_HTTP_TIMEOUT = 4.0
REFUND_ROW = "SELECT * FROM refund WHERE shop_id = ? AND order_id = ?"
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
QUOTED = re.compile(r'name="quoted_amount" value="([^"]+)"')


@dataclass(frozen=True)
class Target:
    """One unit of a line with two or more refundable: the order's row id and platform id."""

    order_id: int
    platform_id: str
    line_item_id: int


@dataclass(frozen=True)
class PlatformRefund:
    """A refund as the platform holds it: its id, the idempotency key its note carries (ours, if
    it is ours), and the money it moved."""

    id: str
    key: str | None
    amount: Decimal


@dataclass
class RefundShop(ABC):
    """An installed, imported shop on a running stack; each test refunds its own order."""

    stack: Stack
    database_url: str
    redis_url: str
    shop_id: int
    http: httpx.Client
    used_orders: set[int]

    @abstractmethod
    def staff_headers(self) -> dict[str, str]:
        """How a staff member's refund form is authenticated on this platform."""

    @abstractmethod
    def platform_refunds(self, target: Target) -> list[PlatformRefund]:
        """The order's refunds as the platform holds them (its devstore's control endpoint)."""


def migrate(database_url: str, var: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(var)),
        "DATABASE_URL": database_url,
        "AFTERCARE_VAR_DIR": str(var),
    }
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )


# --- the staff member's side: the refund form, as the admin page posts it -------------------------


def refund_fields(target: Target) -> dict[str, str]:
    return {f"qty.{target.line_item_id}": "1", "reason": "damaged", "note": "Chipped in transit"}


def quote(shop: RefundShop, target: Target) -> dict[str, str]:
    """``calculate``: the page shows the platform's amount and a nonce; the confirm form's fields."""
    page = shop.http.post(
        f"{shop.stack.app_url}/orders/{target.order_id}/refund",
        data={**refund_fields(target), "action": "calculate"},
        headers=shop.staff_headers(),
    )
    assert page.status_code == 200, page.text[-2000:]
    nonce, quoted = NONCE.search(page.text), QUOTED.search(page.text)
    assert nonce is not None and quoted is not None, page.text[-2000:]
    return {
        **refund_fields(target),
        "action": "confirm",
        "nonce": nonce.group(1),
        "quoted_amount": quoted.group(1),
    }


def confirm(shop: RefundShop, target: Target) -> dict[str, str]:
    form = quote(shop, target)
    response = shop.http.post(
        f"{shop.stack.app_url}/orders/{target.order_id}/refund", data=form, headers=shop.staff_headers()
    )
    assert response.status_code == 204, response.text[-2000:]
    return form


def confirm_twice_at_once(
    shop: RefundShop, target: Target, form: dict[str, str], first: dict[str, str], second: dict[str, str]
) -> list[int]:
    """The same confirm form posted twice at the same moment (a double click, or two people)."""

    async def both() -> list[int]:
        async with httpx.AsyncClient(base_url=shop.stack.app_url, timeout=30) as client:
            url = f"/orders/{target.order_id}/refund"
            answers = await asyncio.gather(
                client.post(url, data=form, headers=first), client.post(url, data=form, headers=second)
            )
            return [a.status_code for a in answers]

    return asyncio.run(both())


# --- what the platform and our books say ------------------------------------------------------------


def fresh_order(shop: RefundShop) -> Target:
    """A paid order no test has refunded, with a line of which two or more units are refundable
    (so that a second refund of the same unit is one the platform would accept: a double refund
    would show, not be refused)."""
    rows = query(
        shop.database_url,
        'SELECT o.id AS order_id, o.platform_id, li.id AS line_id FROM "order" o '
        "JOIN line_item li ON li.order_id = o.id "
        "WHERE o.shop_id = ? AND o.financial_status = 'paid' AND o.cancelled_at IS NULL "
        "AND li.refundable_quantity >= 2 ORDER BY o.id, li.id",
        shop.shop_id,
    )
    for row in rows:
        if row["order_id"] in shop.used_orders:
            continue
        target = Target(int(row["order_id"]), str(row["platform_id"]), int(row["line_id"]))
        if shop.platform_refunds(target):
            continue
        shop.used_orders.add(target.order_id)
        return target
    raise AssertionError("the shop has no unrefunded paid order with two units of a line left")


def our_rows(shop: RefundShop, target: Target) -> list[dict[str, Any]]:
    return [dict(r) for r in query(shop.database_url, REFUND_ROW, shop.shop_id, target.order_id)]


def wait_for_status(
    shop: RefundShop, target: Target, statuses: set[str], timeout: float
) -> list[dict[str, Any]]:
    rows = wait_for_rows(
        shop.database_url,
        REFUND_ROW,
        shop.shop_id,
        target.order_id,
        until=lambda rows: bool(rows) and all(r["status"] in statuses for r in rows),
        timeout=timeout,
    )
    return [dict(r) for r in rows]


def wait_for_platform_refunds(
    shop: RefundShop, target: Target, count: int, timeout: float = 15
) -> list[PlatformRefund]:
    deadline = time.monotonic() + timeout
    while True:
        found = shop.platform_refunds(target)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def assert_refunded_exactly_once(shop: RefundShop, target: Target, timeout: float) -> dict[str, Any]:
    """One refund on the platform, ours by its marker; our one intent SUCCEEDED with its id and
    amount. Waits for the intent to settle, then a little longer, for a late resend to show."""
    [ours] = wait_for_status(shop, target, {"succeeded", "failed"}, timeout)
    assert ours["status"] == "succeeded", (ours, shop.stack.log("worker")[-4000:])
    time.sleep(1.0)
    refunds = shop.platform_refunds(target)
    assert len(refunds) == 1, refunds
    [refund] = refunds
    assert refund.key == ours["idempotency_key"]
    assert refund.id in str(ours["platform_id"])
    assert refund.amount == Decimal(str(ours["amount"])) > 0
    [still] = our_rows(shop, target)
    assert (still["id"], still["status"]) == (ours["id"], "succeeded")
    return ours


def assert_in_flight(shop: RefundShop, target: Target) -> dict[str, Any]:
    """The platform has applied the refund while our intent still waits for the answer."""
    applied = wait_for_platform_refunds(shop, target, 1, timeout=30)
    assert len(applied) == 1, shop.stack.log("worker")[-4000:]
    [row] = our_rows(shop, target)
    assert (row["status"], row["error"]) == ("executing", None), "the call was not in flight"
    return row


# --- standing in for waits ----------------------------------------------------------------------------


def age_refund(database_url: str, refund_id: int, by: timedelta) -> None:
    with closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as conn, conn:
        [(stamp,)] = conn.execute("SELECT updated_at FROM refund WHERE id = ?", (refund_id,)).fetchall()
        older = datetime.fromisoformat(stamp) - by
        conn.execute("UPDATE refund SET updated_at = ? WHERE id = ?", (older.isoformat(sep=" "), refund_id))


def enqueue_execution(shop: RefundShop, refund_id: int, *, suffix: str | None = None) -> bool:
    """Queue ``execute_refund``; ``suffix`` gives the job its own id, so arq's dedupe of the
    canonical id does not hide a second job."""

    async def enqueue() -> bool:
        queue = open_queue(shop.redis_url)
        try:
            name = job_id(EXECUTE_REFUND, refund_id) + (f":{suffix}" if suffix else "")
            return await queue.enqueue_job(EXECUTE_REFUND, refund_id, _job_id=name) is not None
        finally:
            await queue.aclose()

    return asyncio.run(enqueue())


def restart_worker_after_kill(shop: RefundShop, refund_id: int) -> None:
    """A worker again after one was SIGKILLed inside ``execute_refund``, as it would be once the
    killed job's marks ran out.

    The killed job stays in arq's queue, marked in progress for the longest job timeout + 10 s
    (610 s): no worker takes it again before the mark expires, and the requeue cron cannot queue
    its id meanwhile. Instead of waiting, the mark is removed and the intent's last touch set
    back by the time the mark had left, as that wait would leave them."""

    async def expire_in_progress_mark() -> timedelta:
        queue = open_queue(shop.redis_url)
        try:
            key = in_progress_key_prefix + job_id(EXECUTE_REFUND, refund_id)
            left = timedelta(milliseconds=int(await queue.pttl(key)))
            assert await queue.delete(key) == 1, "the killed job left no in-progress mark"
            return left
        finally:
            await queue.aclose()

    waited = asyncio.run(expire_in_progress_mark())
    assert waited > ATTEMPT_LEASE  # by then the killed attempt is known to be over
    age_refund(shop.database_url, refund_id, waited)
    shop.stack.start("worker", "-m", "app", "worker")
