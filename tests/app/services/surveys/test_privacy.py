"""GDPR and uninstall: pending surveys stop, comments go, old links lead nowhere."""

from __future__ import annotations

from app.models import Order, Survey, SurveyResponse, SurveyStatus
from app.services.privacy import CustomerRef, redact_customer
from app.services.surveys.answering import Answer, Found, find_survey, record_answer
from app.services.surveys.scheduling import scan_shop
from app.services.surveys.sending import deliver_survey
from app.services.uninstall import uninstall_shop
from app.settings import Settings
from tests.app.services.surveys.builders import make_customer, make_order, make_shop, make_survey


async def test_redacting_a_customer_cancels_pending_surveys_and_removes_comments(db: Settings) -> None:
    shop = await make_shop()
    ava = await make_customer(shop)
    answered = await make_survey(shop, await make_order(shop, ava, delivered=9))
    await record_answer(answered, Answer(2, "my address is 1 Main St", "delivery"))
    pending = await make_survey(shop, await make_order(shop, ava, delivered=1), status=SurveyStatus.SCHEDULED)
    sent = await make_survey(shop, await make_order(shop, ava, delivered=2))

    await redact_customer(shop.id, CustomerRef(platform_id=ava.platform_id, email=ava.email))

    assert (await SurveyResponse.get(survey_id=answered.id)).comment == ""
    assert (await Survey.get(id=pending.id)).status == SurveyStatus.CANCELED
    assert (
        await deliver_survey(pending.id, smtp_url="smtp://127.0.0.1:1", app_url="https://x.test")
        == "canceled"
    )
    # A link already in their inbox no longer opens anything, and the survey is closed.
    assert (await find_survey(sent.token)).found == Found.UNKNOWN
    assert (await Survey.get(id=sent.id)).status == SurveyStatus.CANCELED
    assert (await Survey.get(id=answered.id)).status == SurveyStatus.ANSWERED, "answers are kept, emptied"


async def test_a_redacted_customer_is_never_planned_again(db: Settings) -> None:
    shop = await make_shop()
    ava = await make_customer(shop)
    await redact_customer(shop.id, CustomerRef(platform_id=ava.platform_id, email=ava.email))
    order = await make_order(shop, ava, delivered=1)
    await Order.filter(id=order.id).update(email=None)
    await scan_shop(shop.id)
    survey = await Survey.get(order_id=order.id)
    assert survey.status == SurveyStatus.SUPPRESSED


async def test_uninstalling_stops_every_pending_survey(db: Settings) -> None:
    shop = await make_shop()
    ava = await make_customer(shop)
    pending = await make_survey(shop, await make_order(shop, ava, delivered=1), status=SurveyStatus.SCHEDULED)
    sent = await make_survey(shop, await make_order(shop, ava, delivered=9))

    result = await uninstall_shop(shop.id)

    assert result.surveys_canceled == 1
    assert (await Survey.get(id=pending.id)).status == SurveyStatus.CANCELED
    assert (
        await deliver_survey(pending.id, smtp_url="smtp://127.0.0.1:1", app_url="https://x.test")
        == "canceled"
    )
    assert (await find_survey(sent.token)).found == Found.UNKNOWN, "an uninstalled shop's links close"
    assert (await scan_shop(shop.id)).seen == 0
