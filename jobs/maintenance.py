"""Housekeeping jobs.

- ``prune_webhook_events``: finished deliveries are kept 30 days, then deleted.
- ``erase_uninstalled_bigcommerce_stores``: a BigCommerce store's data is erased 48 hours after
  the app is uninstalled, unless the merchant came back meanwhile. This is parity with Shopify,
  whose ``shop/redact`` request arrives 48 h after an uninstall and erases the shop
  (``jobs.webhook_handlers.shop_redact``); BigCommerce sends nothing like it, so without this
  cron a departed store's customers and orders would be kept for ever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Platform, Shop, WebhookEvent, WebhookStatus
from app.services.privacy import REDACT_DELAY, erase_shop

logger = logging.getLogger(__name__)

WEBHOOK_RETENTION = timedelta(days=30)
# Shopify's shop/redact delay, so that merchants on both platforms get the same grace period.
BIGCOMMERCE_ERASE_AFTER = REDACT_DELAY  # the delay of Shopify's shop/redact, for parity
# Each erasure deletes everything a store owns; an hourly run takes the backlog a batch at a time.
ERASE_BATCH = 50


async def prune_webhook_events(ctx: dict[str, Any]) -> int:
    """Delete processed or ignored deliveries older than the retention; the rest are kept to retry."""
    cutoff = utcnow() - WEBHOOK_RETENTION
    return await WebhookEvent.filter(
        received_at__lt=cutoff, status__in=[WebhookStatus.PROCESSED, WebhookStatus.IGNORED]
    ).delete()


async def erase_uninstalled_bigcommerce_stores(ctx: dict[str, Any]) -> int:
    """Erase BigCommerce stores uninstalled more than ``BIGCOMMERCE_ERASE_AFTER`` ago and not
    installed again; returns how many were erased. Running it again finds nothing left to do."""
    cutoff = utcnow() - BIGCOMMERCE_ERASE_AFTER
    due = await _departed(cutoff).order_by("uninstalled_at").limit(ERASE_BATCH).values("id")
    erased = 0
    for row in due:
        if await erase_departed_store(row["id"], cutoff):
            erased += 1
    return erased


async def erase_departed_store(shop_id: int, cutoff: datetime) -> bool:
    """Erase one store if it is still a BigCommerce store uninstalled before ``cutoff``."""
    async with in_transaction():
        # Checked again under the row lock: a reinstall since the listing clears uninstalled_at,
        # which erase_shop's own guard does not look for.
        if await _departed(cutoff).select_for_update().filter(id=shop_id).first() is None:
            return False
        erasure = await erase_shop(shop_id)
    if erasure.erased:
        logger.info("uninstalled store erased", extra={"shop": shop_id})
    return erasure.erased


def _departed(cutoff: datetime) -> QuerySet[Shop]:
    return Shop.filter(platform=Platform.BIGCOMMERCE, is_active=False, uninstalled_at__lt=cutoff)
