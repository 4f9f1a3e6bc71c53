"""The return mutations on the devstore's data, with Shopify's status rules and ReturnUserErrors.

REQUESTED --approve--> OPEN --process (any number of times)--> OPEN --close--> CLOSED
REQUESTED --decline--> DECLINED;  REQUESTED or OPEN, nothing processed yet --cancel--> CANCELED

- ``returnRequest``: only fulfilled units that no live return holds and no refund took
  (``return_store.returnable_quantities``); reasons from Shopify's ReturnReason.
- ``returnDeclineRequest``: FINAL_SALE, RETURN_PERIOD_ENDED or OTHER; a note of at most 500.
- ``returnProcess``: quantities up to what is left unprocessed, each line's dispositions adding
  up to its quantity, RESTOCKED only to the shop's location. ``financialTransfer`` is refused:
  Aftercare moves money only through ``refundCreate`` (its idempotent refund intent), so a
  request carrying one is a bug the tests should see, not a refund the devstore should make.

Each success returns the webhook the mutation makes Shopify send (``returns/<action>``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from devstore.models import Order, Shop
from devstore.shopify import payloads
from devstore.shopify.graphql.return_store import (
    PRIMARY_LOCATION_ID,
    Return,
    ensure_tables,
    fulfillment_line_items,
    get_return,
    load_returns,
    returnable_quantities,
)
from devstore.shopify.graphql.writes import WRITES, enum_text, next_id, now_stamp, numeric_id
from devstore.store import DevStore

RETURN_REASONS = frozenset(
    {
        "COLOR",
        "DEFECTIVE",
        "NOT_AS_DESCRIBED",
        "OTHER",
        "SIZE_TOO_LARGE",
        "SIZE_TOO_SMALL",
        "STYLE",
        "UNKNOWN",
        "UNWANTED",
        "WRONG_ITEM",
    }
)
DECLINE_REASONS = frozenset({"FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER"})
DISPOSITIONS = frozenset({"RESTOCKED", "NOT_RESTOCKED", "PROCESSING_REQUIRED", "MISSING"})
MAX_DECLINE_NOTE = 500
MUTATIONS = (
    "returnRequest",
    "returnApproveRequest",
    "returnDeclineRequest",
    "returnCancel",
    "returnClose",
    "returnProcess",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    ret: Return | None
    user_errors: list[dict[str, Any]]
    events: list[tuple[str, dict[str, Any]]]


class Refused(Exception):
    def __init__(self, field: list[str], message: str, code: str) -> None:
        super().__init__(message)
        self.error = {"field": field, "message": message, "code": code}


def run(store: DevStore, shop: Shop, mutation: str, args: Mapping[str, Any]) -> Outcome:
    """One return mutation (``mutation`` in ``MUTATIONS``); blocking."""
    ensure_tables(store)
    action = _ACTIONS[mutation]
    try:
        with WRITES:
            ret, topic = action(store, shop, args)
    except Refused as refusal:
        return Outcome(None, [refusal.error], [])
    order = store.get_order(shop.domain, ret.order_id)
    assert order is not None
    return Outcome(ret, [], [(topic, payloads.return_payload(order, ret, topic))])


def _input(args: Mapping[str, Any]) -> Mapping[str, Any]:
    value = args.get("input")
    if not isinstance(value, Mapping):
        raise Refused(["input"], "Input is required", "BLANK")
    return value


def _return(store: DevStore, shop: Shop, value: object, field: list[str]) -> Return:
    return_id = numeric_id(value, "Return")
    found = None if return_id is None else get_return(store, shop.id, return_id)
    if found is None:
        raise Refused(field, "Return does not exist", "NOT_FOUND")
    return found


def _need(ret: Return, statuses: set[str], action: str, field: list[str]) -> None:
    if ret.status not in statuses:
        allowed = " or ".join(sorted(statuses))
        raise Refused(
            field,
            f"Return is not {action}. Only returns with status {allowed} can be {action[:-4]}ed.",
            "INVALID_STATE",
        )


def _set_status(store: DevStore, shop: Shop, ret: Return, status: str, **extra: Any) -> Return:
    sets = {"status": status, "updated_at": now_stamp(ret.updated_at), **extra}
    names = ", ".join(f"{name} = ?" for name in sets)
    with store.connect() as conn, conn:
        conn.execute(
            f"UPDATE shopify_returns SET {names} WHERE shop_id = ? AND id = ?",
            [*sets.values(), shop.id, ret.id],
        )
    changed = get_return(store, shop.id, ret.id)
    assert changed is not None
    return changed


def _request(store: DevStore, shop: Shop, args: Mapping[str, Any]) -> tuple[Return, str]:
    given = _input(args)
    order_id = numeric_id(given.get("orderId"), "Order")
    order = None if order_id is None else store.get_order(shop.domain, order_id)
    if order is None:
        raise Refused(["input", "orderId"], "Order does not exist", "NOT_FOUND")
    items = given.get("returnLineItems")
    if not isinstance(items, list) or not items:
        raise Refused(["input", "returnLineItems"], "Return must have at least one line item", "BLANK")
    left = returnable_quantities(order, load_returns(store, shop.id, [order.id]).get(order.id, []))
    line_of = {fli.id: fli.line_item_id for fli in fulfillment_line_items(order)}
    lines: list[tuple[int, int, int, str, str]] = []
    for index, item in enumerate(items):
        where = ["input", "returnLineItems", str(index)]
        item = item if isinstance(item, Mapping) else {}
        fli_id = numeric_id(item.get("fulfillmentLineItemId"), "FulfillmentLineItem")
        if fli_id is None or fli_id not in line_of:
            raise Refused(
                [*where, "fulfillmentLineItemId"], "Fulfillment line item does not exist", "NOT_FOUND"
            )
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise Refused([*where, "quantity"], "Quantity must be greater than 0", "GREATER_THAN")
        if quantity > left[fli_id]:
            raise Refused(
                [*where, "quantity"],
                f"Quantity must be less than or equal to the returnable quantity ({left[fli_id]})",
                "LESS_THAN_OR_EQUAL_TO",
            )
        left[fli_id] -= quantity
        reason = enum_text(item.get("returnReason")) or "UNKNOWN"
        if reason not in RETURN_REASONS:
            raise Refused([*where, "returnReason"], f"Return reason {reason} is not valid", "INCLUSION")
        note = item.get("customerNote")
        lines.append((fli_id, line_of[fli_id], quantity, reason, note if isinstance(note, str) else ""))
    return _insert(store, shop, order, lines), "returns/request"


def _insert(store: DevStore, shop: Shop, order: Order, lines: list[tuple[int, int, int, str, str]]) -> Return:
    stamp = now_stamp(order.created_at)
    with store.connect() as conn, conn:
        return_id = next_id(conn, "shopify_returns")
        count = conn.execute(
            "SELECT count(*) FROM shopify_returns WHERE shop_id = ? AND order_id = ?", (shop.id, order.id)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO shopify_returns (shop_id, id, order_id, name, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'REQUESTED', ?, ?)",
            (shop.id, return_id, order.id, f"{order.name}-R{count + 1}", stamp, stamp),
        )
        first_line = next_id(conn, "shopify_return_lines")
        conn.executemany(
            "INSERT INTO shopify_return_lines (shop_id, id, return_id, fulfillment_line_item_id, line_item_id,"
            " quantity, return_reason, customer_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(shop.id, first_line + n, return_id, *line) for n, line in enumerate(lines)],
        )
    created = get_return(store, shop.id, return_id)
    assert created is not None
    return created


def _approve(store: DevStore, shop: Shop, args: Mapping[str, Any]) -> tuple[Return, str]:
    ret = _return(store, shop, _input(args).get("id"), ["input", "id"])
    _need(ret, {"REQUESTED"}, "approvable", ["input", "id"])
    return _set_status(store, shop, ret, "OPEN"), "returns/approve"


def _decline(store: DevStore, shop: Shop, args: Mapping[str, Any]) -> tuple[Return, str]:
    given = _input(args)
    ret = _return(store, shop, given.get("id"), ["input", "id"])
    _need(ret, {"REQUESTED"}, "declinable", ["input", "id"])
    reason = enum_text(given.get("declineReason"))
    if reason not in DECLINE_REASONS:
        raise Refused(
            ["input", "declineReason"], f"Decline reason {reason or 'blank'} is not valid", "INCLUSION"
        )
    note = given.get("declineNote")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_DECLINE_NOTE):
        raise Refused(
            ["input", "declineNote"], f"Decline note is too long (maximum is {MAX_DECLINE_NOTE})", "TOO_LONG"
        )
    return _set_status(
        store, shop, ret, "DECLINED", decline_reason=reason, decline_note=note
    ), "returns/decline"


def _cancel(store: DevStore, shop: Shop, args: Mapping[str, Any]) -> tuple[Return, str]:
    ret = _return(store, shop, args.get("id"), ["id"])
    _need(ret, {"REQUESTED", "OPEN"}, "cancelable", ["id"])
    if any(line.processed_quantity for line in ret.lines):
        raise Refused(["id"], "Return cannot be canceled once items were processed", "INVALID_STATE")
    return _set_status(store, shop, ret, "CANCELED"), "returns/cancel"


def _close(store: DevStore, shop: Shop, args: Mapping[str, Any]) -> tuple[Return, str]:
    ret = _return(store, shop, args.get("id"), ["id"])
    _need(ret, {"OPEN"}, "closable", ["id"])
    return _set_status(store, shop, ret, "CLOSED"), "returns/close"


def _process(store: DevStore, shop: Shop, args: Mapping[str, Any]) -> tuple[Return, str]:
    given = _input(args)
    if given.get("financialTransfer") is not None:
        raise Refused(
            ["input", "financialTransfer"],
            "The devstore moves no money through returnProcess: refund with refundCreate",
            "INVALID",
        )
    ret = _return(store, shop, given.get("returnId"), ["input", "returnId"])
    _need(ret, {"OPEN"}, "processable", ["input", "returnId"])
    items = given.get("returnLineItems")
    if not isinstance(items, list) or not items:
        raise Refused(["input", "returnLineItems"], "Return line items are required", "BLANK")
    lines = {line.id: line for line in ret.lines}
    processed: dict[int, int] = {}
    for index, item in enumerate(items):
        where = ["input", "returnLineItems", str(index)]
        item = item if isinstance(item, Mapping) else {}
        line = lines.get(numeric_id(item.get("id"), "ReturnLineItem") or 0)
        if line is None:
            raise Refused([*where, "id"], "Return line item does not exist on this return", "NOT_FOUND")
        quantity = item.get("quantity")
        left = line.quantity - line.processed_quantity - processed.get(line.id, 0)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise Refused([*where, "quantity"], "Quantity must be greater than 0", "GREATER_THAN")
        if quantity > left:
            raise Refused(
                [*where, "quantity"],
                f"Quantity must be less than or equal to the unprocessed quantity ({left})",
                "LESS_THAN_OR_EQUAL_TO",
            )
        _check_dispositions(item.get("dispositions"), line.id, quantity, [*where, "dispositions"])
        processed[line.id] = processed.get(line.id, 0) + quantity
    with store.connect() as conn, conn:
        conn.executemany(
            "UPDATE shopify_return_lines SET processed_quantity = processed_quantity + ?"
            " WHERE shop_id = ? AND id = ?",
            [(quantity, shop.id, line_id) for line_id, quantity in processed.items()],
        )
    return _set_status(store, shop, ret, "OPEN"), "returns/process"


def _check_dispositions(value: object, line_id: int, quantity: int, where: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        raise Refused(where, "Dispositions must be a list", "INVALID")
    total = 0
    for index, item in enumerate(value):
        at = [*where, str(index)]
        item = item if isinstance(item, Mapping) else {}
        if (
            numeric_id(item.get("reverseFulfillmentOrderLineItemId"), "ReverseFulfillmentOrderLineItem")
            != line_id
        ):
            raise Refused(
                [*at, "reverseFulfillmentOrderLineItemId"],
                "Reverse fulfillment order line item does not belong to this return line item",
                "NOT_FOUND",
            )
        kind = enum_text(item.get("dispositionType"))
        if kind not in DISPOSITIONS:
            raise Refused(
                [*at, "dispositionType"], f"Disposition type {kind or 'blank'} is not valid", "INCLUSION"
            )
        if kind == "RESTOCKED":
            location = item.get("locationId")
            if location is None:
                raise Refused([*at, "locationId"], "Location is required to restock", "BLANK")
            if numeric_id(location, "Location") != PRIMARY_LOCATION_ID:
                raise Refused([*at, "locationId"], "Location does not exist", "NOT_FOUND")
        count = item.get("quantity")
        total += count if isinstance(count, int) and not isinstance(count, bool) else 0
    if value and total != quantity:
        raise Refused(
            where, f"Disposition quantities ({total}) must add up to the quantity ({quantity})", "INVALID"
        )


_ACTIONS: dict[str, Callable[[DevStore, Shop, Mapping[str, Any]], tuple[Return, str]]] = {
    "returnRequest": _request,
    "returnApproveRequest": _approve,
    "returnDeclineRequest": _decline,
    "returnCancel": _cancel,
    "returnClose": _close,
    "returnProcess": _process,
}
