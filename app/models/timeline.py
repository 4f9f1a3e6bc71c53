from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from app.models.customer import Customer
from app.models.order import Order
from app.models.shop import Shop


class TimelineEntry(Model):
    """One line of a customer's story — order, fulfillment, return, refund, survey, reply.

    Written by the services as things happen, so that the timeline is one indexed range scan on
    (customer, occurred_at) instead of a union over six tables.
    """

    id = fields.BigIntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="timeline", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="timeline", on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="timeline", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharField(max_length=32)  # "order.placed", "refund.succeeded", "survey.answered", ...
    # The row this entry speaks of, e.g. ("refund", "42"): one entry per (kind, subject).
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64)
    summary = fields.CharField(max_length=512)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    occurred_at = fields.DatetimeField()

    class Meta:
        table = "timeline_entry"
        unique_together = (("shop", "kind", "subject_type", "subject_id"),)
        indexes = (("customer", "occurred_at"),)
