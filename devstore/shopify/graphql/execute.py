"""Answering one GraphQL request: parse, price, admit through the bucket, resolve, report cost.

The answer has Shopify's shape: ``data`` (or ``errors`` with ``extensions.code``) and
``extensions.cost`` with the requested and actual cost and the bucket's ``throttleStatus``. A
THROTTLED answer has no ``data`` and ``actualQueryCost: null`` (HTTP 200, as Shopify answers).
A query costing more than the bucket can ever hold is refused with MAX_COST_EXCEEDED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devstore.models import Shop
from devstore.shopify.graphql import return_mutations
from devstore.shopify.graphql.bucket import Buckets
from devstore.shopify.graphql.bulk import BulkRunner, bulk_source
from devstore.shopify.graphql.listing import DEFAULT_COUNT_LIMIT, Listing, PageRequest
from devstore.shopify.graphql.objects import refund_source
from devstore.shopify.graphql.parser import Field, GraphQLError, Operation, parse
from devstore.shopify.graphql.refunding import create_refund
from devstore.shopify.graphql.render import MUTATION_COST, Renderer, first_of, requested_cost
from devstore.shopify.graphql.return_store import get_return, load_returns, returnable_quantities
from devstore.shopify.graphql.writes import numeric_id
from devstore.shopify.payloads import gid
from devstore.store import DevStore

THROTTLED_DOCS = "https://shopify.dev/api/usage/rate-limits"


@dataclass(frozen=True)
class Context:
    store: DevStore
    shop: Shop
    buckets: Buckets
    bulk: BulkRunner
    base_url: str  # where the app reached the devstore: bulk result links point there
    # The webhooks the request's mutations make Shopify send, for the caller to deliver.
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _error(message: str, code: str | None = None) -> dict[str, Any]:
    return {"message": message, **({"extensions": {"code": code}} if code else {})}


def execute(ctx: Context, body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON answer to ``body`` (``{"query", "variables", "operationName"}``). Blocking."""
    variables = body.get("variables") or {}
    try:
        if not isinstance(variables, Mapping):
            raise GraphQLError("variables must be a JSON object")
        operation = parse(body.get("query"), variables)  # type: ignore[arg-type]
        root = "Mutation" if operation.kind == "mutation" else "QueryRoot"
        requested = requested_cost(root, operation.fields) + (MUTATION_COST if root == "Mutation" else 0)
    except GraphQLError as exc:
        return {"errors": [_error(str(exc), exc.code)]}
    maximum = ctx.buckets.maximum(ctx.shop.domain)
    if requested > maximum:
        message = f"Query cost is {requested}, which exceeds the single query max cost limit ({maximum:.0f})."
        return {"errors": [_error(message, "MAX_COST_EXCEEDED")], "extensions": _cost(requested, None, None)}
    admitted, status = ctx.buckets.admit(ctx.shop.domain, requested)
    if not admitted:
        error = {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": THROTTLED_DOCS},
        }
        return {"errors": [error], "extensions": _cost(requested, None, status)}
    renderer = Renderer()
    try:
        data = _resolve(ctx, operation, renderer)
    except GraphQLError as exc:
        status = ctx.buckets.refund(ctx.shop.domain, requested)
        return {"errors": [_error(str(exc), exc.code)], "extensions": _cost(requested, 0, status)}
    actual = min(requested, renderer.actual + (MUTATION_COST if operation.kind == "mutation" else 0))
    status = ctx.buckets.refund(ctx.shop.domain, requested - actual)
    return {"data": data, "extensions": _cost(requested, actual, status)}


def _cost(requested: int, actual: int | None, status: Mapping[str, float] | None) -> dict[str, Any]:
    cost: dict[str, Any] = {"requestedQueryCost": requested, "actualQueryCost": actual}
    if status is not None:
        cost["throttleStatus"] = dict(status)
    return {"cost": cost}


def _resolve(ctx: Context, operation: Operation, renderer: Renderer) -> dict[str, Any]:
    listing = Listing(ctx.store, ctx.shop)
    data: dict[str, Any] = {}
    for f in operation.fields:
        if f.name == "__typename":
            data[f.key] = "Mutation" if operation.kind == "mutation" else "QueryRoot"
            continue
        data[f.key] = _root_field(ctx, listing, f, renderer)
    return data


def _object(renderer: Renderer, type_name: str, source: Mapping[str, Any] | None, f: Field) -> Any:
    if source is None:
        return None
    renderer.actual += 1
    return renderer.render(type_name, source, f.selections)


def _root_field(ctx: Context, listing: Listing, f: Field, renderer: Renderer) -> Any:
    name = f.name
    if name in {"orders", "customers"}:
        request = PageRequest.of(dict(f.args), first_of(f, required=True) or 0)
        if name == "orders":
            return renderer.connection("Order", listing.orders_page(request), f)
        return renderer.connection("Customer", listing.customers_page(request), f)
    if name in {"ordersCount", "customersCount"}:
        count = listing.count(name.removesuffix("Count"), f.args.get("query"))
        limit = f.args.get("limit", DEFAULT_COUNT_LIMIT)
        capped = limit is not None and count > limit
        source = {
            "count": min(count, limit) if capped else count,
            "precision": "AT_LEAST" if capped else "EXACT",
        }
        return _object(renderer, "Count", source, f)
    if name == "order":
        order_id = numeric_id(f.args.get("id"), "Order")
        return _object(renderer, "Order", None if order_id is None else listing.order(order_id), f)
    if name == "customer":
        customer_id = numeric_id(f.args.get("id"), "Customer")
        return _object(
            renderer, "Customer", None if customer_id is None else listing.customer(customer_id), f
        )
    if name == "node":
        return _object(renderer, "Node", _node(ctx, listing, f.args.get("id")), f)
    if name == "currentBulkOperation":
        latest = ctx.bulk.latest(ctx.shop)
        current = None if latest is None else bulk_source(latest, ctx.base_url, ctx.shop.domain)
        return _object(renderer, "BulkOperation", current, f)
    if name == "shop":
        shop = ctx.shop
        source = {
            "id": gid("Shop", shop.id),
            "name": shop.name,
            "email": shop.email,
            "myshopifyDomain": shop.domain,
            "currencyCode": shop.currency,
            "ianaTimezone": "UTC",
        }
        return _object(renderer, "Shop", source, f)
    if name == "bulkOperationRunQuery":
        return _object(renderer, "BulkOperationRunQueryPayload", _run_bulk(ctx, f), f)
    if name == "return":
        return _object(renderer, "Return", _return_source(ctx, listing, f.args.get("id")), f)
    if name == "returnableFulfillments":
        return renderer.connection("ReturnableFulfillment", _returnable(ctx, listing, f), f)
    if name == "refundCreate":
        return _object(renderer, "RefundCreatePayload", _refund_create(ctx, listing, f), f)
    if name in return_mutations.MUTATIONS:
        outcome = return_mutations.run(ctx.store, ctx.shop, name, f.args)
        ctx.events.extend(outcome.events)
        found = None if outcome.ret is None else _return_source(ctx, listing, outcome.ret.id)
        return _object(renderer, "ReturnPayload", {"return": found, "userErrors": outcome.user_errors}, f)
    raise GraphQLError(f"Field '{name}' doesn't exist on type 'QueryRoot'", "undefinedField")


def _node(ctx: Context, listing: Listing, node_id: object) -> Mapping[str, Any] | None:
    text = str(node_id or "")
    if (op_id := numeric_id(text, "BulkOperation")) is not None and text.startswith("gid://shopify/Bulk"):
        op = ctx.bulk.get(ctx.shop, op_id)
        return None if op is None else bulk_source(op, ctx.base_url, ctx.shop.domain)
    if text.startswith("gid://shopify/Order/") and (order_id := numeric_id(text, "Order")) is not None:
        return listing.order(order_id)
    if (
        text.startswith("gid://shopify/Customer/")
        and (customer_id := numeric_id(text, "Customer")) is not None
    ):
        return listing.customer(customer_id)
    if text.startswith("gid://shopify/Return/"):
        return _return_source(ctx, listing, text)
    return None


def _return_source(ctx: Context, listing: Listing, return_id: object) -> Mapping[str, Any] | None:
    """A return rendered inside its order's source, so ``order { ... }`` under it works."""
    numeric = numeric_id(return_id, "Return")
    found = None if numeric is None else get_return(ctx.store, ctx.shop.id, numeric)
    order = None if found is None else listing.order(found.order_id)
    if found is None or order is None:
        return None
    return next((r for r in order["returns"] if r["id"] == gid("Return", found.id)), None)


def _returnable(ctx: Context, listing: Listing, f: Field) -> list[dict[str, Any]]:
    """Fulfillments with units that can still be returned, each with those units."""
    order_id = numeric_id(f.args.get("orderId"), "Order")
    order = None if order_id is None else ctx.store.get_order(ctx.shop.domain, order_id)
    source = None if order is None else listing.order(order.id)
    if order is None or source is None:
        raise GraphQLError(f"Order does not exist: {f.args.get('orderId')}", "RESOURCE_NOT_FOUND")
    left = returnable_quantities(order, load_returns(ctx.store, ctx.shop.id, [order.id]).get(order.id, []))
    found = []
    for fulfillment in source["fulfillments"]:
        lines = [
            {
                "quantity": left[numeric_id(item["id"], "FulfillmentLineItem") or 0],
                "fulfillmentLineItem": item,
            }
            for item in fulfillment["fulfillmentLineItems"]
        ]
        lines = [line for line in lines if line["quantity"] > 0]
        if lines:
            found.append(
                {
                    "id": fulfillment["id"].replace("/Fulfillment/", "/ReturnableFulfillment/"),
                    "fulfillment": fulfillment,
                    "returnableFulfillmentLineItems": lines,
                }
            )
    return found


def _refund_create(ctx: Context, listing: Listing, f: Field) -> dict[str, Any]:
    created = create_refund(ctx.store, ctx.shop, f.args.get("input"))
    ctx.events.extend(created.events)
    return {
        "refund": None
        if created.refund is None or created.order is None
        else refund_source(created.order, created.refund),
        "order": None if created.refund is None or created.order is None else listing.order(created.order.id),
        "userErrors": created.user_errors,
    }


def _run_bulk(ctx: Context, f: Field) -> dict[str, Any]:
    text = f.args.get("query")
    try:
        op = ctx.bulk.start(ctx.shop, str(text or ""))
    except GraphQLError as exc:
        return {
            "bulkOperation": None,
            "userErrors": [{"field": ["query"], "message": str(exc), "code": "INVALID"}],
        }
    return {"bulkOperation": bulk_source(op, ctx.base_url, ctx.shop.domain), "userErrors": []}
