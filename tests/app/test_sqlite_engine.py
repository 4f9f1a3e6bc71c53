"""SQLite transactions take the write lock when they begin, as row locks would on PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from tortoise.transactions import in_transaction

from app.models import Platform, Shop
from app.settings import Settings


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_transaction_that_reads_then_writes_keeps_another_process_from_writing_in_between(
    db: Settings,
) -> None:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="lock.myshopify.com", name="before")
    other_process = sqlite3.connect(db.database_url.removeprefix("sqlite://"), timeout=0.2)
    try:
        async with in_transaction():
            read = await Shop.get(id=shop.id)
            # Another process tries to write between our read and our write: it must wait (and
            # here give up), not slip in and make our write fail with "database is locked".
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other_process.execute("UPDATE shop SET name = 'theirs' WHERE id = ?", (shop.id,))
            await Shop.filter(id=shop.id).update(name=read.name + " and ours")
    finally:
        other_process.close()

    assert (await Shop.get(id=shop.id)).name == "before and ours"
