"""The GraphQL client: pacing by the cost bucket, retries, the one token refresh, error mapping."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import AuthError, Permanent, RateLimited, Transient
from connectors.shopify.errors import UserErrors
from connectors.shopify.graphql import ShopifyGraphQL
from tests.connectors.shopify.fakes import FakeTime, FakeTokens, make_client, sent
from tests.connectors.shopify.payloads import (
    API_VERSION,
    GRAPHQL_URL,
    INTERNAL_ERROR,
    REFUND_USER_ERRORS,
    RETURN_USER_ERRORS,
    UNDEFINED_FIELD,
    cost,
    ok,
    throttled,
)

SHOP_QUERY = "query ShopName { shop { name } }"
SHOP_DATA = {"shop": {"name": "Test shop"}}
REFUND = "mutation Refund($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { field message } } }"


def _answers(*responses: httpx.Response) -> respx.Route:
    return respx.post(GRAPHQL_URL).mock(side_effect=list(responses))


def _json(body: Mapping[str, Any], status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


# --- the request --------------------------------------------------------------------------------


@respx.mock
async def test_a_query_posts_to_the_pinned_version_with_the_shops_token(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = _answers(_json(ok(SHOP_DATA)))

    data = await make_client(http, time).query(SHOP_QUERY, {"first": 3})

    request = route.calls.last.request
    assert str(request.url) == f"https://test-shop.myshopify.com/admin/api/{API_VERSION}/graphql.json"
    assert request.headers["X-Shopify-Access-Token"] == "shpat_first"
    assert sent(request) == {"query": SHOP_QUERY, "variables": {"first": 3}}
    assert data == SHOP_DATA


def test_a_client_refuses_a_host_that_is_not_a_shop(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="myshopify"):
        ShopifyGraphQL(http, "evil.com", API_VERSION, FakeTokens())


# --- pacing by the cost bucket --------------------------------------------------------------------


@respx.mock
async def test_a_call_the_bucket_cannot_afford_waits_requested_minus_available_over_restore_rate(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    # Shopify said: this query requests 752 points; 100 are left; 50 come back each second.
    report = cost(752, 700, available=100, maximum=1000, restore=50)
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.now)
        return _json(ok(SHOP_DATA, report))

    respx.post(GRAPHQL_URL).mock(side_effect=answer)
    client = make_client(http, time)

    await client.query(SHOP_QUERY)
    await client.query(SHOP_QUERY)

    assert time.sleeps == [pytest.approx((752 - 100) / 50)]
    assert sent_at[1] - sent_at[0] == pytest.approx(13.04)


@respx.mock
async def test_a_call_the_bucket_can_afford_goes_at_once(http: httpx.AsyncClient, time: FakeTime) -> None:
    _answers(*[_json(ok(SHOP_DATA, cost(52, 12, available=1988, maximum=2000, restore=100)))] * 3)
    client = make_client(http, time)

    for _ in range(3):
        await client.query(SHOP_QUERY)

    assert time.sleeps == []
    assert client.throttle_status is not None
    assert client.throttle_status.currently_available == 1988


@respx.mock
async def test_the_bucket_refills_at_the_restore_rate_while_time_passes(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    _answers(*[_json(ok(SHOP_DATA, cost(752, 700, available=100, maximum=1000, restore=50)))] * 2)
    client = make_client(http, time)
    await client.query(SHOP_QUERY)

    time.now += 10  # 500 points come back: 600 available, 152 short

    await client.query(SHOP_QUERY)
    assert time.sleeps == [pytest.approx(152 / 50)]


# --- throttling -----------------------------------------------------------------------------------


@respx.mock
async def test_throttled_with_http_200_is_retried_after_the_wait_its_throttle_status_gives(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = _answers(_json(throttled(752, available=666, restore=50)), _json(ok(SHOP_DATA)))

    data = await make_client(http, time).query(SHOP_QUERY)

    assert data == SHOP_DATA
    assert route.call_count == 2
    assert time.sleeps == [pytest.approx((752 - 666) / 50)]


@respx.mock
async def test_http_429_is_retried_after_retry_after(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = _answers(
        httpx.Response(429, text="Too Many Requests", headers={"Retry-After": "2.0"}), _json(ok(SHOP_DATA))
    )

    assert await make_client(http, time).query(SHOP_QUERY) == SHOP_DATA
    assert route.call_count == 2
    assert time.sleeps == [2.0]


@respx.mock
async def test_throttling_that_outlasts_the_attempts_raises_rate_limited(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(GRAPHQL_URL).respond(json=throttled(752, available=666, restore=50))

    with pytest.raises(RateLimited) as caught:
        await make_client(http, time, max_attempts=3).query(SHOP_QUERY)

    assert route.call_count == 3
    assert caught.value.retry_after == pytest.approx(1.72)


@respx.mock
async def test_a_mutation_is_repeated_after_throttling_because_throttled_calls_never_ran(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = _answers(
        _json(throttled()),
        _json(ok({"refundCreate": {"refund": {"id": "gid://shopify/Refund/1"}, "userErrors": []}})),
    )

    payload = await make_client(http, time).mutate(REFUND, {"input": {}}, payload="refundCreate")

    assert payload["refund"] == {"id": "gid://shopify/Refund/1"}
    assert route.call_count == 2


# --- server errors and timeouts ---------------------------------------------------------------------


@respx.mock
async def test_5xx_is_retried_with_jittered_exponential_back_off(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = _answers(httpx.Response(503), httpx.Response(502), _json(ok(SHOP_DATA)))

    assert await make_client(http, time).query(SHOP_QUERY) == SHOP_DATA

    assert route.call_count == 3
    # Ceilings 1 s then 2 s; with the jitter source at 0.5 each wait is three quarters of it.
    assert time.sleeps == [0.75, 1.5]


@respx.mock
async def test_5xx_until_the_attempts_run_out_raises_transient(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(GRAPHQL_URL).respond(500)

    with pytest.raises(Transient) as caught:
        await make_client(http, time, max_attempts=3).query(SHOP_QUERY)

    assert caught.value.status == 500
    assert route.call_count == 3
    assert len(time.sleeps) == 2


@respx.mock
async def test_a_timeout_is_retried(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = _answers(httpx.ReadTimeout("read timed out"), _json(ok(SHOP_DATA)))  # type: ignore[arg-type]

    assert await make_client(http, time).query(SHOP_QUERY) == SHOP_DATA
    assert route.call_count == 2


@respx.mock
async def test_shopifys_internal_error_with_http_200_is_retried(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = _answers(_json(INTERNAL_ERROR), _json(ok(SHOP_DATA)))

    assert await make_client(http, time).query(SHOP_QUERY) == SHOP_DATA
    assert route.call_count == 2


@respx.mock
async def test_a_mutation_is_not_repeated_after_a_5xx_because_it_may_have_happened(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(GRAPHQL_URL).respond(502)

    with pytest.raises(Transient):
        await make_client(http, time).mutate(REFUND, {"input": {}}, payload="refundCreate")

    assert route.call_count == 1


@respx.mock
async def test_a_mutation_is_repeated_after_a_failed_connect_because_it_was_never_sent(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = _answers(
        httpx.ConnectError("connection refused"),  # type: ignore[arg-type]
        _json(ok({"refundCreate": {"refund": {"id": "gid://shopify/Refund/1"}, "userErrors": []}})),
    )

    await make_client(http, time).mutate(REFUND, {"input": {}}, payload="refundCreate")
    assert route.call_count == 2


# --- tokens -----------------------------------------------------------------------------------------


@respx.mock
async def test_a_401_refreshes_the_token_once_and_repeats_the_call_with_the_new_one(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    tokens = FakeTokens()
    route = _answers(
        httpx.Response(401, json={"errors": "[API] Invalid API key or access token"}), _json(ok(SHOP_DATA))
    )

    assert await make_client(http, time, tokens).query(SHOP_QUERY) == SHOP_DATA

    assert tokens.refreshed_after == ["shpat_first"]
    assert [call.request.headers["X-Shopify-Access-Token"] for call in route.calls] == [
        "shpat_first",
        "shpat_second",
    ]


@respx.mock
async def test_a_second_401_raises_auth_error_without_another_refresh(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    tokens = FakeTokens()
    route = respx.post(GRAPHQL_URL).respond(401, json={"errors": "[API] Invalid API key or access token"})

    with pytest.raises(AuthError) as caught:
        await make_client(http, time, tokens).query(SHOP_QUERY)

    assert caught.value.status == 401
    assert tokens.refreshed_after == ["shpat_first"]
    assert route.call_count == 2


@respx.mock
async def test_tokens_never_reach_the_logs(
    http: httpx.AsyncClient, time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    _answers(httpx.Response(401), httpx.Response(503), _json(throttled()), _json(ok(SHOP_DATA)))
    caplog.set_level(logging.DEBUG)

    await make_client(http, time).query(SHOP_QUERY)

    assert caplog.records, "the retries were logged"
    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "shpat_" not in logged


# --- errors that retrying cannot fix -------------------------------------------------------------------


@respx.mock
async def test_graphql_errors_are_permanent_and_carry_the_messages(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(GRAPHQL_URL).respond(json=UNDEFINED_FIELD)

    with pytest.raises(Permanent, match="Field 'bogus' doesn't exist on type 'Order'"):
        await make_client(http, time).query(SHOP_QUERY)

    assert route.call_count == 1


@respx.mock
@pytest.mark.parametrize("status", [400, 402, 403, 404, 423])
async def test_client_errors_are_permanent(http: httpx.AsyncClient, time: FakeTime, status: int) -> None:
    route = respx.post(GRAPHQL_URL).respond(status, json={"errors": "Not Found"})

    with pytest.raises(Permanent) as caught:
        await make_client(http, time).query(SHOP_QUERY)

    assert caught.value.status == status
    assert route.call_count == 1


@respx.mock
async def test_refund_user_errors_raise_user_errors_with_each_field_path(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.post(GRAPHQL_URL).respond(json=REFUND_USER_ERRORS)

    with pytest.raises(UserErrors) as caught:
        await make_client(http, time).mutate(REFUND, {"input": {}}, payload="refundCreate")

    assert isinstance(caught.value, Permanent)
    [error] = caught.value.errors
    assert error.field == ("input", "refundLineItems", "0", "quantity")
    assert error.message == "Quantity cannot refund more items than were purchased"
    assert error.code is None
    assert "input.refundLineItems.0.quantity" in caught.value.message


@respx.mock
async def test_return_user_errors_keep_their_code(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.post(GRAPHQL_URL).respond(json=RETURN_USER_ERRORS)

    with pytest.raises(UserErrors) as caught:
        await make_client(http, time).mutate("mutation P { returnProcess }", payload="returnProcess")

    assert [(e.field, e.code) for e in caught.value.errors] == [(("input", "returnLineItems"), "INVALID")]
