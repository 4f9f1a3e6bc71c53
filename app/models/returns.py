from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from app.models.base import Timestamped, money
from app.models.customer import Customer
from app.models.order import LineItem, Order
from app.models.shop import Shop, StaffUser


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    DECLINED = "DECLINED"
    CANCELED = "CANCELED"


class ItemState(StrEnum):
    AWAITING = "awaiting"
    RECEIVED = "received"


class Resolution(StrEnum):
    REFUND = "refund"
    STORE_CREDIT = "store_credit"
    EXCHANGE = "exchange"


class MirrorState(StrEnum):
    """Whether the platform's own return record matches ours (Shopify returns; BC has none)."""

    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


class Return(Timestamped):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="returns", on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="returns", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="returns", null=True, on_delete=fields.SET_NULL
    )
    platform_id = fields.CharField(max_length=64, null=True)
    name = fields.CharField(max_length=64, default="")
    status = fields.CharEnumField(ReturnStatus, max_length=16, default=ReturnStatus.REQUESTED)
    item_state = fields.CharEnumField(ItemState, max_length=16, default=ItemState.AWAITING)
    resolution = fields.CharEnumField(Resolution, max_length=16, default=Resolution.REFUND)
    reason = fields.CharField(max_length=64, default="other")
    note = fields.TextField(default="")
    decline_reason = fields.CharField(max_length=32, null=True)  # FINAL_SALE / RETURN_PERIOD_ENDED / OTHER
    decline_note = fields.CharField(max_length=500, null=True)
    restocking_fee_percent = fields.DecimalField(max_digits=5, decimal_places=2, default=0)
    restocking_fee = money()
    eligibility_override = fields.TextField(null=True)  # staff's reason for overriding the policy
    requested_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="returns_requested", null=True, on_delete=fields.SET_NULL
    )
    requested_at = fields.DatetimeField()
    opened_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    mirror_state = fields.CharEnumField(MirrorState, max_length=16, default=MirrorState.PENDING)
    mirror_error = fields.TextField(null=True)
    platform_updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "return"
        unique_together = (("shop", "platform_id"),)
        indexes = (("shop", "status", "requested_at"), ("order",))


class ReturnItem(Timestamped):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="return_items", on_delete=fields.CASCADE
    )
    return_request: fields.ForeignKeyRelation[Return] = fields.ForeignKeyField(
        "models.Return", related_name="items", on_delete=fields.CASCADE
    )
    line_item: fields.ForeignKeyRelation[LineItem] = fields.ForeignKeyField(
        "models.LineItem", related_name="return_items", on_delete=fields.CASCADE
    )
    platform_id = fields.CharField(max_length=64, null=True)
    quantity = fields.IntField()
    reason = fields.CharField(max_length=64, default="other")
    note = fields.TextField(default="")

    class Meta:
        table = "return_item"
        indexes = (("return_request",),)
