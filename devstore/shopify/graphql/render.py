"""Selections rendered from field sources, and what they cost.

A *source* is a dict keyed by GraphQL field names (``objects.py`` builds them from the devstore's
models): scalars as Shopify serializes them, objects as nested sources, lists and connections as
lists of sources (or a ``Slice`` already paged by a listing). Only what the query selects is
rendered, and a field the type does not have is an error, as on Shopify.

Cost, Shopify's rules approximated (fact sheet 5.4; the app's ``queries.py`` prices the same way):
a scalar or enum is 0; an object 1 plus its selection; a connection ``2 + first x (1 + node
selection)``; a list ``first x (1 + item selection)`` (1 item when ``first`` is absent); a mutation
adds 10. ``pageInfo``, ``edges`` and ``cursor`` are free. The *actual* cost counts the objects that
were really rendered the same way (connections 2 each plus their nodes).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from devstore.shopify.graphql.parser import Field, GraphQLError
from devstore.shopify.graphql.types import CONNECTION_FIELDS, EDGE_FIELDS, FieldType, field_type

Source = Mapping[str, Any]
MUTATION_COST = 10
MAX_PAGE = 250


@dataclass(frozen=True, slots=True)
class Slice:
    """One page of a connection, as a listing read it: ``(cursor, source)`` pairs."""

    items: Sequence[tuple[str, Source]]
    has_next: bool
    has_previous: bool = False


def offset_cursor(index: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"i": index}).encode()).decode().rstrip("=")


def read_offset_cursor(cursor: object) -> int:
    if cursor is None:
        return -1
    try:
        text = str(cursor)
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return int(value["i"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError(f"Invalid cursor for this connection: {cursor!r}") from exc


def first_of(f: Field, *, required: bool) -> int | None:
    first = f.args.get("first")
    if first is None:
        if required and f.args.get("last") is None:
            raise GraphQLError(f"you must provide one of first or last for {f.name}")
        return None
    if isinstance(first, bool) or not isinstance(first, int) or not 0 <= first <= MAX_PAGE:
        raise GraphQLError(f"{f.name}: first must be an integer from 0 to {MAX_PAGE}")
    return first


def _type_of(type_name: str, f: Field) -> FieldType:
    found = field_type(type_name, f.name)
    if found is None:
        raise GraphQLError(f"Field '{f.name}' doesn't exist on type '{type_name}'", "undefinedField")
    return found


def node_selection(f: Field) -> tuple[Field, ...]:
    """A connection's node fields, from ``nodes { }`` and ``edges { node { } }`` alike."""
    selected: list[Field] = []
    for part in f.selections:
        if part.name not in CONNECTION_FIELDS:
            raise GraphQLError(f"Field '{part.name}' doesn't exist on a connection", "undefinedField")
        if part.name == "nodes":
            selected.extend(part.selections)
        elif part.name == "edges":
            for inner in part.selections:
                if inner.name not in EDGE_FIELDS:
                    raise GraphQLError(f"Field '{inner.name}' doesn't exist on an edge", "undefinedField")
                if inner.name == "node":
                    selected.extend(inner.selections)
    return tuple(selected)


def requested_cost(type_name: str, selections: Sequence[Field], *, bulk: bool = False) -> int:
    """The most the selection can cost (and a check that every field exists)."""
    total = 0
    for f in selections:
        kind = _type_of(type_name, f)
        if kind.kind == "object":
            total += 1 + requested_cost(kind.of, f.selections, bulk=bulk)
        elif kind.kind == "list":
            total += (first_of(f, required=False) or 1) * (
                1 + requested_cost(kind.of, f.selections, bulk=bulk)
            )
        elif kind.kind == "connection":
            size = first_of(f, required=not bulk) or (0 if bulk else 1)
            total += 2 + size * (1 + requested_cost(kind.of, node_selection(f), bulk=bulk))
    return total


@dataclass
class Renderer:
    """Renders selections and counts the actual cost. ``node_type`` names a ``node(id:)`` source's
    type. In ``bulk`` mode a connection under an object is not inlined: its nodes become lines of
    their own with ``__parentId``, parents before children (``take_pending``)."""

    bulk: bool = False
    actual: int = 0
    _pending: list[dict[str, Any]] = field(default_factory=list)

    def render(self, type_name: str, source: Source, selections: Sequence[Field]) -> dict[str, Any]:
        if type_name == "Node":
            type_name = str(source.get("__type", "Node"))
        out: dict[str, Any] = {}
        for f in selections:
            if f.name == "__typename":
                out[f.key] = type_name
                continue
            kind = _type_of(type_name, f)
            value = source.get(f.name)
            if callable(value):
                value = value(f)
            if kind.kind == "scalar":
                out[f.key] = value
            elif kind.kind == "object":
                self.actual += value is not None
                out[f.key] = None if value is None else self.render(kind.of, value, f.selections)
            elif kind.kind == "list":
                items = list(value or [])[: first_of(f, required=False) or None]
                self.actual += len(items)
                out[f.key] = [self.render(kind.of, item, f.selections) for item in items]
            elif self.bulk:
                self._emit_children(kind.of, source, value, f)
            else:
                out[f.key] = self.connection(kind.of, value, f)
        return out

    def connection(self, type_name: str, value: Slice | Sequence[Source] | None, f: Field) -> dict[str, Any]:
        page = value if isinstance(value, Slice) else self._slice(value or [], f)
        self.actual += 2 + len(page.items)
        rendered = [(cursor, self.render(type_name, src, node_selection(f))) for cursor, src in page.items]
        out: dict[str, Any] = {}
        for part in f.selections:
            if part.name == "nodes":
                out[part.key] = [self._only(node, part.selections) for _, node in rendered]
            elif part.name == "edges":
                out[part.key] = [self._edge(cursor, node, part) for cursor, node in rendered]
            elif part.name == "pageInfo":
                info = {
                    "hasNextPage": page.has_next,
                    "hasPreviousPage": page.has_previous,
                    "startCursor": page.items[0][0] if page.items else None,
                    "endCursor": page.items[-1][0] if page.items else None,
                }
                out[part.key] = {sub.key: info.get(sub.name) for sub in part.selections}
        return out

    @staticmethod
    def _slice(items: Sequence[Source], f: Field) -> Slice:
        start = read_offset_cursor(f.args.get("after")) + 1
        first = first_of(f, required=False)
        end = len(items) if first is None else start + first
        chosen = [(offset_cursor(i), items[i]) for i in range(start, min(end, len(items)))]
        return Slice(chosen, has_next=end < len(items), has_previous=start > 0)

    @staticmethod
    def _only(node: dict[str, Any], selections: Sequence[Field]) -> dict[str, Any]:
        # ``nodes { a }`` and ``edges { node { b } }`` may select different fields of one node.
        return {f.key: node[f.key] for f in selections if f.key in node}

    def _edge(self, cursor: str, node: dict[str, Any], part: Field) -> dict[str, Any]:
        edge: dict[str, Any] = {}
        for inner in part.selections:
            edge[inner.key] = cursor if inner.name == "cursor" else self._only(node, inner.selections)
        return edge

    def _emit_children(self, type_name: str, parent: Source, value: Any, f: Field) -> None:
        items = value.items if isinstance(value, Slice) else [(None, item) for item in value or []]
        for _, child in items:
            self.actual += 1
            # Its place is taken first: grandchildren rendered inside must come after it.
            slot = len(self._pending)
            self._pending.append({})
            line = self.render(type_name, child, node_selection(f))
            self._pending[slot] = {**line, "__parentId": parent.get("id")}

    def take_pending(self) -> list[dict[str, Any]]:
        """The child lines rendered since the last call (the bulk runner writes them after their
        parent)."""
        lines, self._pending = self._pending, []
        return lines
