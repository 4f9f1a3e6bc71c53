"""The BigCommerce side of webhook intake: the secret each hook carries, where hooks point, the
check that turns a delivery into a ``Delivery`` (or a 401/400), and queueing hook setup."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest
from arq import ArqRedis
from arq.jobs import Job, JobStatus
from starlette.datastructures import Headers, Secret

from app.queue import open_queue
from app.settings import Settings, load_settings
from app.webhooks.bigcommerce import (
    ENSURE_STORE_HOOKS,
    PATH,
    check_bigcommerce_delivery,
    hook_destination,
    hook_secret,
    queue_hook_setup,
)
from app.webhooks.verify import Delivery, Rejected
from connectors.bigcommerce.webhook_deliveries import TOLERANCE
from connectors.bigcommerce.webhooks import SCOPES
from tests.app.webhooks.bigcommerce_deliveries import BC_ENV, SECRET_KEY, STORE, bc_delivery, hook_payload


@pytest.fixture
def bc_settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "AFTERCARE_PLATFORM_URL": "http://platform.test",
            "AFTERCARE_VAR_DIR": str(tmp_path / "var"),
            "SHOPIFY_APP_URL": "https://aftercare.test",
            **BC_ENV,
        }
    )


def check(settings: Settings, body: bytes, headers: dict[str, str]) -> Delivery | Rejected:
    return check_bigcommerce_delivery(Headers(headers), body, settings)


# --- hook secrets and destination ---------------------------------------------------------------


def test_each_store_and_scope_has_its_own_stable_secret(bc_settings: Settings) -> None:
    secrets = {
        (store, scope): hook_secret(bc_settings, store, scope)
        for store in (STORE, "xyz789")
        for scope in SCOPES
    }
    assert len(set(secrets.values())) == len(secrets), "no two hooks share a secret"
    assert hook_secret(bc_settings, STORE, "store/order/updated") == secrets[(STORE, "store/order/updated")]
    assert all(len(secret) >= 40 for secret in secrets.values())


def test_a_new_secret_key_gives_every_hook_a_new_secret(bc_settings: Settings) -> None:
    rotated = dataclasses.replace(bc_settings, secret_key=Secret(SECRET_KEY[::-1]))
    for scope in SCOPES:
        assert hook_secret(rotated, STORE, scope) != hook_secret(bc_settings, STORE, scope)


def test_hooks_point_at_the_bigcommerce_endpoint_of_the_app(bc_settings: Settings) -> None:
    assert hook_destination(bc_settings) == "https://aftercare.test/webhooks/bigcommerce"
    slashed = dataclasses.replace(bc_settings, app_url="https://aftercare.test/")
    assert hook_destination(slashed) == "https://aftercare.test" + PATH


# --- check_bigcommerce_delivery -----------------------------------------------------------------


def test_a_signed_delivery_with_its_hook_secret_becomes_a_delivery(bc_settings: Settings) -> None:
    payload = hook_payload("store/order/created", 100, digest="dd70c0976e06b67aaf671e73f49dcb79230ebf9d")
    body, headers = bc_delivery(bc_settings, payload, webhook_id="msg_1")

    checked = check(bc_settings, body, headers)

    assert isinstance(checked, Delivery)
    assert (checked.topic, checked.shop_domain, checked.webhook_id) == ("store/order/created", STORE, "msg_1")
    # The payload hash is the same for every delivery of one event (fact sheet 3.4).
    assert checked.dedupe_key == "dd70c0976e06b67aaf671e73f49dcb79230ebf9d"
    assert checked.triggered_at is not None and checked.triggered_at.timestamp() == 1561479335
    assert checked.payload == payload
    assert checked.body == body.decode()


def test_an_unsigned_delivery_is_accepted_on_its_hook_secret(bc_settings: Settings) -> None:
    # Signatures are documented since 2025-01 only; the secret header is the long-standing proof.
    body, headers = bc_delivery(bc_settings, signed=False)
    checked = check(bc_settings, body, headers)
    assert isinstance(checked, Delivery)
    assert checked.dedupe_key == json.loads(body)["hash"]


def test_a_payload_without_a_hash_is_deduplicated_on_the_webhook_id(bc_settings: Settings) -> None:
    payload = hook_payload()
    del payload["hash"]
    checked = check(bc_settings, *bc_delivery(bc_settings, payload, webhook_id="msg_retry"))
    assert isinstance(checked, Delivery) and checked.dedupe_key == "msg_retry"


@pytest.mark.parametrize(
    "secret_of",
    [
        pytest.param((STORE, "store/customer/updated"), id="another scope's secret"),
        pytest.param(("xyz789", "store/order/updated"), id="another store's secret"),
    ],
)
def test_a_secret_of_another_hook_is_refused(bc_settings: Settings, secret_of: tuple[str, str]) -> None:
    secret = hook_secret(bc_settings, *secret_of)
    body, headers = bc_delivery(bc_settings, hook_payload("store/order/updated"), secret=secret)
    assert check(bc_settings, body, headers) == Rejected(401, "bad_hook_secret")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param({"secret": ""}, "bad_hook_secret", id="no secret header"),
        pytest.param({"secret": "guessed"}, "bad_hook_secret", id="wrong secret"),
        pytest.param({"client_secret": "not-the-client-secret"}, "bad_signature", id="bad signature"),
        # Seconds from now, turned into a timestamp when the test runs (not when it is collected).
        pytest.param({"sent_at": -TOLERANCE - 60}, "stale_timestamp", id="stale"),
        pytest.param({"sent_at": TOLERANCE + 60}, "stale_timestamp", id="from the future"),
    ],
)
def test_an_unproven_delivery_is_401(bc_settings: Settings, change: dict[str, object], reason: str) -> None:
    if "sent_at" in change:
        change = {"sent_at": int(time.time() + float(change["sent_at"]))}  # type: ignore[arg-type]
    body, headers = bc_delivery(bc_settings, **change)  # type: ignore[arg-type]
    assert check(bc_settings, body, headers) == Rejected(401, reason)


def test_a_body_changed_after_signing_is_401(bc_settings: Settings) -> None:
    body, headers = bc_delivery(bc_settings, hook_payload(resource_id=100))
    tampered = body.replace(b'"id": 100', b'"id": 101')
    assert tampered != body
    assert check(bc_settings, tampered, headers) == Rejected(401, "bad_signature")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not json"),
        pytest.param(b"[1, 2]", id="not an object"),
        pytest.param(b'{"scope": "store/order/updated", "data": {"id": NaN}}', id="NaN"),
        pytest.param(json.dumps({**hook_payload(), "producer": ""}).encode(), id="no producer"),
        pytest.param(json.dumps({**hook_payload(), "scope": ""}).encode(), id="no scope"),
    ],
)
def test_a_malformed_body_is_400(bc_settings: Settings, body: bytes) -> None:
    _, headers = bc_delivery(bc_settings)
    assert check(bc_settings, body, headers) == Rejected(400, "malformed_payload")


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_without_a_bigcommerce_app_configured_nothing_is_accepted(
    bc_settings: Settings, signed: bool
) -> None:
    # An empty key would verify a signature anyone can make.
    unconfigured = dataclasses.replace(bc_settings, bigcommerce_client_secret=Secret(""))
    body, headers = bc_delivery(bc_settings, client_secret="", signed=signed)
    assert check(unconfigured, body, headers) == Rejected(401, "no_client_secret")


# --- queue_hook_setup ---------------------------------------------------------------------------


async def test_an_install_queues_the_store_hook_setup_once(queue: ArqRedis) -> None:
    await queue_hook_setup(queue, 7, "install-1")
    await queue_hook_setup(queue, 7, "install-1")  # the same install, seen twice

    job = Job(f"{ENSURE_STORE_HOOKS}:7:install-1", queue)
    assert await job.status() == JobStatus.queued
    info = await job.info()
    assert info is not None and (info.function, info.args) == ("ensure_store_hooks", (7,))
    assert len(await queue.queued_jobs()) == 1


async def test_redis_down_does_not_fail_the_install(caplog: pytest.LogCaptureFixture) -> None:
    down = open_queue("redis://127.0.0.1:1")
    try:
        await queue_hook_setup(down, 7, "install-1")
    finally:
        await down.aclose()
    assert "hooks cron will do it" in caplog.text
