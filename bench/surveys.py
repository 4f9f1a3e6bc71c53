"""Survey throughput and the scheduler's scaling.

    python -m bench.surveys [--quick]

(a) Plans and sends 100k surveys (quick: 5k) with the app's own code — ``scan_shop`` (planning
from delivered orders) and the ``send_surveys`` job in the batches the due cron makes (claim,
send-time checks, throttle, SMTP on one connection per batch, mark sent) — to a real SMTP server:
the devstore's mail sink on a free port, in its own process. Orders and customers are bulk-loaded
with ``executemany`` into a fresh, migrated SQLite database.
(b) The scheduler's due-survey query (``due_survey_ids``) on a database with 1M orders (quick:
200k), each with a survey, against one with 10k orders, both with the same number of due
surveys. It walks the ``(status, due_at)`` index, so the ratio large/small should be close to 1.

The last line of output is one JSON object:
{"bench": "surveys", "surveys_per_s": …, "scheduler_scaling_ratio": …}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.clock import utcnow
from app.db import close_database, open_database
from app.migrations import apply_migrations
from app.models import Platform, Shop
from app.services.surveys.scheduling import scan_shop
from app.services.surveys.sending import due_survey_ids
from app.settings import Settings, load_settings
from devstore.mailsink import sink_process
from jobs.surveys import send_batches, send_surveys

BATCH = 20_000
# Memory-backed when the machine has it: the figures are the code's, not this disk's. Only the
# parent of a private mkdtemp folder, hence no S108 risk.
SHM = "/dev/shm"  # noqa: S108
SCRATCH = SHM if Path(SHM).is_dir() else None
ROUNDS = 5
SEND_CONCURRENCY = 8  # batch jobs at once, as a worker runs several; SQLite serialises the writes


@dataclass(frozen=True)
class Size:
    surveys: int  # planned and sent in (a)
    large_orders: int  # (b): orders (and surveys) in the large database
    small_orders: int
    due: int  # (b): due surveys in both databases
    samples: int  # (b): timed queries per database


FULL = Size(surveys=100_000, large_orders=1_000_000, small_orders=10_000, due=500, samples=200)
QUICK = Size(surveys=5_000, large_orders=200_000, small_orders=10_000, due=500, samples=100)


def _stamp(at: datetime) -> str:
    # What Tortoise's SQLite adapter writes for a datetime, so comparisons match its queries.
    return at.isoformat(" ")


def _insert(
    db: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)
            batch = []
    if batch:
        db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)


CUSTOMER_COLUMNS = (
    "created_at", "updated_at", "platform_id", "shop_id", "email", "first_name", "last_name",
    "name_key", "tags", "orders_count", "total_spent", "currency", "accepts_marketing",
)  # fmt: skip
ORDER_COLUMNS = (
    "created_at", "updated_at", "platform_id", "platform_updated_at", "shop_id", "customer_id",
    "number", "email", "financial_status", "fulfillment_status", "currency", "subtotal", "total_tax",
    "total_shipping", "total_discounts", "total_price", "total_refunded", "tags", "test",
    "placed_at", "delivered_at",
)  # fmt: skip
SURVEY_COLUMNS = (
    "created_at", "updated_at", "shop_id", "customer_id", "order_id", "kind", "trigger",
    "subject_key", "resolution_type", "status", "decision", "token", "email", "locale", "due_at",
    "sent_at",
)  # fmt: skip


def seed_orders(path: Path, shop_id: int, orders: int, now: datetime) -> None:
    """``orders`` delivered orders, each of its own customer (so the throttle never suppresses)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    stamp = _stamp(now)
    placed, delivered = _stamp(now - timedelta(days=12)), _stamp(now - timedelta(days=8))
    _insert(
        db,
        "customer",
        CUSTOMER_COLUMNS,
        (
            (stamp, stamp, f"c{n}", shop_id, f"shopper{n}@example.com", "Ann", f"Lee{n}", f"ann lee{n}",
             "", 1, "45", "USD", 0)
            for n in range(1, orders + 1)
        ),
    )  # fmt: skip
    _insert(
        db,
        "order",
        ORDER_COLUMNS,
        (
            (stamp, stamp, f"o{n}", _stamp(now - timedelta(seconds=orders - n)), shop_id, n, f"#{1000 + n}",
             f"shopper{n}@example.com", "paid", "fulfilled", "USD", "40", "0", "5", "0", "45", "0", "",
             0, placed, delivered)
            for n in range(1, orders + 1)
        ),
    )  # fmt: skip
    db.commit()
    db.execute("ANALYZE")
    db.close()


def seed_surveys(path: Path, shop_id: int, orders: int, due: int, now: datetime) -> None:
    """A survey per order: all but ``due`` already SENT (their due dates long past, as in a real
    shop), and ``due`` SCHEDULED ones whose time has come."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    stamp = _stamp(now)

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(1, orders + 1):
            is_due = n > orders - due
            due_at = now - timedelta(minutes=1 + n % 60) if is_due else now - timedelta(days=1 + n % 300)
            yield (
                stamp, stamp, shop_id, n, n, "csat", "delivery", f"order:{n}", "none",
                "scheduled" if is_due else "sent", "", f"tok{n:012d}{shop_id}", f"shopper{n}@example.com",
                "en", _stamp(due_at), None if is_due else _stamp(due_at),
            )  # fmt: skip

    _insert(db, "survey", SURVEY_COLUMNS, rows())
    db.commit()
    db.execute("ANALYZE")
    db.close()


async def _new_shop(database_url: str, domain: str) -> int:
    await apply_migrations(database_url)
    await open_database(database_url)
    shop = await Shop.create(platform=Platform.SHOPIFY, domain=domain, name="Bench")
    await close_database()
    return shop.id


async def plan_and_send(path: Path, size: Size) -> dict[str, float]:
    """(a): returns seconds spent planning and sending, and how many were sent."""
    database_url = f"sqlite://{path}"
    shop_id = await _new_shop(database_url, "bench-surveys.myshopify.com")
    seed_orders(path, shop_id, size.surveys, utcnow())
    async with mail_sink(path.parent) as port:
        settings = _settings(path.parent, database_url, f"smtp://127.0.0.1:{port}")
        await open_database(database_url)
        try:
            began = time.perf_counter()
            planned = 0
            while (result := await scan_shop(shop_id)).seen:
                planned += result.scheduled
            planning = time.perf_counter() - began
            print(f"planned {planned} surveys in {planning:.1f} s ({planned / planning:.0f}/s)")
            began = time.perf_counter()
            sent = await _send_all(settings, size.surveys)
            sending = time.perf_counter() - began
            print(f"sent {sent} surveys over SMTP in {sending:.1f} s ({sent / sending:.0f}/s)")
        finally:
            await close_database()
    return {"planning_s": planning, "sending_s": sending, "sent": float(sent)}


@asynccontextmanager
async def mail_sink(folder: Path) -> AsyncIterator[int]:
    """The devstore's SMTP sink in its own process (its MIME parsing would otherwise share this
    process's one CPU with the app code being measured); yields its port."""
    async with sink_process(folder / "mailsink.sqlite3") as port:
        yield port


def _settings(folder: Path, database_url: str, smtp_url: str) -> Settings:
    return load_settings(
        {
            "AFTERCARE_PLATFORM_URL": "http://platform.bench",
            "AFTERCARE_VAR_DIR": str(folder / "var"),
            "DATABASE_URL": database_url,
            "SMTP_URL": smtp_url,
            "SHOPIFY_APP_URL": "https://aftercare.bench",
        }
    )


async def _send_all(settings: Settings, limit: int) -> int:
    batches = send_batches(await due_survey_ids(limit))
    gate = asyncio.Semaphore(SEND_CONCURRENCY)
    ctx: dict[str, Any] = {"settings": settings, "job_try": 1}

    async def one(survey_ids: list[int]) -> int:
        async with gate:
            return (await send_surveys(ctx, survey_ids)).get("sent", 0)

    return sum(await asyncio.gather(*(one(ids) for ids in batches.values())))


async def seed_scheduler_db(path: Path, orders: int, size: Size) -> str:
    database_url = f"sqlite://{path}"
    shop_id = await _new_shop(database_url, f"bench-{orders}.myshopify.com")
    now = utcnow()
    began = time.perf_counter()
    seed_orders(path, shop_id, orders, now)
    seed_surveys(path, shop_id, orders, size.due, now)
    print(f"seeded {orders} orders and surveys ({size.due} due) in {time.perf_counter() - began:.1f} s")
    return database_url


async def due_query_median(database_url: str, due: int, samples: int) -> float:
    """The median time of the scheduler's due query (``due_survey_ids``) on one database."""
    await open_database(database_url)
    try:
        for _ in range(5):  # warm-up: statement cache, pages in memory
            assert len(await due_survey_ids(due * 2)) == due
        spent = []
        for _ in range(samples):
            began = time.perf_counter()
            await due_survey_ids(due * 2)
            spent.append(time.perf_counter() - began)
    finally:
        await close_database()
    return statistics.median(spent)


async def run(size: Size, folder: Path) -> dict[str, Any]:
    sent = await plan_and_send(folder / "send.sqlite3", size)
    small_db = await seed_scheduler_db(folder / "small.sqlite3", size.small_orders, size)
    large_db = await seed_scheduler_db(folder / "large.sqlite3", size.large_orders, size)
    # Alternating rounds, best median of each: load from elsewhere on the machine hits both alike.
    small, large = [], []
    for _ in range(ROUNDS):
        small.append(await due_query_median(small_db, size.due, size.samples // ROUNDS))
        large.append(await due_query_median(large_db, size.due, size.samples // ROUNDS))
    print(f"due query median: {min(small) * 1000:.2f} ms with {size.small_orders} orders, "
          f"{min(large) * 1000:.2f} ms with {size.large_orders} orders")  # fmt: skip
    return {
        "bench": "surveys",
        "surveys_per_s": round(sent["sent"] / (sent["planning_s"] + sent["sending_s"]), 1),
        "scheduler_scaling_ratio": round(min(large) / min(small), 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.surveys", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="5k surveys; 200k vs 10k orders")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aftercare-bench-", dir=SCRATCH) as folder:
        figures = asyncio.run(run(QUICK if args.quick else FULL, Path(folder)))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
