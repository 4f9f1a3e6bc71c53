"""Keeping a BigCommerce store's webhooks in place. Shopify declares its subscriptions in
``shopify.app.toml``; BigCommerce has them created through its API, and deactivates them after
failed deliveries (fact sheet 3.4), so the job that creates them also repairs them, on install
and from a cron.

- ``ensure_store_hooks(shop_id)``: idempotent; one listing, then only what is missing or off.
- ``ensure_all_store_hooks`` (cron): queues the above for every installed BigCommerce store.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from arq import Retry

from app.clock import utcnow
from app.models import Platform, Shop
from app.queue import enqueue
from app.services.sync.platform import PlatformAccess
from app.webhooks.bigcommerce import ENSURE_STORE_HOOKS, hook_destination, hook_secret
from connectors.bigcommerce.connector import BigCommerceConnector
from connectors.bigcommerce.webhooks import ensure_hooks
from connectors.errors import AuthError, Permanent, RateLimited, Transient
from jobs.errors import backoff

logger = logging.getLogger(__name__)

CHECK_EVERY_MINUTES = 10


async def ensure_store_hooks(ctx: dict[str, Any], shop_id: int) -> str:
    shop = await Shop.get_or_none(id=shop_id)
    if shop is None or not shop.is_active or shop.needs_reauth:
        return "not installed"
    if shop.platform != Platform.BIGCOMMERCE:
        return "hooks are declared in the app's configuration on this platform"
    access = PlatformAccess.from_job_context(ctx)
    connector = access.connector_for(shop)
    assert isinstance(connector, BigCommerceConnector)
    try:
        result = await ensure_hooks(
            connector.rest,
            hook_destination(access.settings),
            secret_for=partial(hook_secret, access.settings, shop.domain),
        )
    except RateLimited as exc:
        raise Retry(defer=timedelta(seconds=exc.retry_after)) from exc
    except Transient as exc:
        raise Retry(defer=timedelta(seconds=backoff(int(ctx.get("job_try", 1))))) from exc
    except AuthError:
        await Shop.filter(id=shop.id).update(needs_reauth=True)
        return "needs re-authorization"
    except Permanent as exc:
        logger.error("webhooks could not be set up", extra={"shop": shop.domain, "error": exc.message[:200]})
        return f"failed: {exc.message}"
    if result.created or result.reactivated:
        logger.info(
            "webhooks put in place",
            extra={
                "shop": shop.domain,
                # Not "created": LogRecord has that attribute, and logging refuses to overwrite it.
                "hooks_created": len(result.created),
                "hooks_reactivated": len(result.reactivated),
            },
        )
    return f"{len(result.hooks)} hooks: {len(result.created)} created, {len(result.reactivated)} repaired"


async def ensure_all_store_hooks(ctx: dict[str, Any]) -> int:
    slot = utcnow().strftime("%Y%m%d%H%M")
    shops = await Shop.filter(platform=Platform.BIGCOMMERCE, is_active=True, needs_reauth=False).values("id")
    for shop in shops:
        await enqueue(ctx["redis"], ENSURE_STORE_HOOKS, shop["id"], key=(shop["id"], slot))
    return len(shops)
