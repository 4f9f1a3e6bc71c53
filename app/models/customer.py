from __future__ import annotations

from tortoise import fields

from app.models.base import PlatformObject, currency, money
from app.models.shop import Shop


class Customer(PlatformObject):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="customers", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=255, null=True)
    first_name = fields.CharField(max_length=255, default="")
    last_name = fields.CharField(max_length=255, default="")
    # Lower-cased "first last" for prefix search on an index.
    name_key = fields.CharField(max_length=511, default="")
    phone = fields.CharField(max_length=64, null=True)
    locale = fields.CharField(max_length=16, null=True)
    tags = fields.TextField(default="")
    orders_count = fields.IntField(default=0)
    total_spent = money()
    currency = currency()
    accepts_marketing = fields.BooleanField(default=False)
    # Survey unsubscribe, honoured across every survey kind.
    unsubscribed_at = fields.DatetimeField(null=True)
    last_surveyed_at = fields.DatetimeField(null=True)
    redacted_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "customer"
        unique_together = (("shop", "platform_id"),)
        indexes = (("shop", "email"), ("shop", "name_key"), ("shop", "phone"))
