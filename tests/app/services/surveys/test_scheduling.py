"""Planning surveys, with the clock moved forward: every timing and suppression rule."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.clock import utcnow
from app.models import (
    Refund,
    RefundStatus,
    Return,
    ReturnStatus,
    Shop,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyTrigger,
)
from app.services.surveys.scheduling import scan_shop
from app.services.surveys.sending import due_survey_ids
from app.settings import Settings
from tests.app.services.surveys.builders import days_ago, make_customer, make_order, make_shop


async def the_survey() -> Survey:
    [survey] = await Survey.all()
    return survey


async def test_due_seven_days_after_delivery_and_found_only_then(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), placed=3, delivered=0)

    result = await scan_shop(shop.id)

    survey = await the_survey()
    assert result.scheduled == 1 and survey.status == SurveyStatus.SCHEDULED
    assert survey.subject_key == f"order:{order.id}" and survey.trigger == SurveyTrigger.DELIVERY
    assert "7 days after delivery" in survey.decision
    assert len(survey.token) >= 22
    clock.advance(timedelta(days=6, hours=23))
    assert await due_survey_ids(100) == []
    clock.advance(timedelta(hours=2))
    assert await due_survey_ids(100) == [survey.id]


async def test_without_delivery_due_five_days_after_fulfillment(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop), placed=3, fulfilled=1)
    await scan_shop(shop.id)
    survey = await the_survey()
    assert "5 days after fulfillment" in survey.decision
    clock.advance(timedelta(days=3, hours=23))
    assert await due_survey_ids(100) == []
    clock.advance(timedelta(hours=2))
    assert await due_survey_ids(100) == [survey.id]


async def test_a_later_delivery_moves_the_due_date(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), placed=3, fulfilled=2)
    await scan_shop(shop.id)
    clock.advance(timedelta(days=1))
    order.delivered_at = utcnow()
    order.platform_updated_at = utcnow()
    await order.save()

    result = await scan_shop(shop.id)

    assert result.rescheduled == 1
    survey = await the_survey()
    assert abs(survey.due_at - (utcnow() + timedelta(days=7))) < timedelta(seconds=5)


async def test_unshipped_orders_are_left_for_later_and_the_scan_is_incremental(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), placed=1)
    first = await scan_shop(shop.id)
    assert first.seen == 1 and await Survey.all().count() == 0
    assert (await scan_shop(shop.id)).seen == 0, "nothing changed: nothing is read again"

    clock.advance(timedelta(minutes=5))
    order.delivered_at = utcnow()
    order.platform_updated_at = utcnow()
    await order.save()
    again = await scan_shop(shop.id)
    assert again.seen == 1 and again.scheduled == 1


async def test_one_survey_per_order_however_often_it_is_scanned(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), delivered=1)
    await scan_shop(shop.id)
    order.platform_updated_at = utcnow() + timedelta(seconds=1)
    await order.save()
    await scan_shop(shop.id)
    assert await Survey.all().count() == 1


async def test_the_scan_reads_in_batches_and_keeps_its_place(db: Settings) -> None:
    shop = await make_shop()
    for i in range(7):
        await make_order(
            shop,
            await make_customer(shop, f"c{i}@example.com"),
            delivered=1,
            platform_updated_at=utcnow() - timedelta(minutes=7 - i),
        )
    result = await scan_shop(shop.id, batch=3)
    assert result.seen == 7 and result.scheduled == 7
    assert (await scan_shop(shop.id, batch=3)).seen == 0


async def assert_suppressed(reason: str) -> None:
    survey = await the_survey()
    assert survey.status == SurveyStatus.SUPPRESSED
    assert reason in survey.decision
    clock.advance(timedelta(days=30))
    assert await due_survey_ids(100) == [], "a suppressed survey is never due"


async def test_test_orders_are_suppressed(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop), delivered=1, test=True)
    await scan_shop(shop.id)
    await assert_suppressed("test order")


async def test_cancelled_orders_are_suppressed(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop), delivered=1, cancelled_at=days_ago(0))
    await scan_shop(shop.id)
    await assert_suppressed("cancelled")


async def test_a_backfill_never_surveys_orders_older_than_the_max_age(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop), placed=31, delivered=25)
    await scan_shop(shop.id)
    await assert_suppressed("older than 30 days")


async def test_the_max_age_is_the_merchants_setting(db: Settings) -> None:
    shop = await make_shop({"max_order_age_days": 60})
    await make_order(shop, await make_customer(shop), placed=31, delivered=25)
    await scan_shop(shop.id)
    assert (await the_survey()).status == SurveyStatus.SCHEDULED


async def test_an_open_return_suppresses_the_delivery_survey(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), delivered=1)
    await Return.create(shop=shop, order=order, status=ReturnStatus.OPEN, requested_at=utcnow())
    await scan_shop(shop.id)
    await assert_suppressed("a return is open")


async def test_unsubscribed_customers_are_suppressed(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop, unsubscribed_at=days_ago(100)), delivered=1)
    await scan_shop(shop.id)
    await assert_suppressed("unsubscribed")


async def test_a_customer_surveyed_within_30_days_is_throttled(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop, last_surveyed_at=days_ago(20)), delivered=0)
    await scan_shop(shop.id)
    await assert_suppressed("surveyed within 30 days")


async def test_a_customer_surveyed_long_enough_ago_is_surveyed_again(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop, last_surveyed_at=days_ago(24)), delivered=0)
    await scan_shop(shop.id)  # due in 7 days: 31 days after the last survey
    assert (await the_survey()).status == SurveyStatus.SCHEDULED


async def test_sampling_is_deterministic_per_order(db: Settings) -> None:
    shop = await make_shop({"sampling_percent": 30})
    for i in range(60):
        await make_order(shop, await make_customer(shop, f"s{i}@example.com"), delivered=1)
    result = await scan_shop(shop.id)
    assert 5 <= result.scheduled <= 35 and result.scheduled + result.suppressed == 60
    first = {s.subject_key: s.status for s in await Survey.all()}
    suppressed = await Survey.filter(status=SurveyStatus.SUPPRESSED).first()
    assert suppressed is not None and "30% sample" in suppressed.decision

    await Survey.all().delete()
    # Forget the scan's place: planning the same orders from scratch decides the same way.
    await Shop.filter(id=shop.id).update(settings={"surveys": {"sampling_percent": 30}})
    await scan_shop(shop.id)
    assert {s.subject_key: s.status for s in await Survey.all()} == first


async def test_sampling_zero_percent_sends_nothing(db: Settings) -> None:
    shop = await make_shop({"sampling_percent": 0})
    await make_order(shop, await make_customer(shop), delivered=1)
    await scan_shop(shop.id)
    await assert_suppressed("0% sample")


async def test_the_kind_and_locale_come_from_settings_and_the_order(db: Settings) -> None:
    shop = await make_shop({"kind": "nps"})
    await make_order(shop, await make_customer(shop), delivered=1, locale="de-DE")
    await scan_shop(shop.id)
    survey = await the_survey()
    assert survey.kind == SurveyKind.NPS and survey.locale == "de"


async def test_an_unsupported_locale_falls_back_to_english(db: Settings) -> None:
    shop = await make_shop()
    await make_order(shop, await make_customer(shop), delivered=1, locale="ja")
    await scan_shop(shop.id)
    assert (await the_survey()).locale == "en"


async def test_a_closed_return_gets_a_support_survey_24_hours_later(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), placed=20, delivered=15)
    await Survey.create(  # the delivery survey went out long ago
        shop=shop,
        order=order,
        subject_key=f"order:{order.id}",
        status=SurveyStatus.EXPIRED,
        token="x" * 32,
        due_at=days_ago(8),
    )
    ret = await Return.create(
        shop=shop, order=order, status=ReturnStatus.CLOSED, requested_at=days_ago(3), closed_at=utcnow()
    )
    await scan_shop(shop.id)
    survey = await Survey.get(subject_key=f"return:{ret.id}")
    assert survey.trigger == SurveyTrigger.RESOLUTION and survey.status == SurveyStatus.SCHEDULED
    assert survey.resolution_type == "refund"
    clock.advance(timedelta(hours=23))
    assert survey.id not in await due_survey_ids(100)
    clock.advance(timedelta(hours=2))
    assert survey.id in await due_survey_ids(100)


async def test_a_successful_refund_gets_a_support_survey(db: Settings) -> None:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), placed=2)
    refund = await Refund.create(
        shop=shop, order=order, status=RefundStatus.SUCCEEDED, processed_at=utcnow(), idempotency_key="k1"
    )
    await Refund.create(shop=shop, order=order, status=RefundStatus.FAILED, processed_at=utcnow())
    await scan_shop(shop.id)
    [survey] = await Survey.all()
    assert survey.subject_key == f"refund:{refund.id}" and survey.status == SurveyStatus.SCHEDULED


async def test_an_inactive_shop_is_not_planned(db: Settings) -> None:
    shop = await make_shop(is_active=False)
    await make_order(shop, await make_customer(shop), delivered=1)
    assert (await scan_shop(shop.id)).seen == 0
