"""Returns on Shopify: the record Shopify keeps beside ours, moved through its lifecycle.

    record = await request_return(client, "1001", [ReturnLineRequest("11", 1, "changed mind", "")])
    record = await approve_return_request(client, record.platform_id)             # REQUESTED -> OPEN
    record = await process_return(client, record.platform_id, [("501", 1)], restock=True)
    record = await close_return(client, record.platform_id)

Fact sheet 6.2 (API 2026-10): Shopify returns only fulfilled units, and addresses them by
fulfillment line item, which our records do not keep: ``request_return`` reads
``returnableFulfillments`` first and spreads each line item's quantity over the fulfillment line
items that can still take it. ``returnProcess`` likewise wants reverse fulfillment order line
items (and a location to restock to), read from the return before processing.

``process_return`` never sends ``financialTransfer``: money leaves the shop only through our own
refund intent and ``refundCreate``, whose key makes it happen once; a refund hidden inside a
return mutation would be a second path that nothing reconciles.

None of these is retried after an ambiguous failure (``retry_ambiguous=False``): a repeated
``returnRequest`` would open a second return. The caller reads the order's returns before
trying again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.base import ReturnItemRecord, ReturnLineRequest, ReturnRecord
from connectors.errors import Permanent, Transient
from connectors.shopify.graphql import ShopifyGraphQL
from connectors.shopify.ids import numeric_id, optional_numeric_id, to_gid
from connectors.shopify.records import Connection
from connectors.values import integer, lower, mapping, text

# Our reason words (the policy's default list) -> Shopify's ReturnReason.
RETURN_REASONS = {
    "damaged/defective": "DEFECTIVE",
    "wrong item": "WRONG_ITEM",
    "changed mind": "UNWANTED",
    "not as described": "NOT_AS_DESCRIBED",
}
# A reason already in Shopify's words (as ``ReturnItemRecord.reason`` holds it) passes through.
SHOPIFY_RETURN_REASONS = frozenset(
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
MAX_DECLINE_NOTE = 500

# Page sizes chosen to keep each read under Shopify's single-query cost limit (1000).
FULFILLMENTS_PER_PAGE = 5
LINES_PER_FULFILLMENT = 50

RETURN_FIELDS = """id name status
  returnLineItems(first: 100) {
    pageInfo { hasNextPage }
    nodes {
      id quantity returnReason returnReasonNote customerNote
      ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id } } }
    }
  }"""
_USER_ERRORS = "userErrors { code field message }"

RETURNABLE_FULFILLMENTS = f"""query ReturnableFulfillments($orderId: ID!, $after: String) {{
  returnableFulfillments(orderId: $orderId, first: {FULFILLMENTS_PER_PAGE}, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id
      returnableFulfillmentLineItems(first: {LINES_PER_FULFILLMENT}) {{
        pageInfo {{ hasNextPage }}
        nodes {{ quantity fulfillmentLineItem {{ id lineItem {{ id }} }} }}
      }}
    }}
  }}
}}"""

RETURN_FOR_PROCESSING = """query ReturnForProcessing($id: ID!) {
  return(id: $id) {
    id status
    returnLineItems(first: 50) {
      nodes { id ... on ReturnLineItem { fulfillmentLineItem { id } } }
    }
    reverseFulfillmentOrders(first: 3) {
      nodes { lineItems(first: 50) { nodes { id fulfillmentLineItem { id } } } }
    }
    order {
      fulfillments(first: 10) { location { id } fulfillmentLineItems(first: 30) { nodes { id } } }
    }
  }
}"""

RETURN_REQUEST = f"""mutation ReturnRequest($input: ReturnRequestInput!) {{
  returnRequest(input: $input) {{ return {{ {RETURN_FIELDS} }} {_USER_ERRORS} }}
}}"""

RETURN_APPROVE_REQUEST = f"""mutation ReturnApproveRequest($input: ReturnApproveRequestInput!) {{
  returnApproveRequest(input: $input) {{ return {{ {RETURN_FIELDS} }} {_USER_ERRORS} }}
}}"""

RETURN_DECLINE_REQUEST = f"""mutation ReturnDeclineRequest($input: ReturnDeclineRequestInput!) {{
  returnDeclineRequest(input: $input) {{ return {{ {RETURN_FIELDS} }} {_USER_ERRORS} }}
}}"""

RETURN_CANCEL = f"""mutation ReturnCancel($id: ID!) {{
  returnCancel(id: $id) {{ return {{ {RETURN_FIELDS} }} {_USER_ERRORS} }}
}}"""

RETURN_CLOSE = f"""mutation ReturnClose($id: ID!) {{
  returnClose(id: $id) {{ return {{ {RETURN_FIELDS} }} {_USER_ERRORS} }}
}}"""

RETURN_PROCESS = f"""mutation ReturnProcess($input: ReturnProcessInput!) {{
  returnProcess(input: $input) {{ return {{ {RETURN_FIELDS} }} {_USER_ERRORS} }}
}}"""


def return_reason(reason: str) -> str:
    """Shopify's ReturnReason for one of our reasons; OTHER for anything it has no word for."""
    key = " ".join(reason.lower().split())
    if key in RETURN_REASONS:
        return RETURN_REASONS[key]
    candidate = key.upper().replace(" ", "_")
    return candidate if candidate in SHOPIFY_RETURN_REASONS else "OTHER"


async def request_return(
    client: ShopifyGraphQL, order_id: str, items: Sequence[ReturnLineRequest]
) -> ReturnRecord:
    """Open a return in REQUESTED. ``Permanent`` (no call made) when a line item has fewer
    returnable units than asked for: not fulfilled yet, or already returned."""
    if not items:
        raise Permanent("a return needs at least one item")
    for item in items:
        if item.quantity <= 0:
            raise Permanent(f"line item {item.line_item_id}: the quantity to return must be positive")
    returnable = await _returnable_units(client, order_id)
    lines = []
    for item in items:
        for fulfillment_line_id, quantity in _allocate(returnable, item):
            lines.append(
                {
                    "fulfillmentLineItemId": to_gid("FulfillmentLineItem", fulfillment_line_id),
                    "quantity": quantity,
                    "returnReason": return_reason(item.reason),
                    "customerNote": item.note,
                }
            )
    variables = {"input": {"orderId": to_gid("Order", order_id), "returnLineItems": lines}}
    return await _mutate_return(client, RETURN_REQUEST, variables, "returnRequest")


async def approve_return_request(client: ShopifyGraphQL, return_id: str) -> ReturnRecord:
    variables = {"input": {"id": to_gid("Return", return_id)}}
    return await _mutate_return(client, RETURN_APPROVE_REQUEST, variables, "returnApproveRequest")


async def decline_return_request(
    client: ShopifyGraphQL, return_id: str, reason: str, note: str | None
) -> ReturnRecord:
    """``reason``: FINAL_SALE, RETURN_PERIOD_ENDED or OTHER; ``note`` at most 500 characters
    (Shopify shows it to the customer)."""
    decline_reason = reason.upper()
    if decline_reason not in DECLINE_REASONS:
        raise Permanent(f"a decline reason must be one of {sorted(DECLINE_REASONS)}, not {reason!r}")
    if note is not None and len(note) > MAX_DECLINE_NOTE:
        raise Permanent(f"a decline note holds at most {MAX_DECLINE_NOTE} characters")
    decline: dict[str, Any] = {"id": to_gid("Return", return_id), "declineReason": decline_reason}
    if note:
        decline["declineNote"] = note
    return await _mutate_return(client, RETURN_DECLINE_REQUEST, {"input": decline}, "returnDeclineRequest")


async def cancel_return(client: ShopifyGraphQL, return_id: str) -> ReturnRecord:
    return await _mutate_return(client, RETURN_CANCEL, {"id": to_gid("Return", return_id)}, "returnCancel")


async def close_return(client: ShopifyGraphQL, return_id: str) -> ReturnRecord:
    return await _mutate_return(client, RETURN_CLOSE, {"id": to_gid("Return", return_id)}, "returnClose")


async def process_return(
    client: ShopifyGraphQL, return_id: str, items: Sequence[tuple[str, int]], *, restock: bool
) -> ReturnRecord:
    """Confirm the units received (``items``: return line item id, quantity) and restock them at
    the location they shipped from, or not. Moves no money (see the module's note)."""
    if not items:
        raise Permanent("processing a return needs at least one item")
    plan = await _processing_plan(client, return_id)
    lines = []
    for return_line_id, quantity in items:
        if quantity <= 0:
            raise Permanent(f"return line item {return_line_id}: the quantity must be positive")
        target = plan.get(numeric_id(return_line_id))
        if target is None:
            raise Permanent(f"return {return_id} has no return line item {return_line_id} to process")
        disposition: dict[str, Any] = {
            "reverseFulfillmentOrderLineItemId": to_gid(
                "ReverseFulfillmentOrderLineItem", target.rfo_line_id
            ),
            "quantity": quantity,
            "dispositionType": "RESTOCKED" if restock else "NOT_RESTOCKED",
        }
        if restock:
            if target.location_id is None:
                raise Permanent(f"return line item {return_line_id}: Shopify names no location to restock to")
            disposition["locationId"] = to_gid("Location", target.location_id)
        lines.append(
            {
                "id": to_gid("ReturnLineItem", return_line_id),
                "quantity": quantity,
                "dispositions": [disposition],
            }
        )
    variables = {
        "input": {"returnId": to_gid("Return", return_id), "returnLineItems": lines, "notifyCustomer": False}
    }
    return await _mutate_return(client, RETURN_PROCESS, variables, "returnProcess")


def parse_return(node: Mapping[str, Any]) -> ReturnRecord:
    gid = node.get("id")
    if not isinstance(gid, str) or not gid:
        raise Permanent("Shopify sent a return without an id")
    return ReturnRecord(
        platform_id=numeric_id(gid),
        name=text(node.get("name")),
        status=text(node.get("status")),
        items=tuple(_parse_return_item(line) for line in Connection(node.get("returnLineItems")).nodes),
    )


def _parse_return_item(node: Mapping[str, Any]) -> ReturnItemRecord:
    line_item = mapping(mapping(node.get("fulfillmentLineItem")).get("lineItem"))
    return ReturnItemRecord(
        platform_id=numeric_id(text(node.get("id"))),
        line_item_id=optional_numeric_id(line_item.get("id")),
        quantity=integer(node.get("quantity")),
        reason=lower(node.get("returnReason")) or "other",
        note=text(node.get("returnReasonNote")) or text(node.get("customerNote")),
    )


async def _mutate_return(
    client: ShopifyGraphQL, document: str, variables: Mapping[str, Any], payload: str
) -> ReturnRecord:
    result = await client.mutate(document, variables, payload=payload, retry_ambiguous=False)
    node = result.get("return")
    if not isinstance(node, Mapping):
        raise Transient(f"{payload} answered without a return or errors")
    return parse_return(node)


@dataclass(slots=True)
class _Returnable:
    line_item_id: str
    fulfillment_line_id: str
    quantity: int


async def _returnable_units(client: ShopifyGraphQL, order_id: str) -> list[_Returnable]:
    found: list[_Returnable] = []
    after: str | None = None
    while True:
        data = await client.query(
            RETURNABLE_FULFILLMENTS, {"orderId": to_gid("Order", order_id), "after": after}
        )
        page = Connection(data.get("returnableFulfillments"))
        if not page.present:
            raise Permanent(f"Shopify has no order {order_id} to return from")
        for fulfillment in page.nodes:
            for line in Connection(fulfillment.get("returnableFulfillmentLineItems")).nodes:
                fulfillment_line = mapping(line.get("fulfillmentLineItem"))
                line_item_id = optional_numeric_id(mapping(fulfillment_line.get("lineItem")).get("id"))
                fulfillment_line_id = optional_numeric_id(fulfillment_line.get("id"))
                if line_item_id and fulfillment_line_id:
                    found.append(
                        _Returnable(line_item_id, fulfillment_line_id, integer(line.get("quantity")))
                    )
        if not page.has_next or page.end_cursor is None:
            return found
        after = page.end_cursor


def _allocate(returnable: list[_Returnable], item: ReturnLineRequest) -> list[tuple[str, int]]:
    """Take ``item.quantity`` units of its line item from the fulfillment lines that still have
    some (a line shipped in two parcels spans two), debiting ``returnable`` so that two requests
    for one line item cannot both count the same units."""
    line_item_id = numeric_id(item.line_item_id)
    candidates = [r for r in returnable if r.line_item_id == line_item_id and r.quantity > 0]
    available = sum(r.quantity for r in candidates)
    if available < item.quantity:
        raise Permanent(
            f"line item {item.line_item_id} is not returnable: {available} of the {item.quantity} units"
            " asked for are fulfilled and not already in a return"
        )
    taken: list[tuple[str, int]] = []
    wanted = item.quantity
    for candidate in candidates:
        quantity = min(wanted, candidate.quantity)
        candidate.quantity -= quantity
        taken.append((candidate.fulfillment_line_id, quantity))
        wanted -= quantity
        if wanted == 0:
            break
    return taken


@dataclass(frozen=True, slots=True)
class _Target:
    rfo_line_id: str
    location_id: str | None


async def _processing_plan(client: ShopifyGraphQL, return_id: str) -> dict[str, _Target]:
    """Return line item id -> the reverse fulfillment order line and restock location for it."""
    data = await client.query(RETURN_FOR_PROCESSING, {"id": to_gid("Return", return_id)})
    node = data.get("return")
    if not isinstance(node, Mapping):
        raise Permanent(f"Shopify has no return {return_id}")
    status = text(node.get("status"))
    if status and status != "OPEN":
        # Shopify opens the reverse fulfillment order only on approval: nothing to dispose before.
        raise Permanent(f"return {return_id} is {status}: only an OPEN return can be processed")
    rfo_lines: dict[str, str] = {}
    for rfo in Connection(node.get("reverseFulfillmentOrders")).nodes:
        for line in Connection(rfo.get("lineItems")).nodes:
            fulfillment_line_id = optional_numeric_id(mapping(line.get("fulfillmentLineItem")).get("id"))
            line_id = optional_numeric_id(line.get("id"))
            if fulfillment_line_id and line_id:
                rfo_lines[fulfillment_line_id] = line_id
    locations: dict[str, str | None] = {}
    fulfillments = mapping(node.get("order")).get("fulfillments")
    for fulfillment in fulfillments if isinstance(fulfillments, list) else []:
        location_id = optional_numeric_id(mapping(mapping(fulfillment).get("location")).get("id"))
        for line in Connection(mapping(fulfillment).get("fulfillmentLineItems")).nodes:
            if fulfillment_line_id := optional_numeric_id(line.get("id")):
                locations[fulfillment_line_id] = location_id
    plan: dict[str, _Target] = {}
    for line in Connection(node.get("returnLineItems")).nodes:
        fulfillment_line_id = optional_numeric_id(mapping(line.get("fulfillmentLineItem")).get("id"))
        return_line_id = optional_numeric_id(line.get("id"))
        if return_line_id and fulfillment_line_id and fulfillment_line_id in rfo_lines:
            plan[return_line_id] = _Target(rfo_lines[fulfillment_line_id], locations.get(fulfillment_line_id))
    return plan
