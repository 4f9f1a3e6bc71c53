"""The store's request budget: our share of a quota every app on the store draws from."""

from __future__ import annotations

import pytest

from connectors.bigcommerce.budget import RateBudget, RateReport
from tests.connectors.bigcommerce.fakes import FakeTime


def _report(left: int | None, quota: int | None = 150, reset_ms: float | None = 1500) -> RateReport:
    return RateReport(
        left=left, quota=quota, reset_in=reset_ms / 1000 if reset_ms is not None else None, retry_after=None
    )


def test_a_budget_that_has_heard_nothing_lets_calls_go() -> None:
    budget = RateBudget(clock=FakeTime().monotonic)
    assert budget.left is None
    assert budget.wait_time() == 0.0


def test_the_reserve_is_a_fraction_of_the_quota_the_store_reports() -> None:
    budget = RateBudget(0.25, clock=FakeTime().monotonic)
    budget.observe(_report(left=400, quota=450))  # a Pro plan
    assert budget.reserve == 113  # ceil(450 * 0.25)


def test_below_the_reserve_the_wait_is_the_time_to_the_window_reset() -> None:
    time = FakeTime()
    budget = RateBudget(0.25, clock=time.monotonic)
    budget.observe(_report(left=10, reset_ms=1500))
    assert budget.wait_time() == pytest.approx(1.5)
    time.now += 1.0
    assert budget.wait_time() == pytest.approx(0.5)


def test_after_the_reset_the_count_is_unknown_again_and_calls_go() -> None:
    time = FakeTime()
    budget = RateBudget(clock=time.monotonic)
    budget.observe(_report(left=0, reset_ms=1500))
    time.now += 1.5
    assert budget.left is None
    assert budget.wait_time() == 0.0


def test_each_call_is_debited_before_its_answer_so_concurrent_calls_see_each_other() -> None:
    budget = RateBudget(0.25, clock=FakeTime().monotonic)
    budget.observe(_report(left=39, reset_ms=5000))  # reserve 38
    assert budget.wait_time() == 0.0
    budget.spend()
    budget.spend()
    assert budget.left == 37
    assert budget.wait_time() == pytest.approx(5.0)


def test_we_never_take_the_last_request_even_with_no_reserve_fraction() -> None:
    budget = RateBudget(0.0, clock=FakeTime().monotonic)
    budget.observe(_report(left=0, quota=150, reset_ms=700))
    assert budget.reserve == 1
    assert budget.wait_time() == pytest.approx(0.7)


def test_a_429_pause_holds_every_caller_of_the_store() -> None:
    time = FakeTime()
    budget = RateBudget(clock=time.monotonic)
    budget.pause(2.0)
    assert budget.wait_time() == pytest.approx(2.0)
    time.now += 2.0
    assert budget.wait_time() == 0.0


def test_a_reset_time_beyond_any_window_is_capped() -> None:
    budget = RateBudget(clock=FakeTime().monotonic)
    budget.observe(_report(left=0, reset_ms=10_000_000))
    assert budget.wait_time() == pytest.approx(30.0)


def test_headers_are_read_leniently() -> None:
    report = RateReport.from_headers(
        {"x-rate-limit-requests-left": "12", "x-rate-limit-time-reset-ms": "oops", "x-retry-after": "2"}
    )
    assert report == RateReport(left=12, quota=None, reset_in=None, retry_after=2.0)
