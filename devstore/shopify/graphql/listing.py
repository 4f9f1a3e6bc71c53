"""Reading orders and customers as the Admin API lists them: search filters, sort keys, cursors.

Cursors are keyset positions (the sort value and the id of the last row, base64 JSON), so a page
after an edit elsewhere neither repeats nor skips rows that did not move, and pages cost the same
at row 1 and row 1,000,000. ``query:`` understands ``updated_at``, ``created_at`` and ``id`` with
``:``, ``:>``, ``:>=``, ``:<``, ``:<=`` (dates as ISO 8601, quoted or not) and ignores
``status:any``; any other term is refused, never silently ignored.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from devstore import rows
from devstore.models import Shop
from devstore.shopify.graphql.objects import customer_source, order_source
from devstore.shopify.graphql.parser import Enum, GraphQLError
from devstore.shopify.graphql.render import Slice, Source
from devstore.shopify.graphql.return_store import load_returns
from devstore.store import DevStore

SORT_COLUMNS = {
    "ID": "id",
    "UPDATED_AT": "updated_at",
    "CREATED_AT": "created_at",
    "PROCESSED_AT": "created_at",
}
FILTER_COLUMNS = {
    "updated_at": "updated_at",
    "created_at": "created_at",
    "processed_at": "created_at",
    "id": "id",
}
IGNORED_TERMS = {"status:any"}
OPERATORS = {"": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_TERM = re.compile(r"""^(\w+):(>=|<=|>|<|)\s*['"]?([^'"]*)['"]?$""")
DEFAULT_COUNT_LIMIT = 10_000


def _terms(search: str) -> list[str]:
    return re.findall(r"""\S+?:(?:>=|<=|>|<)?\s*(?:'[^']*'|"[^"]*"|\S+)|\S+""", search)


def _stamp(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphQLError(f"Invalid date in search query: {value!r}") from exc
    return rows.ts(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def search_sql(search: object) -> tuple[str, list[Any]]:
    """SQL conditions (each starting `` AND``) and their parameters for a ``query:`` string."""
    if search is None or search == "":
        return "", []
    if not isinstance(search, str):
        raise GraphQLError("query must be a string")
    sql, params = "", []
    for term in _terms(search):
        if term.lower() in IGNORED_TERMS:
            continue
        match = _TERM.match(term)
        if match is None or match.group(1).lower() not in FILTER_COLUMNS:
            raise GraphQLError(f"The devstore cannot filter on {term!r}", "INVALID_SEARCH_QUERY")
        name, operator, value = match.group(1).lower(), match.group(2), match.group(3)
        column = FILTER_COLUMNS[name]
        sql += f" AND {column} {OPERATORS[operator]} ?"
        params.append(int(value.rsplit("/", 1)[-1]) if column == "id" else _stamp(value))
    return sql, params


def encode_cursor(sort_value: Any, row_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([sort_value, row_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: object) -> tuple[Any, int] | None:
    if cursor is None:
        return None
    try:
        text = str(cursor)
        value, row_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return value, int(row_id)
    except (ValueError, TypeError) as exc:
        raise GraphQLError(f"Invalid cursor: {cursor!r}") from exc


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int
    after: object
    search: object
    sort_key: str
    reverse: bool

    @classmethod
    def of(cls, args: dict[str, Any], first: int) -> PageRequest:
        sort = args.get("sortKey")
        sort_name = sort.name if isinstance(sort, Enum) else (sort or "ID")
        if sort_name not in SORT_COLUMNS:
            raise GraphQLError(f"The devstore cannot sort by {sort_name}")
        if args.get("before") is not None or args.get("last") is not None:
            raise GraphQLError("The devstore pages forward only (first/after)")
        return cls(first, args.get("after"), args.get("query"), sort_name, bool(args.get("reverse")))


class Listing:
    """One shop's orders and customers, read the way the Admin API lists them (blocking)."""

    def __init__(self, store: DevStore, shop: Shop) -> None:
        self.store = store
        self.shop = shop

    def _select(self, table: str, request: PageRequest) -> list[sqlite3.Row]:
        column = SORT_COLUMNS[request.sort_key]
        where, params = search_sql(request.search)
        sql = f"SELECT * FROM {table} WHERE shop_id = ?{where}"
        position = decode_cursor(request.after)
        greater = "<" if request.reverse else ">"
        if position is not None:
            if column == "id":
                sql += f" AND id {greater} ?"
                params.append(position[1])
            else:
                sql += f" AND ({column} {greater} ? OR ({column} = ? AND id {greater} ?))"
                params += [position[0], position[0], position[1]]
        direction = "DESC" if request.reverse else "ASC"
        order = "id" if column == "id" else f"{column} {direction}, id"
        sql += f" ORDER BY {order} {direction} LIMIT ?"
        with self.store.connect() as conn:
            return conn.execute(sql, [self.shop.id, *params, request.first + 1]).fetchall()

    def _slice(self, found: list[sqlite3.Row], request: PageRequest, sources: Sequence[Source]) -> Slice:
        column = SORT_COLUMNS[request.sort_key]
        items = [
            (encode_cursor(row[column], row["id"]), source)
            for row, source in zip(found[: request.first], sources, strict=False)
        ]
        return Slice(items, has_next=len(found) > request.first, has_previous=request.after is not None)

    def orders_page(self, request: PageRequest) -> Slice:
        found = self._select("orders", request)
        return self._slice(found, request, self.order_sources(found[: request.first]))

    def customers_page(self, request: PageRequest) -> Slice:
        found = self._select("customers", request)
        return self._slice(found, request, self.customer_sources(found[: request.first]))

    def order(self, order_id: int) -> Source | None:
        with self.store.connect() as conn:
            found = conn.execute(
                "SELECT * FROM orders WHERE shop_id = ? AND id = ?", (self.shop.id, order_id)
            ).fetchall()
        sources = self.order_sources(found)
        return sources[0] if sources else None

    def customer(self, customer_id: int) -> Source | None:
        with self.store.connect() as conn:
            found = conn.execute(
                "SELECT * FROM customers WHERE shop_id = ? AND id = ?", (self.shop.id, customer_id)
            ).fetchall()
        sources = self.customer_sources(found)
        return sources[0] if sources else None

    def count(self, table: str, search: object) -> int:
        where, params = search_sql(search)
        with self.store.connect() as conn:
            row = conn.execute(
                f"SELECT count(*) FROM {table} WHERE shop_id = ?{where}", [self.shop.id, *params]
            )
            return int(row.fetchone()[0])

    def iter_all(self, table: str, search: object, batch: int = 500) -> Iterator[Source]:
        """Every row matching ``search`` by id, ``batch`` rows per read: for bulk exports."""
        after: object = None
        while True:
            request = PageRequest(batch, after, search, "ID", reverse=False)
            found = self._select(table, request)
            page = found[:batch]
            yield from (self.order_sources(page) if table == "orders" else self.customer_sources(page))
            if len(found) <= batch:
                return
            after = encode_cursor(page[-1]["id"], page[-1]["id"])

    def order_sources(self, found: Sequence[sqlite3.Row]) -> list[Source]:
        if not found:
            return []
        # The store's loader: one query per child table for the whole page.
        orders = self.store._with_children(found)
        ids = [order.id for order in orders]
        with self.store.connect() as conn:
            notes = dict(
                conn.execute(
                    f"SELECT order_id, note FROM shopify_order_notes WHERE shop_id = ?"
                    f" AND order_id IN ({', '.join('?' * len(ids))})",
                    [self.shop.id, *ids],
                ).fetchall()
            )
        returns = load_returns(self.store, self.shop.id, ids)
        return [order_source(order, notes.get(order.id), returns.get(order.id, ())) for order in orders]

    def customer_sources(self, found: Sequence[sqlite3.Row]) -> list[Source]:
        if not found:
            return []
        customers = [rows.customer_of(row) for row in found]
        ids = [c.id for c in customers]
        totals: dict[int, tuple[int, Decimal]] = {}
        with self.store.connect() as conn:
            for row in conn.execute(
                f"SELECT customer_id, total_price FROM orders WHERE shop_id = ?"
                f" AND customer_id IN ({', '.join('?' * len(ids))})",
                [self.shop.id, *ids],
            ):
                count, spent = totals.get(row[0], (0, Decimal("0")))
                totals[row[0]] = (count + 1, spent + Decimal(row[1]))
        return [
            customer_source(c, *totals.get(c.id, (0, Decimal("0"))), self.shop.currency) for c in customers
        ]
