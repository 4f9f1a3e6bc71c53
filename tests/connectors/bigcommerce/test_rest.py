"""The REST client: the request, the store's rate-limit headers and 429s, and error mapping."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.bigcommerce.errors import NotFound
from connectors.bigcommerce.rest import BigCommerceREST
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from tests.connectors.bigcommerce.fakes import (
    API,
    TOKEN,
    FakeTime,
    FakeTokens,
    fixture,
    limits,
    make_rest,
    ok,
)

ORDERS = API + "v2/orders"
REFUNDS = API + "v3/orders/100/payment_actions/refunds"


# --- the request --------------------------------------------------------------------------------


@respx.mock
async def test_a_call_goes_to_the_stores_api_with_its_token(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.get(ORDERS).mock(return_value=ok(fixture("orders_page.json")))

    body = await make_rest(http, time).get("v2/orders", {"page": 1, "limit": 250})

    request = route.calls.last.request
    assert request.url.path == "/stores/abc123/v2/orders"
    assert request.url.params["limit"] == "250"
    assert request.headers["X-Auth-Token"] == TOKEN
    assert request.headers["Accept"] == "application/json"
    assert [order["id"] for order in body] == [100, 101]


@respx.mock
async def test_an_empty_v2_page_answered_204_reads_as_none(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.get(ORDERS).mock(return_value=httpx.Response(204))

    assert await make_rest(http, time).get("v2/orders") is None


def test_a_client_refuses_anything_but_a_store_hash(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="store hash"):
        BigCommerceREST(http, "abc123/../evil", FakeTokens())


# --- the store's quota ----------------------------------------------------------------------------


@respx.mock
async def test_a_429_waits_x_retry_after_then_succeeds(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.get(ORDERS).mock(
        side_effect=[
            httpx.Response(429, headers={**limits(0, reset_ms=1500), "X-Retry-After": "2"}),
            ok([{"id": 100}], headers=limits(149)),
        ]
    )

    body = await make_rest(http, time).get("v2/orders")

    assert body == [{"id": 100}]
    assert route.call_count == 2
    assert time.sleeps == [2.0]


@respx.mock
async def test_a_429_without_x_retry_after_waits_for_the_window_reset(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(ORDERS).mock(
        side_effect=[httpx.Response(429, headers=limits(0, reset_ms=4000)), ok([], headers=limits(149))]
    )

    await make_rest(http, time).get("v2/orders")

    assert time.sleeps == [4.0]


@respx.mock
async def test_a_429_without_any_headers_backs_off_growing(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.get(ORDERS).mock(side_effect=[httpx.Response(429), httpx.Response(429), ok([])])

    await make_rest(http, time).get("v2/orders")

    assert time.sleeps == [0.75, 1.5]  # equal jitter of 1 s, then 2 s


@respx.mock
async def test_429s_until_the_last_attempt_raise_rate_limited_with_the_wait(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.get(ORDERS).mock(return_value=httpx.Response(429, headers={"X-Retry-After": "3"}))

    with pytest.raises(RateLimited) as raised:
        await make_rest(http, time, max_attempts=3).get("v2/orders")

    assert route.call_count == 3
    assert raised.value.retry_after == 3.0


@respx.mock
async def test_a_wait_longer_than_the_policy_allows_is_left_to_the_job(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(ORDERS).mock(return_value=httpx.Response(429, headers={"X-Retry-After": "900"}))

    with pytest.raises(RateLimited) as raised:
        await make_rest(http, time).get("v2/orders")

    assert raised.value.retry_after == 900.0
    assert time.sleeps == []


@respx.mock
async def test_requests_left_under_the_reserve_make_the_next_call_wait_for_the_reset(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.now)
        return ok([], headers=limits(left=1, quota=150, reset_ms=1500))

    respx.get(ORDERS).mock(side_effect=answer)
    rest = make_rest(http, time)

    await rest.get("v2/orders")
    await rest.get("v2/orders")

    # One request was still left, but it is the other apps' share: we wait out the window.
    assert time.sleeps == [1.5]
    assert sent_at == [1000.0, 1001.5]


@respx.mock
async def test_our_calls_stop_at_the_reserve_fraction_of_the_quota(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(ORDERS).mock(
        side_effect=[
            ok([], headers=limits(left=left, quota=150, reset_ms=9000)) for left in (40, 38, 37, 150)
        ]
    )
    rest = make_rest(http, time, reserve_fraction=0.25)  # leave ceil(150 * 0.25) = 38 to others

    for _ in range(3):
        await rest.get("v2/orders")
    assert time.sleeps == []  # 40, then 38 left: not below the reserve yet

    await rest.get("v2/orders")  # 37 left: below it

    assert time.sleeps == [9.0]


@respx.mock
async def test_rate_limit_headers_are_read_in_lower_case(http: httpx.AsyncClient, time: FakeTime) -> None:
    lower = {name.lower(): value for name, value in limits(left=2, reset_ms=2500).items()}
    respx.get(ORDERS).mock(return_value=ok([], headers=lower))
    rest = make_rest(http, time)

    await rest.get("v2/orders")

    assert rest.budget.left == 2
    assert rest.budget.wait_time() == pytest.approx(2.5)


# --- errors -----------------------------------------------------------------------------------------


@respx.mock
async def test_a_401_is_an_auth_error_at_once(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.get(ORDERS).mock(
        return_value=httpx.Response(401, json={"status": 401, "title": "Unauthorized"})
    )

    with pytest.raises(AuthError):
        await make_rest(http, time).get("v2/orders")

    assert route.call_count == 1


@respx.mock
async def test_a_403_missing_scope_is_an_auth_error(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.get(ORDERS).mock(
        return_value=httpx.Response(
            403, json={"status": 403, "title": "You don't have a required scope to access the endpoint"}
        )
    )

    with pytest.raises(AuthError, match="required scope"):
        await make_rest(http, time).get("v2/orders")


@respx.mock
async def test_a_404_is_not_found(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.get(ORDERS + "/999").mock(
        return_value=httpx.Response(
            404, json=[{"status": 404, "message": "The requested resource was not found."}]
        )
    )

    with pytest.raises(NotFound, match="not found"):
        await make_rest(http, time).get("v2/orders/999")


@respx.mock
async def test_a_422_is_permanent_with_the_stores_words(http: httpx.AsyncClient, time: FakeTime) -> None:
    respx.get(API + "v3/customers").mock(
        return_value=httpx.Response(
            422,
            json={
                "status": 422,
                "title": "Invalid filter",
                "type": "...",
                "errors": {"date_modified:min": "must be a date"},
            },
        )
    )

    with pytest.raises(Permanent) as raised:
        await make_rest(http, time).get("v3/customers", {"date_modified:min": "yesterday"})

    assert raised.value.status == 422
    assert raised.value.reasons == ("Invalid filter", "date_modified:min: must be a date")


@respx.mock
async def test_a_5xx_on_a_read_is_retried_then_transient(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.get(ORDERS).mock(return_value=httpx.Response(500))

    with pytest.raises(Transient):
        await make_rest(http, time, max_attempts=3).get("v2/orders")

    assert route.call_count == 3
    assert time.sleeps == [0.75, 1.5]


@respx.mock
async def test_a_5xx_then_success_on_a_read_returns_the_answer(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    respx.get(ORDERS).mock(side_effect=[httpx.Response(503), ok([{"id": 1}])])

    assert await make_rest(http, time).get("v2/orders") == [{"id": 1}]


@respx.mock
async def test_a_5xx_on_a_post_is_transient_and_never_sent_twice(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(
        return_value=httpx.Response(503, json=fixture("refund_tax_service_503.json"))
    )

    with pytest.raises(Transient, match="Tax service gone away"):
        await make_rest(http, time).post("v3/orders/100/payment_actions/refunds", {"items": []})

    assert route.call_count == 1


@respx.mock
async def test_a_timeout_on_a_post_is_transient_and_never_sent_twice(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(side_effect=httpx.ReadTimeout("read timed out"))

    with pytest.raises(Transient, match="timed out"):
        await make_rest(http, time).post("v3/orders/100/payment_actions/refunds", {"items": []})

    assert route.call_count == 1


@respx.mock
async def test_a_post_that_never_connected_is_tried_again(http: httpx.AsyncClient, time: FakeTime) -> None:
    route = respx.post(REFUNDS).mock(
        side_effect=[httpx.ConnectError("refused"), ok({"data": {"id": 1}}, 201)]
    )

    await make_rest(http, time).post("v3/orders/100/payment_actions/refunds", {"items": []})

    assert route.call_count == 2


@respx.mock
async def test_a_post_refused_by_the_meter_is_sent_again_after_the_wait(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(
        side_effect=[
            httpx.Response(429, headers={**limits(0), "X-Retry-After": "1"}),
            ok({"data": {"id": 1}}, 201),
        ]
    )

    await make_rest(http, time).post("v3/orders/100/payment_actions/refunds", {"items": []})

    assert route.call_count == 2


@respx.mock
async def test_a_post_answered_429_without_headers_is_not_sent_again(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    # Platform overload: whether the refund ran is unknown, so the caller must reconcile first.
    route = respx.post(REFUNDS).mock(return_value=httpx.Response(429))

    with pytest.raises(RateLimited):
        await make_rest(http, time).post("v3/orders/100/payment_actions/refunds", {"items": []})

    assert route.call_count == 1


@respx.mock
async def test_a_2xx_post_with_an_unreadable_body_is_transient(
    http: httpx.AsyncClient, time: FakeTime
) -> None:
    route = respx.post(REFUNDS).mock(return_value=httpx.Response(201, content=b"<html>"))

    with pytest.raises(Transient):
        await make_rest(http, time).post("v3/orders/100/payment_actions/refunds", {"items": []})

    assert route.call_count == 1
