from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from app.models.base import Timestamped
from app.models.customer import Customer
from app.models.order import Order
from app.models.shop import Shop, StaffUser


class CannedReply(Timestamped):
    """A merchant-authored template, rendered only in Jinja2's immutable sandbox."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="canned_replies", on_delete=fields.CASCADE
    )
    short_code = fields.CharField(max_length=64)
    title = fields.CharField(max_length=255)
    folder = fields.CharField(max_length=128, default="")
    subject = fields.CharField(max_length=255, default="")
    body = fields.TextField()
    # Variables that must not render empty, e.g. ["order.tracking_url"].
    required_variables: fields.JSONField[list[str]] = fields.JSONField(default=list)
    usage_count = fields.IntField(default=0)

    class Meta:
        table = "canned_reply"
        unique_together = (("shop", "short_code"),)
        indexes = (("shop", "folder"),)


class CannedReplyTranslation(Timestamped):
    """The same reply in another locale, picked by the customer's locale."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="canned_reply_translations", on_delete=fields.CASCADE
    )
    reply: fields.ForeignKeyRelation[CannedReply] = fields.ForeignKeyField(
        "models.CannedReply", related_name="translations", on_delete=fields.CASCADE
    )
    locale = fields.CharField(max_length=16)
    subject = fields.CharField(max_length=255, default="")
    body = fields.TextField()

    class Meta:
        table = "canned_reply_translation"
        unique_together = (("reply", "locale"),)


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboundMessage(Timestamped):
    """An email from staff to a customer; the idempotency key keeps a retried job from sending twice."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="messages", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    staff: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    canned_reply: fields.ForeignKeyNullableRelation[CannedReply] = fields.ForeignKeyField(
        "models.CannedReply", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    idempotency_key = fields.CharField(max_length=64, unique=True)
    to_email = fields.CharField(max_length=255)
    subject = fields.CharField(max_length=255)
    body_text = fields.TextField()
    status = fields.CharEnumField(MessageStatus, max_length=16, default=MessageStatus.QUEUED)
    message_id = fields.CharField(max_length=255, null=True)
    error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbound_message"
