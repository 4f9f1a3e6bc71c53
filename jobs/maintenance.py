"""Housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.clock import utcnow
from app.models import WebhookEvent, WebhookStatus

WEBHOOK_RETENTION = timedelta(days=30)


async def prune_webhook_events(ctx: dict[str, Any]) -> int:
    """Delete processed or ignored deliveries older than the retention; the rest are kept to retry."""
    cutoff = utcnow() - WEBHOOK_RETENTION
    return await WebhookEvent.filter(
        received_at__lt=cutoff, status__in=[WebhookStatus.PROCESSED, WebhookStatus.IGNORED]
    ).delete()
