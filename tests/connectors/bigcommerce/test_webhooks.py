"""Hook management: create with a per-hook secret, list, and bring deactivated hooks back."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from connectors.bigcommerce import webhooks
from connectors.bigcommerce.webhooks import HOOK_SECRET_HEADER, SCOPES, ensure_hooks
from connectors.errors import Permanent
from tests.connectors.bigcommerce.fakes import API, FakeTime, fixture, make_rest, ok, sent, v3_list

HOOKS = API + "v3/hooks"
DESTINATION = "https://app.example.com/webhooks/bc"


def _hook(
    hook_id: int,
    scope: str,
    *,
    active: bool = True,
    destination: str = DESTINATION,
    with_secret: bool = True,
) -> dict[str, Any]:
    return {
        "id": hook_id,
        "client_id": "test-client-id",
        "store_hash": "abc123",
        "scope": scope,
        "destination": destination,
        "is_active": active,
        "headers": {HOOK_SECRET_HEADER: "s3cret"} if with_secret else None,
        "created_at": 1580329317,
        "updated_at": 1580329317,
    }


def _echo_created(request: httpx.Request) -> httpx.Response:
    body = sent(request)
    return ok(
        {
            "data": {**_hook(900 + SCOPES.index(body["scope"]), body["scope"]), "headers": body["headers"]},
            "meta": {},
        }
    )


def _held(scope: str) -> str:
    """The secret the hooks in these listings carry (``_hook``'s)."""
    return "s3cret"


def _per_scope(scope: str) -> str:
    return f"secret-{scope}"


@respx.mock
async def test_a_hook_is_created_with_its_secret_in_the_headers_it_sends_back(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(HOOKS).mock(return_value=ok(fixture("hook_created.json")))

    hook = await webhooks.create_hook(make_rest(http, time), "store/order/created", DESTINATION, "s3cret")

    assert sent(route.calls.last.request) == {
        "scope": "store/order/created",
        "destination": DESTINATION,
        "is_active": True,
        "headers": {HOOK_SECRET_HEADER: "s3cret"},
    }
    assert (hook.id, hook.scope, hook.is_active, hook.secret) == (
        "20172984",
        "store/order/created",
        True,
        "s3cret",
    )
    assert "s3cret" not in repr(hook)


@respx.mock
async def test_an_unwrapped_create_answer_is_read_too(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.post(HOOKS).mock(return_value=ok(fixture("hook_created.json")["data"]))

    hook = await webhooks.create_hook(make_rest(http, time), "store/order/created", DESTINATION, "s3cret")

    assert hook.id == "20172984"


@respx.mock
async def test_a_refused_hook_is_permanent(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.post(HOOKS).mock(
        return_value=httpx.Response(422, json={"status": 422, "title": "Hook already exists", "errors": {}})
    )

    with pytest.raises(Permanent, match="already exists"):
        await webhooks.create_hook(make_rest(http, time), "store/order/created", DESTINATION, "s3cret")


@respx.mock
async def test_listing_can_ask_for_deactivated_hooks_only(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.get(HOOKS).mock(return_value=ok(v3_list([_hook(1, "store/order/created", active=False)])))

    hooks = await webhooks.list_hooks(make_rest(http, time), is_active=False)

    assert route.calls.last.request.url.params["is_active"] == "false"
    assert [(hook.id, hook.is_active) for hook in hooks] == [("1", False)]


@respx.mock
async def test_ensure_hooks_creates_one_hook_per_scope_each_with_its_own_secret(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(HOOKS).mock(return_value=ok(v3_list([])))
    created = respx.post(HOOKS).mock(side_effect=_echo_created)

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_per_scope)

    scopes = [sent(call.request)["scope"] for call in created.calls]
    assert scopes == list(SCOPES)
    assert {
        "store/order/created",
        "store/order/updated",
        "store/order/refund/created",
        "store/customer/updated",
        "store/app/uninstalled",
    } <= set(scopes)
    secrets = [hook.secret for hook in result.hooks]
    assert len(set(secrets)) == len(SCOPES)
    assert result.created == SCOPES and result.reactivated == ()


@respx.mock
async def test_ensure_hooks_reactivates_a_deactivated_hook_keeping_its_secret(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    existing = [_hook(10 + n, scope) for n, scope in enumerate(SCOPES)]
    existing[1] = _hook(11, SCOPES[1], active=False)
    respx.get(HOOKS).mock(return_value=ok(v3_list(existing)))
    put = respx.put(HOOKS + "/11").mock(return_value=ok({"data": _hook(11, SCOPES[1]), "meta": {}}))
    post = respx.post(HOOKS)

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_held)

    assert sent(put.calls.last.request) == {"is_active": True, "destination": DESTINATION}
    assert post.call_count == 0
    assert result.reactivated == ("11",)
    assert all(hook.is_active for hook in result.hooks)


@respx.mock
async def test_ensure_hooks_recreates_a_deactivated_hook_deleted_before_it_could_be_reactivated(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    existing = [_hook(10 + n, scope) for n, scope in enumerate(SCOPES)]
    existing[0] = _hook(10, SCOPES[0], active=False)
    respx.get(HOOKS).mock(return_value=ok(v3_list(existing)))
    respx.put(HOOKS + "/10").mock(
        return_value=httpx.Response(404, json={"status": 404, "title": "Not found"})
    )
    post = respx.post(HOOKS).mock(side_effect=_echo_created)

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_held)

    assert [sent(call.request)["scope"] for call in post.calls] == [SCOPES[0]]
    assert result.created == (SCOPES[0],)


@respx.mock
async def test_ensure_hooks_moves_a_hook_left_on_an_old_destination(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    existing = [_hook(10 + n, scope) for n, scope in enumerate(SCOPES)]
    existing[2] = _hook(12, SCOPES[2], destination="https://old.example.com/webhooks/bc")
    respx.get(HOOKS).mock(return_value=ok(v3_list(existing)))
    put = respx.put(HOOKS + "/12").mock(return_value=ok({"data": _hook(12, SCOPES[2]), "meta": {}}))

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_held)

    assert sent(put.calls.last.request)["destination"] == DESTINATION
    assert result.reactivated == ("12",)


@respx.mock
async def test_ensure_hooks_gives_a_secret_to_a_hook_that_has_none(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    existing = [_hook(10 + n, scope) for n, scope in enumerate(SCOPES)]
    existing[3] = _hook(13, SCOPES[3], with_secret=False)
    respx.get(HOOKS).mock(return_value=ok(v3_list(existing)))
    put = respx.put(HOOKS + "/13").mock(
        side_effect=lambda request: ok(
            {"data": {**_hook(13, SCOPES[3]), "headers": sent(request)["headers"]}}
        )
    )

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_held)

    assert sent(put.calls.last.request)["headers"] == {HOOK_SECRET_HEADER: "s3cret"}
    assert result.hooks[3].secret == "s3cret"


@respx.mock
async def test_ensure_hooks_gives_the_expected_secret_to_a_hook_carrying_another(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    existing = [_hook(10 + n, scope) for n, scope in enumerate(SCOPES)]
    respx.get(HOOKS).mock(return_value=ok(v3_list(existing)))
    put = respx.put(url__startswith=HOOKS + "/").mock(
        side_effect=lambda request: ok(
            {"data": {**_hook(int(request.url.path.rsplit("/", 1)[1]), SCOPES[0]), **sent(request)}}
        )
    )

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_per_scope)

    assert put.call_count == len(SCOPES)
    assert [hook.secret for hook in result.hooks] == [_per_scope(scope) for scope in SCOPES]


@respx.mock
async def test_ensure_hooks_with_every_hook_in_place_changes_nothing(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(HOOKS).mock(return_value=ok(v3_list([_hook(10 + n, scope) for n, scope in enumerate(SCOPES)])))
    changes = [respx.post(HOOKS), respx.put(url__startswith=HOOKS + "/")]

    result = await ensure_hooks(make_rest(http, time), DESTINATION, secret_for=_held)

    assert [route.call_count for route in changes] == [0, 0]
    assert (result.created, result.reactivated) == ((), ())
    assert len(result.hooks) == len(SCOPES)
