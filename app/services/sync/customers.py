"""Customer rows: upserts (one and many), placeholders for customers known only from an order,
order counts, deletes and merges.

Counts: ``orders_count``/``total_spent`` are the platform's numbers when a read carried them
(GraphQL ``numberOfOrders``/``amountSpent``). Webhook customers no longer carry them (fact sheet
and changelog 2025-01), so when an order is created here for the first time, it is added to its
customer's numbers unless the customer's stored version is already at least as new as the order
(then the platform's numbers include it). A placeholder customer (never read) is thereby the count
of the orders we hold. A reconcile read replaces the numbers with the platform's again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from app.models import Customer, OutboundMessage, Return, Survey, TimelineEntry
from app.models import Order as OrderRow
from app.services.sync.fast_insert import insert_rows
from app.services.sync.rows import Applied, changed, create_once, cut, locked
from app.services.sync.versions import Version, write_verdict
from app.webhooks.topics import CUSTOMER_TOPICS
from connectors.base import CustomerRecord

# Record fields -> the model fields they fill (state and created_at have no column).
_MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "phone": ("phone",),
    "locale": ("locale",),
    "tags": ("tags",),
    "orders_count": ("orders_count",),
    "total_spent": ("total_spent",),
    "currency": ("currency",),
    "accepts_marketing": ("accepts_marketing",),
}


def name_key(first_name: str, last_name: str) -> str:
    """Lower-cased "first last", the index customer search runs on."""
    return " ".join(part for part in (first_name.strip(), last_name.strip()) if part).lower()[:511]


def email_key(email: str | None) -> str | None:
    """Emails are stored lower-cased: customer search matches them on the (shop, email) index with
    a lower-cased query, and "Ada@Example.com" and "ada@example.com" are one mailbox in practice."""
    return cut(email.strip().lower(), 255) if email else None


def customer_fields(record: CustomerRecord, known: frozenset[str] | None = None) -> dict[str, Any]:
    """Model values for the record's fields (only ``known`` ones when given); no stamp, no name_key."""
    values: dict[str, Any] = {
        "email": email_key(record.email),
        "first_name": cut(record.first_name, 255) or "",
        "last_name": cut(record.last_name, 255) or "",
        "phone": cut(record.phone, 64),
        "locale": cut(record.locale, 16),
        "tags": ", ".join(record.tags),
        "orders_count": record.orders_count,
        "total_spent": record.total_spent,
        "currency": (record.currency or "")[:3],
        "accepts_marketing": record.accepts_marketing,
    }
    if not values["currency"]:
        del values["currency"]  # keep the stored (or default) currency rather than blank it
    if known is None:
        return values
    wanted = {model for field in known for model in _MODEL_FIELDS.get(field, ())}
    return {name: value for name, value in values.items() if name in wanted}


async def upsert_customer(
    shop_id: int,
    record: CustomerRecord,
    *,
    triggered_at: datetime | None = None,
    known: frozenset[str] | None = None,
) -> Applied:
    """Write one customer unless the stored version is newer. ``known``: the record fields the
    source really carried (webhook payloads leave some out); the rest stay as stored."""
    version = Version(record.updated_at, triggered_at)
    fields = customer_fields(record, known)
    async with in_transaction():
        row = await locked(Customer, shop_id, record.platform_id)
        created = False
        if row is None:
            first, last = fields.get("first_name", ""), fields.get("last_name", "")
            row, created = await create_once(
                Customer,
                {
                    **fields,
                    **_stamp(version),
                    "name_key": name_key(first, last),
                    "shop_id": shop_id,
                    "platform_id": record.platform_id,
                },
            )
        if not created:
            verdict = await write_verdict(shop_id, row, record.platform_id, version, CUSTOMER_TOPICS)
            if verdict is not Applied.UPDATED:
                return verdict
        final = {**fields, **_stamp(version)}
        final["name_key"] = name_key(
            final.get("first_name", row.first_name), final.get("last_name", row.last_name)
        )
        if row.deleted_at is not None:
            final["deleted_at"] = None  # only a version newer than the delete gets here
        updates = changed(row, final)
        if updates:
            await Customer.filter(id=row.id).update(**updates)
    return Applied.CREATED if created else Applied.UPDATED


async def upsert_customers(shop_id: int, records: Sequence[CustomerRecord]) -> int:
    """Write a page or batch of customers read from the API; returns how many rows changed.

    New customers go in with one multi-row insert; stored ones are updated only when the read is
    newer (an equal version is a re-read of what is stored, as when a backfill resumes)."""
    newest: dict[str, CustomerRecord] = {}
    for record in records:
        kept = newest.get(record.platform_id)
        if kept is None or _later(record.updated_at, kept.updated_at):
            newest[record.platform_id] = record
    if not newest:
        return 0
    async with in_transaction():
        stored = {
            row["platform_id"]: row
            for row in await Customer.filter(shop_id=shop_id, platform_id__in=list(newest)).values(
                "id", "platform_id", "platform_updated_at", "deleted_at"
            )
        }
        fresh = [
            Customer(
                shop_id=shop_id,
                platform_id=record.platform_id,
                name_key=name_key(record.first_name, record.last_name),
                platform_updated_at=record.updated_at,
                **customer_fields(record),
            )
            for pid, record in newest.items()
            if pid not in stored
        ]
        # A customer a webhook inserted since the read above keeps the webhook's (newer) row.
        await Customer.bulk_create(fresh, ignore_conflicts=True)
        written = len(fresh)
        for pid, row in stored.items():
            record = newest[pid]
            if not _read_applies(row["platform_updated_at"], row["deleted_at"], record.updated_at):
                continue
            await Customer.filter(id=row["id"]).update(
                **customer_fields(record),
                name_key=name_key(record.first_name, record.last_name),
                platform_updated_at=record.updated_at,
                deleted_at=None,
            )
            written += 1
    return written


@dataclass(frozen=True, slots=True)
class CustomerLink:
    """Who an order belongs to, as far as this batch knows."""

    platform_id: str
    email: str | None
    hint: CustomerRecord | None = None  # the order payload's customer summary, if any


@dataclass(frozen=True, slots=True)
class Linked:
    ids: dict[str, int]  # platform id -> row id
    created: frozenset[str]  # the placeholders this call inserted


async def link_customers(
    shop_id: int,
    links: Iterable[CustomerLink],
    *,
    counts: Mapping[str, tuple[int, Decimal]] | None = None,
) -> Linked:
    """Row ids of the orders' customers, inserting a placeholder for each one never seen.

    A placeholder has no ``platform_updated_at``: the first real read or webhook of the customer
    overwrites it whole. Until then a hint (the order body's customer summary) may fill its
    blanks. ``counts``: the orders and total a new placeholder starts with (a batch of new orders
    counts itself in the insert instead of one update per customer)."""
    wanted: dict[str, CustomerLink] = {}
    for link in links:
        wanted.setdefault(link.platform_id, link)
    if not wanted:
        return Linked({}, frozenset())
    rows = await Customer.filter(shop_id=shop_id, platform_id__in=list(wanted)).values(
        "id", "platform_id", "platform_updated_at", "first_name", "last_name", "email"
    )
    ids = {row["platform_id"]: row["id"] for row in rows}
    missing = [link for pid, link in wanted.items() if pid not in ids]
    if missing:
        await insert_rows(
            Customer, [_placeholder(shop_id, link, (counts or {}).get(link.platform_id)) for link in missing]
        )
        ids.update(
            await Customer.filter(
                shop_id=shop_id, platform_id__in=[link.platform_id for link in missing]
            ).values_list("platform_id", "id")
        )
    for row in rows:
        hint = wanted[row["platform_id"]].hint
        if hint is not None and row["platform_updated_at"] is None:
            await _fill_placeholder(row, hint)
    return Linked(ids, frozenset(link.platform_id for link in missing))


async def count_new_orders(orders: Iterable[tuple[int, datetime, Decimal]]) -> None:
    """Add orders created here for the first time — ``(customer_id, created_at, total)`` — to their
    customers' numbers, unless a customer's stored version already includes them."""
    by_customer: dict[int, list[tuple[datetime, Decimal]]] = {}
    for customer_id, created_at, total in orders:
        by_customer.setdefault(customer_id, []).append((created_at, total))
    if not by_customer:
        return
    stamps = dict(await Customer.filter(id__in=list(by_customer)).values_list("id", "platform_updated_at"))
    for customer_id, placed in by_customer.items():
        if customer_id not in stamps:
            continue
        stamp = stamps[customer_id]
        counted = [total for created_at, total in placed if stamp is None or created_at > stamp]
        if counted:
            await Customer.filter(id=customer_id).update(
                orders_count=F("orders_count") + len(counted),
                total_spent=F("total_spent") + sum(counted, Decimal("0")),
            )


async def delete_customer(shop_id: int, platform_id: str, deleted_at: datetime) -> Applied:
    """customers/delete: a tombstone (``deleted_at``) that older updates cannot revive. An unknown
    customer gets a tombstone row, so that a late update cannot create it afterwards."""
    async with in_transaction():
        row = await locked(Customer, shop_id, platform_id)
        if row is None:
            _, created = await create_once(
                Customer,
                {
                    "shop_id": shop_id,
                    "platform_id": platform_id,
                    "deleted_at": deleted_at,
                    "platform_updated_at": deleted_at,
                },
            )
            if created:
                return Applied.CREATED
            row = await locked(Customer, shop_id, platform_id)
            assert row is not None
        if row.deleted_at is not None:
            return Applied.DELETED
        stamp = row.platform_updated_at
        await Customer.filter(id=row.id).update(
            deleted_at=deleted_at,
            platform_updated_at=max(stamp, deleted_at) if stamp is not None else deleted_at,
        )
    return Applied.UPDATED


async def merge_customers(shop_id: int, kept_id: str, deleted_id: str, merged_at: datetime) -> int:
    """customers/merge: the merged-away customer's orders, returns, surveys, messages and
    timeline move to the kept customer, whose numbers take the moved orders; the merged-away
    customer becomes a tombstone. Returns how many orders moved. Idempotent: a second run finds
    nothing left to move."""
    async with in_transaction():
        kept = (await link_customers(shop_id, [CustomerLink(kept_id, None)])).ids[kept_id]
        gone = await locked(Customer, shop_id, deleted_id)
        moved = 0
        if gone is not None and gone.id != kept:
            orders = await OrderRow.filter(shop_id=shop_id, customer_id=gone.id).values_list(
                "total_price", flat=True
            )
            moved = len(orders)
            for model in (OrderRow, Return, Survey, OutboundMessage, TimelineEntry):
                await model.filter(shop_id=shop_id, customer_id=gone.id).update(customer_id=kept)
            if moved:
                await Customer.filter(id=kept).update(
                    orders_count=F("orders_count") + moved,
                    total_spent=F("total_spent") + sum(orders, Decimal("0")),
                )
        await delete_customer(shop_id, deleted_id, merged_at)
    return moved


# --- helpers ------------------------------------------------------------------------------------


def _stamp(version: Version) -> dict[str, Any]:
    return {"platform_updated_at": version.stamp} if version.stamp is not None else {}


def _later(candidate: datetime | None, current: datetime | None) -> bool:
    return current is None or (candidate is not None and candidate > current)


def _read_applies(stored: datetime | None, deleted_at: datetime | None, incoming: datetime | None) -> bool:
    """For reads in bulk: strictly newer than the stored version (and than a delete)."""
    if deleted_at is not None and (incoming is None or incoming <= deleted_at):
        return False
    return stored is None or (incoming is not None and incoming > stored)


def _placeholder(shop_id: int, link: CustomerLink, counted: tuple[int, Decimal] | None) -> dict[str, Any]:
    hint = link.hint
    first = (cut(hint.first_name, 255) or "") if hint else ""
    last = (cut(hint.last_name, 255) or "") if hint else ""
    orders, spent = counted or (0, Decimal("0"))
    return {
        "shop_id": shop_id,
        "platform_id": link.platform_id,
        "email": email_key((hint.email if hint else None) or link.email),
        "first_name": first,
        "last_name": last,
        "name_key": name_key(first, last),
        "phone": cut(hint.phone, 64) if hint else None,
        "orders_count": orders,
        "total_spent": spent,
    }


async def _fill_placeholder(row: dict[str, Any], hint: CustomerRecord) -> None:
    first = row["first_name"] or cut(hint.first_name, 255) or ""
    last = row["last_name"] or cut(hint.last_name, 255) or ""
    updates = {
        "first_name": first,
        "last_name": last,
        "name_key": name_key(first, last),
        "email": row["email"] or email_key(hint.email),
    }
    if any(row.get(key) != value for key, value in updates.items() if key != "name_key"):
        # Only while still a placeholder: a real customer version may have landed meanwhile.
        await Customer.filter(Q(id=row["id"]) & Q(platform_updated_at__isnull=True)).update(**updates)
