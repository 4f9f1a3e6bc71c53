from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from app.models.shop import Shop, StaffUser


class AuditEvent(Model):
    """Who did what, when: every money action, settings change and privacy request."""

    id = fields.BigIntField(primary_key=True)
    shop: fields.ForeignKeyNullableRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="audit_events", null=True, on_delete=fields.CASCADE
    )
    staff: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    actor = fields.CharField(max_length=128)  # "staff:<email>", "platform", "system", "shopper"
    action = fields.CharField(max_length=64)  # "refund.requested", "settings.changed", ...
    subject_type = fields.CharField(max_length=32, default="")
    subject_id = fields.CharField(max_length=64, default="")
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_event"
        indexes = (("shop", "created_at"),)
