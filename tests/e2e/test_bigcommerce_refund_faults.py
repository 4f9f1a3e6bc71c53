"""Money moves once on BigCommerce too (DESIGN invariant 3), end to end: the app (uvicorn), a real
arq worker, a real Redis and the devstore as processes; staff confirm refunds through the app's
refund page (their session opened by a signed load, as the control panel opens it), and the
devstore's fault switches make BigCommerce's refund create answer too late after applying it, or
hang while the worker is killed. BigCommerce takes no idempotency key: only the intent's claim and
the reconcile (re-listing the order's refunds for our marker) stand between a fault and a second
refund. Each test counts the refunds the store holds for the order (the devstore's control
endpoint, checked to read zero before) and expects exactly one, ours, with our Refund row
SUCCEEDED and pointing at it.

The store's ``store/order/updated`` and ``store/order/refund/created`` hooks are switched off, as
BigCommerce switches off a failing hook: the order they make the app read back carries our marker
and would settle the intent on its own, racing the job. (The app's hooks job turns them on again
at every worker's start and every ten minutes, so each test switches them off again first.)

Every refund takes one unit of a line that has two or more left (``refund_support.fresh_order``).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from arq.constants import default_queue_name, in_progress_key_prefix

from app.queue import open_queue
from app.services.refunds.marker import key_in_note
from app.webhooks.bigcommerce import ENSURE_STORE_HOOKS
from connectors.bigcommerce.records import refund_note
from tests.e2e.bigcommerce_support import admin_session_headers, control_url, install_store, store_users
from tests.e2e.refund_support import (
    PLATFORM_HTTP_TIMEOUT,
    PlatformRefund,
    RefundShop,
    Target,
    assert_in_flight,
    assert_refunded_exactly_once,
    confirm,
    confirm_twice_at_once,
    enqueue_execution,
    fresh_order,
    migrate,
    our_rows,
    quote,
    restart_worker_after_kill,
)
from tests.e2e.test_shopify_sync import empty_redis, wait_for_backfill
from tests.support.servers import running_stack

pytestmark = pytest.mark.slow

WITHHELD_SCOPES = ("store/order/updated", "store/order/refund/created")


class Store(RefundShop):
    @property
    def control(self) -> str:
        return control_url(self.stack)

    def staff_headers(self, user_id: int | None = None) -> dict[str, str]:
        """A session of the store's owner (or ``user_id``), opened by a fresh signed load."""
        return admin_session_headers(self.stack, self.http, user_id)

    def platform_refunds(self, target: Target) -> list[PlatformRefund]:
        answer = self.http.get(f"{self.control}/orders/{target.platform_id}/refunds")
        assert answer.status_code == 200, answer.text
        refunds: list[dict[str, Any]] = answer.json()
        assert all(str(r["order_id"]) == target.platform_id for r in refunds)  # that order's, no other's
        return [
            PlatformRefund(
                id=str(refund["id"]),
                key=key_in_note(refund_note(refund)),
                amount=sum(
                    (Decimal(str(p["amount"])) for p in refund["payments"] if not p["is_declined"]),
                    Decimal(0),
                ),
            )
            for refund in refunds
        ]

    def withhold_order_hooks(self) -> None:
        """Off, as BigCommerce turns off a failing hook (the app's hooks job turns them on again)."""
        hooks = self.http.get(f"{self.control}/hooks").json()
        withheld = [h for h in hooks if h["scope"] in WITHHELD_SCOPES]
        assert {h["scope"] for h in withheld} == set(WITHHELD_SCOPES), hooks
        for hook in withheld:
            if hook["is_active"]:
                off = self.http.post(f"{self.control}/hooks/{hook['id']}/deactivate")
                assert off.status_code == 200, off.text

    def restart_worker(self, env: dict[str, str]) -> None:
        self.stack.stop("worker")
        self.stack.start("worker", "-m", "app", "worker", env=env)
        self.wait_for_hooks_jobs()
        self.withhold_order_hooks()

    def wait_for_hooks_jobs(self) -> None:
        """Until the hooks jobs that switch hooks on are over: the one the worker's start-up
        queues, and any the install queued (or retried)."""
        deadline = time.monotonic() + 30
        while not asyncio.run(self._hooks_jobs_over()):
            assert time.monotonic() < deadline, self.stack.log("worker")[-3000:]
            time.sleep(0.1)

    async def _hooks_jobs_over(self) -> bool:
        if "← cron:ensure_all_store_hooks" not in self.stack.log("worker"):
            return False  # the start-up's job is not queued yet
        queue = open_queue(self.redis_url)
        try:
            queued = await queue.zrange(default_queue_name, 0, -1)
            running = await queue.keys(f"{in_progress_key_prefix}{ENSURE_STORE_HOOKS}*")
        finally:
            await queue.aclose()
        return not running and not any(job.decode().startswith(ENSURE_STORE_HOOKS) for job in queued)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("bigcommerce-refund-faults")
    var = root / "var"
    var.mkdir()
    database_url = f"sqlite://{root / 'aftercare.sqlite3'}"
    migrate(database_url, var)
    empty_redis(redis_url)
    with (
        running_stack(
            var, database_url, redis_url, env={"PLATFORM_HTTP_TIMEOUT": str(PLATFORM_HTTP_TIMEOUT)}
        ) as stack,
        httpx.Client(timeout=30) as http,
    ):
        shop_id = install_store(stack, http, database_url)  # which queues the import and the hooks
        wait_for_backfill(stack, database_url, shop_id, timeout=90)
        store = Store(stack, database_url, redis_url, shop_id, http, set())
        store.wait_for_hooks_jobs()
        yield store


@pytest.fixture(autouse=True)
def order_hooks_off_and_no_faults_left(store: Store) -> Iterator[None]:
    store.withhold_order_hooks()
    yield
    store.http.delete(f"{store.control}/faults")


def arm(store: Store, **fault: Any) -> None:
    armed = store.http.post(f"{store.control}/faults", json={"operation": "refund_create", **fault})
    assert armed.status_code == 200, armed.text


def armed_faults(store: Store) -> dict[str, Any]:
    faults: dict[str, Any] = store.http.get(f"{store.control}/faults").json()
    return faults


# --- the faults --------------------------------------------------------------------------------------


def test_a_refund_answered_after_the_timeout_is_reconciled_not_resent(store: Store) -> None:
    target = fresh_order(store)
    # BigCommerce makes the refund, then answers past the worker's read timeout.
    arm(store, mode="late", times=1, delay_s=PLATFORM_HTTP_TIMEOUT + 2)

    confirm(store, target)

    ours = assert_refunded_exactly_once(store, target, timeout=40)
    assert armed_faults(store) == {}, "the refund call never met the late answer"
    # Claimed once, taken again once after the timeout: it re-listed the order's refunds, found ours.
    assert ours["attempts"] == 2


def test_a_worker_killed_while_the_refund_call_is_in_flight_is_finished_by_the_next(store: Store) -> None:
    target = fresh_order(store)
    # A worker that would wait for the late answer: it is still waiting when it is killed.
    store.restart_worker(env={"PLATFORM_HTTP_TIMEOUT": "60"})
    arm(store, mode="late", times=1, delay_s=20)

    confirm(store, target)
    row = assert_in_flight(store, target)
    store.stack.stop("worker", signal.SIGKILL)

    restart_worker_after_kill(store, row["id"])

    ours = assert_refunded_exactly_once(store, target, timeout=40)
    assert ours["attempts"] == 2  # the restarted worker reconciled; it did not send again


def test_two_staff_confirming_at_once_and_two_more_jobs_refund_once(store: Store) -> None:
    target = fresh_order(store)
    form = quote(store, target)
    # The first call is held (made, answered late but within the timeout) while others start.
    arm(store, mode="late", times=1, delay_s=1.5)
    owner, manager = (u["id"] for u in store_users(store.stack, store.http)[:2])

    confirms = confirm_twice_at_once(
        store, target, form, store.staff_headers(owner), store.staff_headers(manager)
    )

    assert confirms == [204, 204]
    [row] = our_rows(store, target)
    # Two more jobs for the same intent under their own ids, so arq does not fold them into one.
    assert enqueue_execution(store, row["id"], suffix="again")
    assert enqueue_execution(store, row["id"], suffix="once-more")

    assert_refunded_exactly_once(store, target, timeout=40)
