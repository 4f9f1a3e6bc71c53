"""Recording deliveries straight into the table, as the intake would."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.models import Platform, Shop, WebhookEvent


async def recorded(
    shop: Shop, topic: str, payload: dict[str, Any], *, triggered_at: datetime | None = None
) -> int:
    event = await WebhookEvent.create(
        shop=shop,
        platform=Platform.SHOPIFY,
        topic=topic,
        dedupe_key=str(uuid.uuid4()),
        webhook_id=str(uuid.uuid4()),
        triggered_at=triggered_at,
        payload=payload,
    )
    return event.id
