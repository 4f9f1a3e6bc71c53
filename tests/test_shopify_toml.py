"""shopify.app.toml / shopify.web.toml: complete for the App Store, and pointing at real routes."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from app.cli import build_parser
from app.main import ROUTES
from app.models import WebhookEvent
from app.queue import open_queue
from app.settings import DEFAULT_API_VERSION, DEFAULT_SCOPES, DEV_SHOPIFY_API_SECRET
from app.webhooks.topics import COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS
from tests.app.webhooks.conftest import make_shop
from tests.app.webhooks.deliveries import SHOP_DOMAIN, delivery

ROOT = Path(__file__).resolve().parents[1]
APP = tomllib.loads((ROOT / "shopify.app.toml").read_text())
WEB = tomllib.loads((ROOT / "shopify.web.toml").read_text())

# The list, spelled out here so that the toml and the code cannot drift together.
TOPICS = {
    *("orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled"),
    *("orders/partially_fulfilled", "orders/edited", "orders/delete"),
    *("customers/create", "customers/update", "customers/delete", "customers/merge"),
    *("refunds/create", "fulfillments/create", "fulfillments/update"),
    *("returns/request", "returns/approve", "returns/decline", "returns/cancel", "returns/close"),
    *("returns/reopen", "returns/process", "returns/update"),
    *("app/uninstalled", "bulk_operations/finish"),
}
COMPLIANCE = {"customers/data_request", "customers/redact", "shop/redact"}


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[None]:
    """The deliveries below queue jobs in the session Redis: leave it empty for the next test."""
    pool = open_queue(redis_url)
    await pool.flushdb()
    try:
        yield
    finally:
        await pool.flushdb()
        await pool.aclose()


def subscriptions() -> list[dict[str, Any]]:
    return list(APP["webhooks"]["subscriptions"])


def deliveries() -> list[tuple[str, str]]:
    """(uri, topic) for every topic of every subscription."""
    pairs = []
    for entry in subscriptions():
        for topic in (*entry.get("topics", ()), *entry.get("compliance_topics", ())):
            pairs.append((entry["uri"], topic))
    return pairs


def post_routes() -> set[str]:
    return {r.path for r in ROUTES if isinstance(r, Route) and r.methods and "POST" in r.methods}


def test_the_app_toml_has_what_the_app_store_requires() -> None:
    assert APP["client_id"]
    assert (APP["name"], APP["handle"], APP["embedded"]) == ("Aftercare", "aftercare", True)
    assert APP["application_url"].startswith("https://")
    assert APP["access_scopes"]["use_legacy_install_flow"] is False
    assert APP["auth"]["redirect_urls"] == [APP["application_url"] + "/auth/callback"]
    assert APP["webhooks"]["api_version"] == DEFAULT_API_VERSION == "2026-10"
    assert APP["build"]["automatically_update_urls_on_dev"] is True


def test_scopes_are_the_least_privilege_set_the_app_asks_for() -> None:
    scopes = APP["access_scopes"]["scopes"].split(",")
    assert sorted(scopes) == sorted(
        [
            "read_orders",
            "write_orders",
            "read_customers",
            "read_returns",
            "write_returns",
            "read_fulfillments",
        ]
    )
    assert sorted(scopes) == sorted(DEFAULT_SCOPES.split(","))


def test_every_handled_topic_is_subscribed_once_and_the_compliance_ones_as_compliance_topics() -> None:
    topics = [t for entry in subscriptions() for t in entry.get("topics", ())]
    compliance = [t for entry in subscriptions() for t in entry.get("compliance_topics", ())]
    assert sorted(topics) == sorted(TOPICS) == sorted(SUBSCRIBED_TOPICS)
    assert sorted(compliance) == sorted(COMPLIANCE) == sorted(COMPLIANCE_TOPICS)


def test_every_subscription_uri_is_a_post_route_of_the_app() -> None:
    assert {uri for uri, _ in deliveries()} <= post_routes()


def test_the_web_toml_runs_this_python_backend() -> None:
    assert WEB["roles"] == ["backend"]
    assert WEB["webhooks_path"] in post_routes()
    assert WEB["auth_callback_path"] == "/auth/callback"
    assert WEB["auth_callback_path"] in {r.path for r in ROUTES if isinstance(r, Route)}
    # No shell runs these: no variables to expand, and each must be a command our CLI accepts.
    for name in ("predev", "dev"):
        command = WEB["commands"][name].split(" ")
        assert "$" not in WEB["commands"][name]
        assert command[:3] == [".venv/bin/python", "-m", "app"]
        build_parser().parse_args(command[3:])
    assert WEB["commands"]["dev"].split(" ")[3] == "serve"


@pytest.mark.parametrize(("uri", "topic"), deliveries())
async def test_a_signed_delivery_to_each_uri_and_topic_is_accepted(
    client: httpx.AsyncClient, queue: None, uri: str, topic: str
) -> None:
    await make_shop()
    body, headers = delivery(topic, {"id": 1, "shop_domain": SHOP_DOMAIN}, secret=DEV_SHOPIFY_API_SECRET)
    response = await client.post(uri, content=body, headers=headers)
    assert response.status_code == 200
    assert await WebhookEvent.filter(topic=topic).count() == 1


@pytest.mark.parametrize(("uri", "topic"), [(u, t) for u, t in deliveries() if t in COMPLIANCE])
async def test_each_compliance_uri_answers_401_to_a_bad_hmac(
    client: httpx.AsyncClient, uri: str, topic: str
) -> None:
    await make_shop()
    body, headers = delivery(topic, {"shop_domain": SHOP_DOMAIN}, secret="a-forged-secret")
    response = await client.post(uri, content=body, headers=headers)
    assert response.status_code == 401
    assert await WebhookEvent.all().count() == 0
