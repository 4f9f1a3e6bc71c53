from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from app.models.base import Platform
from app.models.shop import Shop


class WebhookStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class WebhookEvent(Model):
    """A verified delivery, recorded before the 200 so that a crash after it loses nothing.

    ``dedupe_key`` is the platform's event id (webhook id as a fallback): a second delivery of the
    same event hits the unique constraint and is answered 200 without doing anything.
    """

    id = fields.BigIntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="webhook_events", on_delete=fields.CASCADE
    )
    platform = fields.CharEnumField(Platform, max_length=16)
    topic = fields.CharField(max_length=128)
    dedupe_key = fields.CharField(max_length=128)
    webhook_id = fields.CharField(max_length=128, null=True)
    triggered_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField()
    status = fields.CharEnumField(WebhookStatus, max_length=16, default=WebhookStatus.RECEIVED)
    attempts = fields.IntField(default=0)
    error = fields.TextField(null=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_event"
        unique_together = (("shop", "dedupe_key"),)
        indexes = (("status", "received_at"),)
