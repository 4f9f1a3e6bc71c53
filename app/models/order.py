from __future__ import annotations

from typing import Any

from tortoise import fields

from app.models.base import PlatformObject, currency, money
from app.models.customer import Customer
from app.models.shop import Shop


class Order(PlatformObject):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="orders", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="orders", null=True, on_delete=fields.SET_NULL
    )
    number = fields.CharField(max_length=64)  # "#1001" on Shopify, the order id on BigCommerce
    email = fields.CharField(max_length=255, null=True)
    financial_status = fields.CharField(max_length=32, default="pending")
    fulfillment_status = fields.CharField(max_length=32, default="unfulfilled")
    currency = currency()
    subtotal = money()
    total_tax = money()
    total_shipping = money()
    total_discounts = money()
    total_price = money()
    total_refunded = money()
    locale = fields.CharField(max_length=16, null=True)
    tags = fields.TextField(default="")
    test = fields.BooleanField(default=False)
    placed_at = fields.DatetimeField()
    cancelled_at = fields.DatetimeField(null=True)
    cancel_reason = fields.CharField(max_length=64, null=True)
    closed_at = fields.DatetimeField(null=True)
    # Set when every fulfillment is delivered (the survey clock starts here).
    delivered_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "order"
        unique_together = (("shop", "platform_id"),)
        indexes = (
            ("shop", "number"),
            ("shop", "placed_at"),
            ("shop", "platform_updated_at"),
            ("shop", "financial_status", "placed_at"),
            ("shop", "fulfillment_status", "placed_at"),
            ("customer", "placed_at"),
        )


class LineItem(PlatformObject):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="line_items", on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="line_items", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=512)
    variant_title = fields.CharField(max_length=255, default="")
    sku = fields.CharField(max_length=255, default="")
    product_id = fields.CharField(max_length=64, null=True)
    variant_id = fields.CharField(max_length=64, null=True)
    product_tags = fields.TextField(default="")  # "final-sale" here excludes the item from returns
    quantity = fields.IntField()
    fulfilled_quantity = fields.IntField(default=0)
    refundable_quantity = fields.IntField(default=0)
    price = money()
    total_discount = money()

    class Meta:
        table = "line_item"
        unique_together = (("shop", "platform_id"),)
        # Foreign keys are not indexed by themselves: the order page reads its children by order.
        indexes = (("shop", "sku"), ("order",))


class Fulfillment(PlatformObject):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="fulfillments", on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="fulfillments", on_delete=fields.CASCADE
    )
    status = fields.CharField(max_length=32, default="success")
    shipment_status = fields.CharField(max_length=32, null=True)
    tracking_company = fields.CharField(max_length=255, null=True)
    tracking_number = fields.CharField(max_length=255, null=True)
    tracking_url = fields.CharField(max_length=1024, null=True)
    fulfilled_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    # [{"line_item_platform_id": "...", "quantity": 2}, ...]
    lines: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)

    class Meta:
        table = "fulfillment"
        unique_together = (("shop", "platform_id"),)
        indexes = (("order",),)
