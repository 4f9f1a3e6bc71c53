"""Read a bulk export's JSONL file as records, streaming, in constant memory.

Each line is one object. Objects of nested connections are separate lines carrying
``"__parentId"``; with grouped output (``groupObjects: true``, which ``start_bulk_query`` asks for)
Shopify writes each object's children directly below it (changelog "Optional groupObjects
argument", 2025-06-27). So a top-level object is complete when the next top-level line starts,
and only one order's children are ever held. A child whose parent is not the object being
assembled means the file is not grouped: ``BulkOutputUngrouped``, rather than records silently
missing children.

Checkpoints: the n-th record yielded (from 0) is top-level object ``skip + n`` of the file. A sync
stores how many it has written and passes that as ``skip`` to resume the same file after a crash.
Close the generator when stopping early (``contextlib.aclosing``) so the download is released.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import httpx

from connectors.base import CustomerRecord, OrderRecord
from connectors.errors import ConnectorError, Permanent, Transient
from connectors.shopify.errors import BulkOutputUngrouped
from connectors.shopify.ids import gid_type
from connectors.shopify.records import parse_customer, parse_order

logger = logging.getLogger(__name__)

PARENT_KEY = "__parentId"
BulkRecord = OrderRecord | CustomerRecord


async def stream_bulk_jsonl(
    http: httpx.AsyncClient, url: str, *, skip: int = 0
) -> AsyncGenerator[BulkRecord, None]:
    """Records of the export at ``url`` (``url`` or ``partialDataUrl``), in file order, skipping the
    first ``skip`` top-level objects. The URL is a signed storage link: no Shopify token is sent."""
    assembler = _Assembler()
    line_number = 0
    try:
        async with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise _download_failure(response.status_code)
            async for line in response.aiter_lines():
                line_number += 1
                if not line.strip():
                    continue
                obj = _parse_line(line, line_number)
                parent_id = obj.get(PARENT_KEY)
                if parent_id is None:
                    done = assembler.start(obj, keep=assembler.started >= skip)
                    if done is not None:
                        yield done
                else:
                    assembler.add_child(obj, str(parent_id))
    except httpx.TransportError as exc:
        raise Transient(f"the bulk result download broke off at line {line_number}") from exc
    last = assembler.finish()
    if last is not None:
        yield last


class _Assembler:
    """The one top-level object being read and the children collected for it so far."""

    def __init__(self) -> None:
        self.started = 0  # top-level objects seen, skipped ones included
        self._current: dict[str, Any] | None = None
        self._keep = False
        self._children: dict[str, list[Mapping[str, Any]]] = {}

    def start(self, obj: dict[str, Any], *, keep: bool) -> BulkRecord | None:
        done = self.finish()
        self.started += 1
        self._current = obj
        self._keep = keep
        return done

    def add_child(self, obj: Mapping[str, Any], parent_id: str) -> None:
        if self._current is None or parent_id != self._current.get("id"):
            raise BulkOutputUngrouped(
                f"a {gid_type(str(obj.get('id', ''))) or 'child'} line belongs to {parent_id}, "
                "which is not the object being read: the bulk output is not grouped"
            )
        if self._keep:
            self._children.setdefault(gid_type(str(obj.get("id", ""))), []).append(obj)

    def finish(self) -> BulkRecord | None:
        current, keep, children = self._current, self._keep, self._children
        self._current, self._keep, self._children = None, False, {}
        if current is None or not keep:
            return None
        return _record(current, children)


def _record(obj: dict[str, Any], children: dict[str, list[Mapping[str, Any]]]) -> BulkRecord:
    kind = gid_type(str(obj.get("id", "")))
    if kind == "Customer":
        return parse_customer(obj)
    if kind == "Order":
        # Put the child lines back where a paginated answer has them, and parse it the same way.
        node = {
            **obj,
            "lineItems": {"nodes": children.pop("LineItem", [])},
            "returns": {"nodes": children.pop("Return", [])},
        }
        if children:
            logger.debug("ignored bulk child lines", extra={"kinds": sorted(children)})
        return parse_order(node)
    raise Permanent(f"the bulk result holds a {kind or 'non-Shopify'} object, not orders or customers")


def _parse_line(line: str, line_number: int) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise Permanent(f"line {line_number} of the bulk result is not JSON") from exc
    if not isinstance(obj, dict):
        raise Permanent(f"line {line_number} of the bulk result is not an object")
    return obj


def _download_failure(status: int) -> ConnectorError:
    if status >= 500:
        return Transient(f"the bulk result download answered {status}", status=status)
    # Signed result links expire after seven days; storage answers 403/404 (or 410) then.
    return Permanent(f"the bulk result link answered {status} (expired or invalid)", status=status)
