"""arq ``WorkerSettings``: the job functions, crons, and the resources every job shares."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings
from arq.worker import func

from app import clock
from app.db import close_database, open_database
from app.platform_http import build_http_client
from app.queue import redis_settings, redis_url
from app.settings import load_settings, require_serving_settings
from jobs.bigcommerce_hooks import CHECK_EVERY_MINUTES, ensure_all_store_hooks, ensure_store_hooks
from jobs.maintenance import erase_uninstalled_bigcommerce_stores, prune_webhook_events
from jobs.outgoing_webhooks import DELIVERY_TRIES, deliver_survey_answer
from jobs.refunds import EXECUTE_TIMEOUT, execute_refund, requeue_stuck_refunds
from jobs.replies import requeue_stuck_replies, send_reply
from jobs.returns import mirror_return, requeue_pending_mirrors
from jobs.surveys import (
    enqueue_due_surveys,
    expire_due_surveys,
    plan_shop_surveys,
    plan_surveys,
    send_survey,
    send_survey_reminder,
    send_surveys_job,
)
from jobs.sync import (
    SLICE_JOB_TIMEOUT,
    backfill_shop,
    install_worker_resources,
    reconcile_shop,
    reconcile_shops,
    resume_syncs,
)
from jobs.webhooks import process_webhook, requeue_stuck_webhooks

logger = logging.getLogger(__name__)


async def startup(ctx: dict[str, Any]) -> None:
    settings = load_settings()
    require_serving_settings(settings)
    clock.start_at_offset(settings.clock_offset)
    await open_database(settings.database_url)
    ctx["settings"] = settings
    ctx["http"] = build_http_client(settings.platform_url, timeout=settings.platform_http_timeout)
    # Webhook handlers are called without ctx; the ones that read from the platform find these.
    install_worker_resources(ctx)
    logger.info("worker started")


async def shutdown(ctx: dict[str, Any]) -> None:
    install_worker_resources(None)
    if "http" in ctx:
        await ctx["http"].aclose()
    await close_database()


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        prune_webhook_events,
        erase_uninstalled_bigcommerce_stores,
        process_webhook,
        requeue_stuck_webhooks,
        send_reply,
        requeue_stuck_replies,
        func(backfill_shop, timeout=SLICE_JOB_TIMEOUT),
        func(reconcile_shop, timeout=SLICE_JOB_TIMEOUT),
        reconcile_shops,
        resume_syncs,
        func(deliver_survey_answer, max_tries=DELIVERY_TRIES),
        plan_shop_surveys,
        # Also queueable by name (not only as the cron), to send what is due now.
        enqueue_due_surveys,
        send_survey,
        send_surveys_job,
        send_survey_reminder,
        func(execute_refund, timeout=EXECUTE_TIMEOUT),
        requeue_stuck_refunds,
        mirror_return,
        requeue_pending_mirrors,
        ensure_store_hooks,
        ensure_all_store_hooks,
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(prune_webhook_events, hour={3}, minute={17}, unique=True, run_at_startup=False),
        # BigCommerce sends no shop/redact: its departed stores are erased 48 h on, hourly.
        cron(erase_uninstalled_bigcommerce_stores, minute={37}, unique=True, run_at_startup=False),
        # Every minute (no minute given): whatever Redis lost is queued again within two.
        cron(requeue_stuck_webhooks, second={41}, unique=True, run_at_startup=True),
        cron(requeue_stuck_replies, second={53}, unique=True, run_at_startup=True),
        # Each shop's reconcile runs at its own offset within the 15 minutes (jobs.sync).
        cron(reconcile_shops, minute={0, 15, 30, 45}, second={0}, unique=True, run_at_startup=False),
        # Stalled or lost sync runs, and first backfills of new installs, within a minute or so.
        cron(resume_syncs, second={23}, unique=True, run_at_startup=True),
        # Surveys: plan every 5 minutes (incremental), queue due sends each minute, expire hourly.
        cron(plan_surveys, minute=set(range(2, 60, 5)), second={7}, unique=True, run_at_startup=True),
        cron(enqueue_due_surveys, second={31}, unique=True, run_at_startup=True),
        cron(expire_due_surveys, minute={11}, second={0}, unique=True, run_at_startup=False),
        # Refund intents Redis lost, or whose job gave up, are queued again (the job reconciles).
        cron(requeue_stuck_refunds, second={47}, unique=True, run_at_startup=True),
        # Return mirrors Redis lost (the return itself is safe in the database).
        cron(
            requeue_pending_mirrors, minute=set(range(3, 60, 5)), second={5}, unique=True, run_at_startup=True
        ),
        # BigCommerce stores' webhooks: created on install, re-activated after BigCommerce turns
        # them off for failed deliveries.
        cron(
            ensure_all_store_hooks,
            minute=set(range(0, 60, CHECK_EVERY_MINUTES)),
            second={13},
            unique=True,
            run_at_startup=True,
        ),
    ]
    on_startup = startup
    on_shutdown = shutdown
    health_check_interval = 5
    max_jobs = 20
    job_timeout = 300
    keep_result = 3600
    max_tries = 8


def worker_redis_settings() -> RedisSettings:
    return redis_settings(redis_url(load_settings()))
