"""Keeping each BigCommerce store's hooks in place: the job creates what is missing with the secret
the intake will check and our destination, turns deactivated hooks back on, leaves Shopify shops
alone, and flags a store whose token is refused; the cron queues it for every served store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis, Retry
from starlette.datastructures import Headers

from app import clock
from app.models import Platform, Shop
from app.services.shops import token_cipher
from app.settings import Settings
from app.webhooks.bigcommerce import (
    ENSURE_STORE_HOOKS,
    check_bigcommerce_delivery,
    hook_destination,
    hook_secret,
)
from app.webhooks.verify import Delivery
from connectors.bigcommerce.webhooks import HOOK_SECRET_HEADER, SCOPES
from jobs.bigcommerce_hooks import ensure_all_store_hooks, ensure_store_hooks
from jobs.worker import WorkerSettings
from tests.app.webhooks.bigcommerce_deliveries import hook_payload
from tests.connectors.bigcommerce.fakes import ok, v3_list

STORE = "abc123"
API = f"https://api.bigcommerce.com/stores/{STORE}/"


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
async def ctx(db: Settings, queue: ArqRedis) -> AsyncIterator[dict[str, Any]]:
    """A job context as the worker builds it, with an HTTP client on the real API URLs."""
    async with httpx.AsyncClient() as http:
        yield {"settings": db, "http": http, "redis": queue, "job_try": 1}


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


async def bc_store(settings: Settings, store_hash: str = STORE, **fields: Any) -> Shop:
    return await Shop.create(
        platform=Platform.BIGCOMMERCE,
        domain=store_hash,
        access_token_encrypted=token_cipher(settings).encrypt("bc-token"),
        **fields,
    )


def our_hook(settings: Settings, hook_id: int, scope: str, *, active: bool = True) -> dict[str, Any]:
    return {
        "id": hook_id,
        "client_id": "bc-client",
        "store_hash": STORE,
        "scope": scope,
        "destination": hook_destination(settings),
        "is_active": active,
        "headers": {HOOK_SECRET_HEADER: hook_secret(settings, STORE, scope)},
        "created_at": 1580329317,
        "updated_at": 1580329317,
    }


def created(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return ok(
        {"data": {"id": 900 + SCOPES.index(body["scope"]), "client_id": "bc-client", **body}, "meta": {}}
    )


def updated(request: httpx.Request, hook_id: str) -> httpx.Response:
    return ok(
        {"data": {"id": int(hook_id), "scope": SCOPES[0], "is_active": True, **json.loads(request.content)}}
    )


def mock_hooks(api: respx.MockRouter, existing: list[dict[str, Any]]) -> tuple[respx.Route, respx.Route]:
    api.get("v3/hooks").mock(return_value=ok(v3_list(existing)))
    post = api.post("v3/hooks").mock(side_effect=created)
    put = api.put(url__regex=r"v3/hooks/(?P<hook_id>\d+)$").mock(side_effect=updated)
    return post, put


# --- ensure_store_hooks -----------------------------------------------------------------------


async def test_a_new_store_gets_one_hook_per_scope_with_its_secret_and_our_destination(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    post, put = mock_hooks(api, [])

    assert await ensure_store_hooks(ctx, shop.id) == f"{len(SCOPES)} hooks: {len(SCOPES)} created, 0 repaired"

    bodies = [json.loads(call.request.content) for call in post.calls]
    assert [body["scope"] for body in bodies] == list(SCOPES)
    for body in bodies:
        assert body["destination"] == "https://aftercare.test/webhooks/bigcommerce"
        assert body["is_active"] is True
        assert body["headers"] == {HOOK_SECRET_HEADER: hook_secret(db, STORE, body["scope"])}
    assert not put.calls
    assert post.calls.last.request.headers["X-Auth-Token"] == "bc-token"


async def test_the_secret_a_hook_is_given_is_the_one_the_intake_accepts(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    post, _ = mock_hooks(api, [])
    await ensure_store_hooks(ctx, shop.id)

    for call in post.calls:
        hook = json.loads(call.request.content)
        body = json.dumps(hook_payload(hook["scope"])).encode()
        # What BigCommerce sends back on each delivery: the hook's own headers (unsigned here).
        checked = check_bigcommerce_delivery(Headers(hook["headers"]), body, db)
        assert isinstance(checked, Delivery), hook["scope"]


async def test_hooks_in_place_are_left_alone(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    post, put = mock_hooks(api, [our_hook(db, 100 + n, scope) for n, scope in enumerate(SCOPES)])

    assert await ensure_store_hooks(ctx, shop.id) == f"{len(SCOPES)} hooks: 0 created, 0 repaired"

    assert not post.calls and not put.calls


async def test_a_deactivated_hook_is_turned_back_on(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    hooks = [
        our_hook(db, 100 + n, scope, active=scope != "store/order/updated") for n, scope in enumerate(SCOPES)
    ]
    post, put = mock_hooks(api, hooks)

    assert await ensure_store_hooks(ctx, shop.id) == f"{len(SCOPES)} hooks: 0 created, 1 repaired"

    off = SCOPES.index("store/order/updated")
    assert [call.request.url.path.rsplit("/", 1)[1] for call in put.calls] == [str(100 + off)]
    assert json.loads(put.calls.last.request.content) == {
        "is_active": True,
        "destination": hook_destination(db),
    }
    assert not post.calls


async def test_a_shopify_shop_has_no_hooks_to_make(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await Shop.create(
        platform=Platform.SHOPIFY, domain="aftercare-test.myshopify.com", access_token_encrypted="x"
    )

    assert (
        await ensure_store_hooks(ctx, shop.id)
        == "hooks are declared in the app's configuration on this platform"
    )

    assert not api.calls


@pytest.mark.parametrize(
    ("is_active", "needs_reauth"), [(False, False), (True, True)], ids=["uninstalled", "needs re-auth"]
)
async def test_a_store_we_cannot_act_for_is_skipped(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter, is_active: bool, needs_reauth: bool
) -> None:
    shop = await bc_store(db, is_active=is_active, needs_reauth=needs_reauth)
    assert await ensure_store_hooks(ctx, shop.id) == "not installed"
    assert not api.calls


async def test_a_refused_token_marks_the_store_for_reauthorization(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/hooks").mock(return_value=httpx.Response(401, json={"status": 401, "title": "Unauthorized"}))

    assert await ensure_store_hooks(ctx, shop.id) == "needs re-authorization"

    assert (await Shop.get(id=shop.id)).needs_reauth


async def test_a_rate_limited_store_is_tried_again_after_the_wait(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/hooks").mock(return_value=httpx.Response(429, headers={"X-Retry-After": "120"}))

    with pytest.raises(Retry) as retry:
        await ensure_store_hooks(ctx, shop.id)

    assert retry.value.defer_score == 120_000


async def test_a_hook_the_store_refuses_ends_the_job_with_the_reason(
    ctx: dict[str, Any], db: Settings, api: respx.MockRouter
) -> None:
    shop = await bc_store(db)
    api.get("v3/hooks").mock(return_value=ok(v3_list([])))
    api.post("v3/hooks").mock(
        return_value=httpx.Response(422, json={"status": 422, "title": "destination must use https"})
    )

    assert (await ensure_store_hooks(ctx, shop.id)).startswith("failed: ")
    assert not (await Shop.get(id=shop.id)).needs_reauth


# --- ensure_all_store_hooks -------------------------------------------------------------------


async def test_the_cron_queues_one_job_per_served_bigcommerce_store(
    ctx: dict[str, Any], db: Settings
) -> None:
    served = [await bc_store(db), await bc_store(db, "xyz789")]
    await bc_store(db, "gone1", is_active=False)
    await bc_store(db, "reauth1", needs_reauth=True)
    await Shop.create(platform=Platform.SHOPIFY, domain="a.myshopify.com")
    queue: ArqRedis = ctx["redis"]

    assert await ensure_all_store_hooks(ctx) == 2
    assert await ensure_all_store_hooks(ctx) == 2  # the same slot: nothing queued twice

    jobs = await queue.queued_jobs()
    assert sorted((job.function, job.args) for job in jobs) == sorted(
        (ENSURE_STORE_HOOKS, (shop.id,)) for shop in served
    )
    clock.advance(timedelta(minutes=10))
    await ensure_all_store_hooks(ctx)
    assert len(await queue.queued_jobs()) == 4, "the next slot queues again"


def test_the_jobs_are_registered_with_the_worker() -> None:
    functions = {getattr(f, "name", getattr(f, "__name__", None)) for f in WorkerSettings.functions}
    assert {ENSURE_STORE_HOOKS, "ensure_all_store_hooks"} <= functions
    assert ensure_all_store_hooks in {job.coroutine for job in WorkerSettings.cron_jobs}
