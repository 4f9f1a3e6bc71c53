from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from app.models.base import Timestamped
from app.models.shop import Shop


class SyncKind(StrEnum):
    BACKFILL = "backfill"
    RECONCILE = "reconcile"


class SyncStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class SyncRun(Timestamped):
    """Progress and checkpoint of one sync: a restarted worker resumes from ``cursor``."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="sync_runs", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(SyncKind, max_length=16)
    resource = fields.CharField(max_length=32)  # "orders", "customers"
    method = fields.CharField(max_length=16, default="paginated")  # "bulk" or "paginated"
    status = fields.CharEnumField(SyncStatus, max_length=16, default=SyncStatus.PENDING)
    bulk_operation_id = fields.CharField(max_length=128, null=True)
    cursor = fields.TextField(null=True)
    done = fields.IntField(default=0)
    total = fields.IntField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    error = fields.TextField(null=True)

    class Meta:
        table = "sync_run"
        indexes = (("shop", "kind", "status"),)
