"""Answering a survey from its link: find it by token, record a rating (one click), save the
comment page, unsubscribe. The last answer before expiry wins; repeating an answer changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Customer, LineItem, Shop, Survey, SurveyResponse, SurveyStatus
from app.services.surveys.kinds import FOLLOW_UP_REASONS, scale_of
from app.services.surveys.tokens import well_formed
from app.services.timeline import record_entry

MAX_COMMENT = 2000
# Only surveys that went out can be answered; one never sent is as unknown as a made-up token.
SENT_STATES = (SurveyStatus.SENDING, SurveyStatus.SENT, SurveyStatus.ANSWERED, SurveyStatus.EXPIRED)
# Any well-formed token that cannot match, so unknown and malformed tokens cost the same query.
_NO_TOKEN = "-" * 32


class Found(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Lookup:
    found: Found
    survey: Survey | None = None
    shop: Shop | None = None


async def find_survey(token: str) -> Lookup:
    survey = await Survey.get_or_none(token=token if well_formed(token) else _NO_TOKEN)
    # A redacted customer's survey (no email left) or an uninstalled shop's is gone for the shopper.
    if survey is None or survey.status not in SENT_STATES or not survey.email:
        return Lookup(Found.UNKNOWN)
    shop = await Shop.get(id=survey.shop_id)  # type: ignore[attr-defined]
    if not shop.is_active:
        return Lookup(Found.UNKNOWN)
    expired = survey.status == SurveyStatus.EXPIRED or (
        survey.expires_at is not None and survey.expires_at <= utcnow()
    )
    return Lookup(Found.EXPIRED if expired else Found.OPEN, survey, shop)


async def response_of(survey: Survey) -> SurveyResponse | None:
    return await SurveyResponse.get_or_none(survey_id=survey.id)


async def item_titles(survey: Survey) -> list[str]:
    order_id = survey.order_id  # type: ignore[attr-defined]
    if order_id is None:
        return []
    rows = await LineItem.filter(order_id=order_id).order_by("id").limit(50).values_list("title", flat=True)
    return [str(title) for title in rows]


@dataclass(frozen=True)
class Answer:
    score: int
    comment: str | None = None  # None: keep the stored comment (a rating click)
    follow_up_reason: str | None = None


def check_answer(survey: Survey, score: int | None, comment: str, reason: str) -> tuple[Answer | None, str]:
    """The answer, or the text key of what is wrong with it (nothing is saved then)."""
    if score is None or not scale_of(survey.kind).accepts(score):
        return None, "bad_score"
    if len(comment) > MAX_COMMENT:
        return None, "too_long"
    reason = reason if reason in FOLLOW_UP_REASONS and scale_of(survey.kind).unhappy(score) else ""
    return Answer(score, comment.replace("\r\n", "\n").strip(), reason or None), ""


async def record_answer(survey: Survey, answer: Answer) -> SurveyResponse | None:
    """Upsert the one response; returns it when anything changed (the same click twice does not)."""
    now = utcnow()
    async with in_transaction():
        current = await SurveyResponse.select_for_update().get_or_none(survey_id=survey.id)
        if current is None:
            try:
                async with in_transaction():
                    await SurveyResponse.create(
                        shop_id=survey.shop_id,  # type: ignore[attr-defined]
                        survey_id=survey.id,
                        score=answer.score,
                        comment=answer.comment or "",
                        follow_up_reason=answer.follow_up_reason,
                        answered_at=now,
                    )
            except IntegrityError:
                # The other click of a double click created it: last answer wins, so update it.
                current = await SurveyResponse.get(survey_id=survey.id)
        if current is not None:
            changes: dict[str, object] = {}
            if current.score != answer.score:
                changes["score"] = answer.score
            if answer.comment is not None and answer.comment != current.comment:
                changes["comment"] = answer.comment
            if answer.comment is not None and answer.follow_up_reason != current.follow_up_reason:
                changes["follow_up_reason"] = answer.follow_up_reason
            if not changes:
                return None
            await SurveyResponse.filter(id=current.id).update(**changes, answered_at=now)
        await Survey.filter(id=survey.id, status__in=list(SENT_STATES)).update(
            status=SurveyStatus.ANSWERED, answered_at=now, reminder_due_at=None
        )
        saved = await SurveyResponse.get(survey_id=survey.id)
        customer_id = survey.customer_id  # type: ignore[attr-defined]
        if customer_id is not None:
            # One timeline line per survey, following the latest answer (record_entry upserts).
            await record_entry(
                saved.shop_id,  # type: ignore[attr-defined]
                customer_id,
                "survey.answered",
                "survey",
                str(survey.id),
                summary=f"{survey.kind.value.upper()} answer: {saved.score} of {scale_of(survey.kind).high}",
                occurred_at=now,
                order_id=survey.order_id,  # type: ignore[attr-defined]
                data={"score": saved.score, "comment": saved.comment, "reason": saved.follow_up_reason},
            )
    return saved


async def unsubscribe(survey: Survey) -> None:
    """Honoured across every survey: the customer is marked, and their planned surveys stop.
    A guest checkout (no customer row) is matched to the shop's customer with that email."""
    now = utcnow()
    shop_id: int = survey.shop_id  # type: ignore[attr-defined]
    customer_ids = [survey.customer_id] if survey.customer_id else []  # type: ignore[attr-defined]
    if not customer_ids and survey.email:
        found = await Customer.filter(shop_id=shop_id, email=survey.email).values_list("id", flat=True)
        customer_ids = [int(str(i)) for i in found]
    async with in_transaction():
        await Customer.filter(id__in=customer_ids or [0], unsubscribed_at=None).update(unsubscribed_at=now)
        whose = Q(customer_id__in=customer_ids or [0])
        if survey.email:
            whose |= Q(email=survey.email)
        await Survey.filter(whose, shop_id=shop_id, status=SurveyStatus.SCHEDULED).update(
            status=SurveyStatus.SUPPRESSED, decision="suppressed: the customer unsubscribed from surveys"
        )
        await Survey.filter(whose, shop_id=shop_id, reminder_sent_at=None).update(reminder_due_at=None)
