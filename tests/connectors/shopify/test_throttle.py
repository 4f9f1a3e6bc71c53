"""The cost-bucket model, and that pacing by it keeps a lone client from ever being THROTTLED."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import ThrottleStatus
from connectors.shopify.throttle import CostBucket, parse_cost, shared_bucket
from tests.connectors.shopify.fakes import FakeTime, make_client, sent
from tests.connectors.shopify.payloads import GRAPHQL_URL, cost, ok, throttled


def _bucket(time: FakeTime, available: float, maximum: float = 1000.0, restore: float = 50.0) -> CostBucket:
    bucket = CostBucket(time.monotonic)
    bucket.observe(
        ThrottleStatus(maximum_available=maximum, currently_available=available, restore_rate=restore)
    )
    return bucket


def test_an_unknown_bucket_never_makes_a_call_wait() -> None:
    bucket = CostBucket(FakeTime().monotonic)
    assert bucket.available() is None
    assert bucket.wait_for(999) == 0.0


def test_the_wait_is_the_missing_points_over_the_restore_rate() -> None:
    bucket = _bucket(FakeTime(), available=666)
    assert bucket.wait_for(752) == pytest.approx((752 - 666) / 50)
    assert bucket.wait_for(666) == 0.0


def test_the_bucket_refills_with_time_up_to_its_size() -> None:
    time = FakeTime()
    bucket = _bucket(time, available=100)
    time.now += 4
    assert bucket.available() == pytest.approx(300)
    time.now += 3600
    assert bucket.available() == 1000


def test_an_admitted_call_is_debited_before_its_answer_arrives() -> None:
    bucket = _bucket(FakeTime(), available=500)
    bucket.spend(400)
    assert bucket.available() == pytest.approx(100)
    assert bucket.wait_for(400) == pytest.approx(300 / 50)


def test_a_call_costing_more_than_the_bucket_waits_only_for_a_full_bucket() -> None:
    bucket = _bucket(FakeTime(), available=900)
    assert bucket.wait_for(5000) == pytest.approx(100 / 50)


def test_the_cost_block_of_a_throttled_answer_is_read() -> None:
    reported = parse_cost(throttled(752, available=666, maximum=1000, restore=50)["extensions"])
    assert reported is not None
    assert reported.requested == 752
    assert reported.actual is None
    assert reported.throttle_status == ThrottleStatus(1000.0, 666.0, 50.0)


def test_a_missing_or_broken_cost_block_reads_as_nothing() -> None:
    assert parse_cost(None) is None
    assert parse_cost({"cost": "free"}) is None
    broken = parse_cost({"cost": {"requestedQueryCost": 10, "throttleStatus": {"maximumAvailable": 1000}}})
    assert broken is not None and broken.throttle_status is None


def test_clients_of_one_shop_share_one_bucket_in_a_process() -> None:
    assert shared_bucket("a-shop.myshopify.com") is shared_bucket("a-shop.myshopify.com")
    assert shared_bucket("a-shop.myshopify.com") is not shared_bucket("b-shop.myshopify.com")


# --- properties ------------------------------------------------------------------------------------

statuses = st.builds(
    ThrottleStatus,
    maximum_available=st.sampled_from([1000.0, 2000.0, 10000.0, 20000.0]),
    currently_available=st.floats(0, 20000),
    restore_rate=st.sampled_from([50.0, 100.0, 200.0, 1000.0, 2000.0]),
)


@given(status=statuses, elapsed=st.floats(0, 120), cost_points=st.floats(0, 25000))
def test_after_the_advised_wait_the_model_admits_the_call(
    status: ThrottleStatus, elapsed: float, cost_points: float
) -> None:
    time = FakeTime()
    bucket = CostBucket(time.monotonic)
    bucket.observe(status)
    time.now += elapsed

    wait = bucket.wait_for(cost_points)
    time.now += wait

    assert wait >= 0
    assert bucket.wait_for(cost_points) == 0.0
    available = bucket.available()
    assert available is not None
    assert available >= min(cost_points, status.maximum_available) - 1e-6


class LeakyBucketShop:
    """A stand-in for Shopify's admission: a true leaky bucket on the fake clock. It answers
    THROTTLED when a query requests more than is available, as Shopify does."""

    def __init__(self, time: FakeTime, maximum: float, restore: float, refund: float) -> None:
        self.time, self.maximum, self.restore, self.refund = time, maximum, restore, refund
        self.available, self.at = maximum, time.now
        self.throttled = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.available = min(self.maximum, self.available + (self.time.now - self.at) * self.restore)
        self.at = self.time.now
        requested = float(sent(request)["variables"]["cost"])
        if requested > self.available + 1e-6:
            self.throttled += 1
            return httpx.Response(
                200, json=throttled(requested, self.available, maximum=self.maximum, restore=self.restore)
            )
        actual = requested * (1 - self.refund)  # Shopify refunds what the query did not touch
        self.available -= actual
        report = cost(requested, actual, available=self.available, maximum=self.maximum, restore=self.restore)
        return httpx.Response(200, json=ok({"shop": {"name": "x"}}, report))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    maximum=st.sampled_from([1000.0, 2000.0]),
    restore=st.sampled_from([50.0, 100.0, 1000.0]),
    refund=st.floats(0, 0.9),
    calls=st.lists(st.tuples(st.integers(1, 1000), st.floats(0, 5)), min_size=1, max_size=25),
)
def test_a_lone_client_paced_by_the_model_is_never_throttled(
    maximum: float, restore: float, refund: float, calls: list[tuple[int, float]]
) -> None:
    """Whatever the costs and pauses between calls, a client that knows each call's cost and is the
    shop's only caller never gets THROTTLED, and never waits longer than the missing points need."""

    async def scenario() -> tuple[int, list[float]]:
        time = FakeTime()
        shop = LeakyBucketShop(time, maximum, restore, refund)
        async with respx.mock, httpx.AsyncClient() as http:
            respx.post(GRAPHQL_URL).mock(side_effect=shop)
            client = make_client(http, time)
            for cost_points, pause in calls:
                time.now += pause
                await client.query(
                    "query Q($cost: Int!) { shop { name } }",
                    {"cost": cost_points},
                    estimated_cost=cost_points,
                )
        return shop.throttled, time.sleeps

    throttled_calls, sleeps = asyncio.run(scenario())

    assert throttled_calls == 0
    assert all(0 < wait <= maximum / restore + 1e-9 for wait in sleeps)
