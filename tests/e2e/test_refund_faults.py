"""Money moves once (DESIGN invariant 3), end to end: the app (uvicorn), a real arq worker, a real
Redis and the devstore as processes; staff confirm refunds through the app's refund pages, and the
devstore's fault switches make ``refundCreate`` time out after applying, fail with a 5xx, or hang
while the worker is killed. Each test counts the refunds the platform holds for the order (the
devstore's control endpoint, checked to read zero before) and expects exactly one, ours, with our
Refund row SUCCEEDED and pointing at it.

The devstore is told an app configuration without ``refunds/create`` and ``orders/updated``: those
webhooks carry our marker and would mark the intent succeeded on their own, racing the job; withheld,
only the job's own claim and reconcile stand between a fault and a second refund, so a resend shows.

Every refund takes one unit of a line that has two or more left (``refund_support.fresh_order``).

One stack serves the module (install and import take most of the time); each test refunds its own
order. Refund jobs retry a transient failure after ``jobs.errors.backoff`` (2.5-5 s, then 5-10 s),
which sets most of the time here.
"""

from __future__ import annotations

import signal
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.services.refunds.marker import key_in_note
from app.settings import load_settings
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
from tests.e2e.test_shopify_sync import empty_redis, install, start_backfill, wait_for_backfill
from tests.support.servers import ROOT, running_stack

pytestmark = pytest.mark.slow

DEMO = "demo.myshopify.com"
WITHHELD_TOPICS = ("refunds/create", "orders/updated")


class Shop(RefundShop):
    @property
    def control(self) -> str:
        return f"{self.stack.devstore_url}/_devstore/shopify/{DEMO}"

    def staff_headers(self) -> dict[str, str]:
        """A fresh session token from the devstore's admin, as App Bridge fetches one per request."""
        api_key = load_settings(self.stack.env).shopify_api_key
        token = self.http.get(
            f"{self.stack.devstore_url}/shopify/{DEMO}/admin/session-token", params={"client_id": api_key}
        ).json()["id_token"]
        return {"Authorization": f"Bearer {token}", "Accept": "text/html"}

    def platform_refunds(self, target: Target) -> list[PlatformRefund]:
        answer = self.http.get(f"{self.control}/orders/{target.platform_id}/refunds")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        assert str(found["order_id"]) == target.platform_id  # the order asked about, not another
        return [
            PlatformRefund(
                id=str(refund["id"]),
                key=key_in_note(refund["note"]),
                amount=sum((Decimal(t["amount"]) for t in refund["transactions"]), Decimal(0)),
            )
            for refund in found["refunds"]
        ]


def _app_config_without_refund_webhooks(path: Path) -> Path:
    config = tomllib.loads((ROOT / "shopify.app.toml").read_text())
    lines = []
    for key in ("client_id", "name", "handle", "application_url"):
        lines.append(f"{key} = {_toml(config[key])}")
    lines.append(f"embedded = {'true' if config.get('embedded') else 'false'}")
    lines += ["", "[access_scopes]", f"scopes = {_toml(config['access_scopes']['scopes'])}"]
    lines += ["", "[webhooks]", f"api_version = {_toml(config['webhooks']['api_version'])}"]
    for entry in config["webhooks"]["subscriptions"]:
        topics = [t for t in entry.get("topics", []) if t not in WITHHELD_TOPICS]
        compliance = entry.get("compliance_topics", [])
        if not topics and not compliance:
            continue
        lines += ["", "[[webhooks.subscriptions]]", f"uri = {_toml(entry['uri'])}"]
        if topics:
            lines.append(f"topics = [{', '.join(_toml(t) for t in topics)}]")
        if compliance:
            lines.append(f"compliance_topics = [{', '.join(_toml(t) for t in compliance)}]")
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Shop]:
    root = tmp_path_factory.mktemp("refund-faults")
    var = root / "var"
    var.mkdir()
    database_url = f"sqlite://{root / 'aftercare.sqlite3'}"
    migrate(database_url, var)
    config = _app_config_without_refund_webhooks(root / "shopify.app.toml")
    empty_redis(redis_url)
    with (
        running_stack(
            var,
            database_url,
            redis_url,
            env={"PLATFORM_HTTP_TIMEOUT": str(PLATFORM_HTTP_TIMEOUT)},
            devstore_args=("--app-config", str(config)),
        ) as stack,
        httpx.Client(timeout=30) as http,
    ):
        shop_id = install(stack, http, database_url)
        start_backfill(redis_url)
        wait_for_backfill(stack, database_url, shop_id, timeout=90)
        yield Shop(stack, database_url, redis_url, shop_id, http, set())


@pytest.fixture(autouse=True)
def no_faults_left(shop: Shop) -> Iterator[None]:
    yield
    shop.http.delete(f"{shop.control}/faults")


def arm(shop: Shop, **fault: Any) -> None:
    armed = shop.http.post(f"{shop.control}/faults", json={"mutation": "refundCreate", **fault})
    assert armed.status_code == 200, armed.text


def armed_faults(shop: Shop) -> list[dict[str, Any]]:
    faults: list[dict[str, Any]] = shop.http.get(f"{shop.control}/faults").json()["faults"]
    return faults


# --- the faults --------------------------------------------------------------------------------------


def test_a_refund_that_times_out_after_the_platform_applied_it_is_reconciled_not_resent(
    shop: Shop,
) -> None:
    target = fresh_order(shop)
    # The platform applies the refund, then holds the answer past the worker's read timeout.
    arm(shop, mode="timeout", times=1, delay_seconds=PLATFORM_HTTP_TIMEOUT + 2)

    confirm(shop, target)

    ours = assert_refunded_exactly_once(shop, target, timeout=40)
    assert armed_faults(shop) == [], "the refund call never met the held answer"
    # Claimed once, taken again once after the timeout: it reconciled (found ours) instead of sending.
    assert ours["attempts"] == 2


def test_a_worker_killed_while_the_refund_call_is_in_flight_is_finished_by_the_next(shop: Shop) -> None:
    target = fresh_order(shop)
    # A worker that would wait for the held answer: it is still waiting when it is killed.
    shop.stack.stop("worker")
    shop.stack.start("worker", "-m", "app", "worker", env={"PLATFORM_HTTP_TIMEOUT": "60"})
    arm(shop, mode="timeout", times=1, delay_seconds=20)

    confirm(shop, target)
    row = assert_in_flight(shop, target)
    shop.stack.stop("worker", signal.SIGKILL)

    restart_worker_after_kill(shop, row["id"])

    ours = assert_refunded_exactly_once(shop, target, timeout=40)
    assert ours["attempts"] == 2  # the restarted worker reconciled; it did not send again


def test_two_confirms_at_once_and_two_jobs_for_one_intent_refund_once(shop: Shop) -> None:
    target = fresh_order(shop)
    form = quote(shop, target)
    # The first call is held (applied, answered late but within the timeout) while others start.
    arm(shop, mode="timeout", times=1, delay_seconds=1.5)

    first, second = shop.staff_headers(), shop.staff_headers()  # a double click, or two people

    assert confirm_twice_at_once(shop, target, form, first, second) == [204, 204]
    [row] = our_rows(shop, target)
    # Two more jobs for the same intent under their own ids, so arq does not fold them into one.
    assert enqueue_execution(shop, row["id"], suffix="again")
    assert enqueue_execution(shop, row["id"], suffix="once-more")

    assert_refunded_exactly_once(shop, target, timeout=40)


def test_a_refund_refused_with_a_5xx_twice_then_accepted_is_one_refund(shop: Shop) -> None:
    target = fresh_order(shop)
    arm(shop, mode="error", times=2, status=503)

    confirm(shop, target)

    ours = assert_refunded_exactly_once(shop, target, timeout=60)
    assert armed_faults(shop) == []
    # Claim, then two re-takes after the 503s (each reconciled, found nothing, sent once more).
    assert ours["attempts"] == 3
