from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from app.models.base import Timestamped
from app.models.customer import Customer
from app.models.order import Order
from app.models.shop import Shop


class SurveyKind(StrEnum):
    CSAT = "csat"  # 1-5
    NPS = "nps"  # 0-10
    CES = "ces"  # 1-7


class SurveyTrigger(StrEnum):
    DELIVERY = "delivery"  # post-purchase
    RESOLUTION = "resolution"  # support CSAT after a return or refund is resolved


class SurveyStatus(StrEnum):
    SCHEDULED = "scheduled"
    SUPPRESSED = "suppressed"
    SENDING = "sending"
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"
    CANCELED = "canceled"


class Survey(Timestamped):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="surveys", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="surveys", null=True, on_delete=fields.SET_NULL
    )
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="surveys", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharEnumField(SurveyKind, max_length=8, default=SurveyKind.CSAT)
    trigger = fields.CharEnumField(SurveyTrigger, max_length=16, default=SurveyTrigger.DELIVERY)
    # What the survey is about: "order:12", "return:5", "refund:9" — one survey per subject.
    subject_key = fields.CharField(max_length=64)
    resolution_type = fields.CharField(max_length=16, default="none")  # refund/store_credit/exchange/none
    status = fields.CharEnumField(SurveyStatus, max_length=16, default=SurveyStatus.SCHEDULED)
    # Why it was scheduled, sent or suppressed (shown to the merchant; kept for audit).
    decision = fields.CharField(max_length=255, default="")
    # At least 128 random bits, url-safe; scoped to this one survey.
    token = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=255, null=True)
    locale = fields.CharField(max_length=16, default="en")
    due_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    reminder_due_at = fields.DatetimeField(null=True)
    reminder_sent_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "survey"
        unique_together = (("shop", "subject_key"),)
        # The scheduler reads only due rows: its cost follows due surveys, not orders.
        indexes = (("status", "due_at"), ("shop", "status", "answered_at"), ("customer", "sent_at"))


class SurveyResponse(Timestamped):
    """The answer to one survey; the last answer before expiry wins."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="survey_responses", on_delete=fields.CASCADE
    )
    survey: fields.OneToOneRelation[Survey] = fields.OneToOneField(
        "models.Survey", related_name="response", on_delete=fields.CASCADE
    )
    score = fields.SmallIntField()
    comment = fields.TextField(default="")
    follow_up_reason = fields.CharField(max_length=64, null=True)
    answered_at = fields.DatetimeField()

    class Meta:
        table = "survey_response"
        indexes = (("shop", "answered_at"),)
