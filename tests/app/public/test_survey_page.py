"""The shopper's survey page: one-click ratings, the comment form, and what it refuses."""

from __future__ import annotations

import httpx
import pytest
from arq import ArqRedis
from arq.constants import default_queue_name

from app.models import Customer, Survey, SurveyKind, SurveyResponse, SurveyStatus
from app.public import ratelimit
from app.services.surveys.tokens import form_token
from app.settings import Settings
from tests.app.services.surveys.builders import make_customer, make_order, make_shop, make_survey

pytestmark = pytest.mark.usefixtures("queue")  # an empty Redis: rate-limit counters start at 0


async def sent_survey(**fields: object) -> Survey:
    shop = await make_shop()
    order = await make_order(shop, await make_customer(shop), delivered=8)
    return await make_survey(shop, order, **fields)  # type: ignore[arg-type]


def form(settings: Settings, survey: Survey, **values: str) -> dict[str, str]:
    return {"form_token": form_token(str(settings.secret_key), survey.token), **values}


async def test_a_click_records_the_rating_and_shows_the_comment_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    survey = await sent_survey()

    page = await client.get(f"/s/{survey.token}?score=4")

    assert page.status_code == 200
    response = await SurveyResponse.get(survey_id=survey.id)
    assert response.score == 4 and response.comment == ""
    assert (await Survey.get(id=survey.id)).status == SurveyStatus.ANSWERED
    html = page.text
    assert "Demo &lt;Shop&gt;" in html and "Blue &lt;b&gt;Mug&lt;/b&gt;" in html, "shop and items, escaped"
    assert 'value="4" checked' in html and "<fieldset>" in html and "<legend>" in html
    assert '<label class="block" for="comment">' in html
    assert "https://" not in html and "http://" not in html, "no third-party requests"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_the_same_click_twice_changes_nothing_and_the_last_answer_wins(
    client: httpx.AsyncClient,
) -> None:
    survey = await sent_survey()
    await client.get(f"/s/{survey.token}?score=2")
    first = await SurveyResponse.get(survey_id=survey.id)
    await client.get(f"/s/{survey.token}?score=2")
    assert (await SurveyResponse.get(survey_id=survey.id)).answered_at == first.answered_at
    await client.get(f"/s/{survey.token}?score=5")
    assert (await SurveyResponse.get(survey_id=survey.id)).score == 5
    assert await SurveyResponse.all().count() == 1


@pytest.mark.parametrize("score", ["0", "6", "-1", "4.5", "x", "99999999999"])
async def test_a_score_off_the_scale_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, score: str
) -> None:
    survey = await sent_survey()
    page = await client.get(f"/s/{survey.token}", params={"score": score})
    assert page.status_code == 400
    assert await SurveyResponse.all().count() == 0
    assert (await Survey.get(id=survey.id)).status == SurveyStatus.SENT


async def test_nps_accepts_zero_to_ten(client: httpx.AsyncClient) -> None:
    survey = await sent_survey(kind=SurveyKind.NPS)
    assert (await client.get(f"/s/{survey.token}?score=0")).status_code == 200
    assert (await client.get(f"/s/{survey.token}?score=11")).status_code == 400
    assert (await SurveyResponse.get(survey_id=survey.id)).score == 0


async def test_unknown_tampered_and_unsent_tokens_look_the_same(client: httpx.AsyncClient) -> None:
    survey = await sent_survey()
    unsent = await sent_survey(status=SurveyStatus.SCHEDULED)
    tampered = survey.token[:-1] + ("A" if survey.token[-1] != "A" else "B")
    pages = [
        await client.get(f"/s/{token}?score=5")
        for token in (tampered, "nope", "x" * 32, unsent.token, "<script>")
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1, "one body: nothing tells which surveys exist"
    assert await SurveyResponse.all().count() == 0


async def test_the_comment_form_saves_and_thanks(client: httpx.AsyncClient, settings: Settings) -> None:
    survey = await sent_survey()
    await client.get(f"/s/{survey.token}?score=1")

    page = await client.post(
        f"/s/{survey.token}",
        data=form(
            settings,
            survey,
            score="2",
            comment="Box was <script>alert(1)</script> crushed",
            follow_up_reason="delivery",
        ),
        headers={"Origin": "http://testserver"},
    )

    assert page.status_code == 200 and "Thank you" in page.text
    response = await SurveyResponse.get(survey_id=survey.id)
    assert response.score == 2 and response.follow_up_reason == "delivery"
    assert response.comment == "Box was <script>alert(1)</script> crushed"
    again = await client.get(f"/s/{survey.token}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in again.text and "<script>alert" not in again.text


async def test_a_follow_up_reason_is_kept_only_for_a_low_score(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    survey = await sent_survey()
    await client.post(f"/s/{survey.token}", data=form(settings, survey, score="5", follow_up_reason="price"))
    assert (await SurveyResponse.get(survey_id=survey.id)).follow_up_reason is None


@pytest.mark.parametrize(
    ("token_value", "origin"),
    [(None, None), ("0" * 64, None), ("valid", "https://evil.example"), ("valid", "null")],
)
async def test_a_post_without_the_form_token_or_from_elsewhere_changes_nothing(
    client: httpx.AsyncClient, settings: Settings, token_value: str | None, origin: str | None
) -> None:
    survey = await sent_survey()
    data = {"score": "1", "comment": "forged"}
    if token_value is not None:
        data["form_token"] = (
            form_token(str(settings.secret_key), survey.token) if token_value == "valid" else token_value
        )
    headers = {"Origin": origin} if origin else {}
    page = await client.post(f"/s/{survey.token}", data=data, headers=headers)
    assert page.status_code == 403
    assert await SurveyResponse.all().count() == 0


async def test_a_100_kb_comment_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    survey = await sent_survey()
    page = await client.post(
        f"/s/{survey.token}", data=form(settings, survey, score="3", comment="x" * 100_000)
    )
    assert 400 <= page.status_code < 500
    assert await SurveyResponse.all().count() == 0


async def test_a_comment_over_2000_characters_gets_a_message(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    survey = await sent_survey()
    page = await client.post(f"/s/{survey.token}", data=form(settings, survey, score="3", comment="é" * 2001))
    assert page.status_code == 400 and "at most 2000 characters" in page.text
    assert await SurveyResponse.all().count() == 0


async def test_an_expired_survey_answers_410_politely(client: httpx.AsyncClient, settings: Settings) -> None:
    survey = await sent_survey(expires_in_days=-1)
    page = await client.get(f"/s/{survey.token}?score=5")
    assert page.status_code == 410 and "no longer open" in page.text and "Demo &lt;Shop&gt;" in page.text
    post = await client.post(f"/s/{survey.token}", data=form(settings, survey, score="5"))
    assert post.status_code == 410
    assert await SurveyResponse.all().count() == 0


async def test_too_many_requests_are_refused_with_429(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "PER_TOKEN", 3)
    survey = await sent_survey()
    codes = [(await client.get(f"/s/{survey.token}?score={n}")).status_code for n in (1, 2, 3, 4)]
    assert codes == [200, 200, 200, 429]
    assert (await SurveyResponse.get(survey_id=survey.id)).score == 3, "the refused click stored nothing"


async def test_per_ip_limit_covers_guessing_many_tokens(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "PER_IP", 5)
    codes = [(await client.get(f"/s/{n:032d}")).status_code for n in range(6)]
    assert codes == [404] * 5 + [429]


async def test_the_page_is_in_the_surveys_language(client: httpx.AsyncClient) -> None:
    survey = await sent_survey(locale="de")
    page = await client.get(f"/s/{survey.token}?score=5")
    assert 'lang="de"' in page.text and "Senden" in page.text


async def test_unsubscribe_confirms_then_stops_every_survey(client: httpx.AsyncClient) -> None:
    shop = await make_shop()
    customer = await make_customer(shop)
    survey = await make_survey(shop, await make_order(shop, customer, delivered=8))
    planned = await make_survey(
        shop, await make_order(shop, customer, delivered=1), status=SurveyStatus.SCHEDULED, due=-6
    )
    confirm = await client.get(f"/s/{survey.token}/unsubscribe")
    assert confirm.status_code == 200 and "<form" in confirm.text
    assert (await Customer.get(id=customer.id)).unsubscribed_at is None

    # RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" with no cookies or token.
    done = await client.post(f"/s/{survey.token}/unsubscribe", data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200 and "any more" in done.text
    assert (await Customer.get(id=customer.id)).unsubscribed_at is not None
    assert (await Survey.get(id=planned.id)).status == SurveyStatus.SUPPRESSED


async def test_unsubscribe_with_an_unknown_token_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.post("/s/" + "z" * 32 + "/unsubscribe")).status_code == 404


async def test_the_stylesheet_is_served_by_us(client: httpx.AsyncClient) -> None:
    css = await client.get("/s/static/survey.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text


async def test_a_changed_answer_queues_the_merchants_webhook_once(
    client: httpx.AsyncClient, queue: ArqRedis
) -> None:
    survey = await sent_survey()
    await client.get(f"/s/{survey.token}?score=1")
    await client.get(f"/s/{survey.token}?score=1")  # the same click: nothing new to announce
    assert await queue.zcard(default_queue_name) == 1
    await client.get(f"/s/{survey.token}?score=4")
    assert await queue.zcard(default_queue_name) == 2


async def test_a_guest_unsubscribe_suppresses_their_other_planned_surveys(client: httpx.AsyncClient) -> None:
    shop = await make_shop()
    survey = await make_survey(shop, await make_order(shop, None, delivered=8, email="guest@example.com"))
    planned = await make_survey(
        shop,
        await make_order(shop, None, delivered=1, email="guest@example.com"),
        status=SurveyStatus.SCHEDULED,
        due=-6,
    )
    await client.post(f"/s/{survey.token}/unsubscribe")
    assert (await Survey.get(id=planned.id)).status == SurveyStatus.SUPPRESSED
