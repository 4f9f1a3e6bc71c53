from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from app.models.base import Timestamped
from app.models.shop import Shop


class DataRequestStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"


class DataRequest(Timestamped):
    """A GDPR data request: the export of what we hold on one customer, for the merchant."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="data_requests", on_delete=fields.CASCADE
    )
    platform_request_id = fields.CharField(max_length=64, null=True)
    customer_platform_id = fields.CharField(max_length=64, null=True)
    customer_email = fields.CharField(max_length=255, null=True)
    status = fields.CharEnumField(DataRequestStatus, max_length=16, default=DataRequestStatus.PENDING)
    export: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "data_request"
        unique_together = (("shop", "platform_request_id"),)
