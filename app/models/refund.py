from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from app.models.base import Timestamped, currency, money
from app.models.order import LineItem, Order
from app.models.returns import Return
from app.models.shop import Shop, StaffUser


class RefundStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # above the staff member's limit
    QUEUED = "queued"  # intent written; the job has not started
    EXECUTING = "executing"  # a platform call may be in flight: reconcile before retrying
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # permanent: the platform refused (shown on Home and the order)
    CANCELED = "canceled"


class Refund(Timestamped):
    """A refund: either seen on the platform, or an intent of ours written before any platform call.

    The idempotency key is what makes money move once: it is unique, written in the same
    transaction as the intent, and sent (or matched) on every attempt.
    """

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="refunds", on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="refunds", on_delete=fields.CASCADE
    )
    return_request: fields.ForeignKeyNullableRelation[Return] = fields.ForeignKeyField(
        "models.Return", related_name="refunds", null=True, on_delete=fields.SET_NULL
    )
    platform_id = fields.CharField(max_length=64, null=True)
    idempotency_key = fields.CharField(max_length=64, null=True, unique=True)
    status = fields.CharEnumField(RefundStatus, max_length=24, default=RefundStatus.SUCCEEDED)
    amount = money()
    shipping_amount = money()
    tax_amount = money()
    currency = currency()
    reason = fields.CharField(max_length=32, default="other")
    note = fields.TextField(default="")
    notify_customer = fields.BooleanField(default=False)
    restock = fields.BooleanField(default=False)
    # The platform's own computation before confirming (Shopify suggestedRefund / BC refund quote).
    quote: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    requested_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="refunds_requested", null=True, on_delete=fields.SET_NULL
    )
    approved_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="refunds_approved", null=True, on_delete=fields.SET_NULL
    )
    attempts = fields.IntField(default=0)
    error = fields.TextField(null=True)
    processed_at = fields.DatetimeField(null=True)
    platform_updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refund"
        unique_together = (("shop", "platform_id"),)
        indexes = (("shop", "status"), ("order",))


class RefundLine(Timestamped):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="refund_lines", on_delete=fields.CASCADE
    )
    refund: fields.ForeignKeyRelation[Refund] = fields.ForeignKeyField(
        "models.Refund", related_name="lines", on_delete=fields.CASCADE
    )
    line_item: fields.ForeignKeyRelation[LineItem] = fields.ForeignKeyField(
        "models.LineItem", related_name="refund_lines", on_delete=fields.CASCADE
    )
    quantity = fields.IntField()
    restock_type = fields.CharField(max_length=16, default="no_restock")
    amount = money()

    class Meta:
        table = "refund_line"
        indexes = (("refund",),)
