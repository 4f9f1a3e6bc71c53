"""Refunding an order: the form, the platform's quote, the confirmed intent; approving one.

    GET  /orders/{order_id}/refund      the form (items with what is left to refund, shipping, ...);
                                        ?return={id}: filled in for that open return, which the
                                        refund then closes once it succeeded
    POST /orders/{order_id}/refund      action=calculate: the quote (amount, tax, transactions)
                                        action=confirm: the intent, then back to the order
    POST /refunds/{refund_id}/approve   an approver lets a refund above a staff limit go ahead

Confirm asks the platform again rather than trusting amounts the browser sends back: the
amount shown (``quoted_amount``) must still be the platform's, or the new quote is shown instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.errors import error_response
from app.models import LineItem, Order, Return
from app.services.input import InvalidInput, row_id
from app.services.refunds.availability import availability_of
from app.services.refunds.form import NOTE_LIMIT, REASONS, RefundForm, parse_refund_form, valid_nonce
from app.services.refunds.intents import (
    FREQUENT_REFUNDS,
    RefundActionRefused,
    approve_refund,
    confirm_refund,
    recent_refund_count,
)
from app.services.refunds.plan import OrderNotFound, PlanResult, load_order, plan_refund
from app.services.refunds.quote import platform_quoter
from app.services.returns.refund_link import refund_fields_for, refundable_return
from app.services.sync.platform import PlatformAccess
from connectors.base import SuggestedRefund
from connectors.errors import ConnectorError

LOCATION_HEADER = "X-Aftercare-Location"
ACTIONS = ("calculate", "confirm")


async def refund_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        order = await load_order(session.shop.id, row_id(request.path_params["order_id"]))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    except OrderNotFound:
        return error_response(request, 404, "No such order in this store.")
    if request.method != "POST":
        return await _blank_form(request, order)
    async with request.form(max_files=0, max_fields=300) as submitted:
        fields = {name: value for name, value in submitted.items() if isinstance(value, str)}
    try:
        return_request = await _return_of(request, order, fields.get("return_id"))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    except OrderNotFound:
        return error_response(request, 404, "No open return with that id on this order.")
    action = fields.get("action")
    if action not in ACTIONS:
        return error_response(request, 400, "Unknown refund action.")
    planned = await plan_refund(session.shop.id, order.id, fields)
    if planned.plan is None:
        return await _form(request, order, planned.form, planned.errors, status_code=422)
    try:
        quote = await platform_quoter(_access(request).connector_for(session.shop))(planned.plan)
    except ConnectorError as exc:
        return await _form(
            request,
            order,
            planned.form,
            {"order": f"The store could not compute the refund: {exc.message}"},
            502,
        )
    if action == "calculate":
        return await _form(request, order, planned.form, {}, quote=quote, fields=fields)
    return await _confirm(request, order, planned, quote, fields, return_request)


async def _blank_form(request: Request, order: Order) -> Response:
    try:
        return_request = await _return_of(request, order, request.query_params.get("return"))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    except OrderNotFound:
        return error_response(request, 404, "No open return with that id on this order.")
    if return_request is None:
        return await _form(request, order, parse_refund_form({"reason": "other"}), {})
    prefilled = await refund_fields_for(return_request, await availability_of(order))
    return await _form(request, order, parse_refund_form(prefilled), {})


async def _return_of(request: Request, order: Order, text: str | None) -> Return | None:
    """The open return of this order a refund is for (``OrderNotFound`` for anything else)."""
    if not text:
        return None
    found = await refundable_return(embedded_session(request).shop.id, order.id, row_id(text))
    if found is None:
        raise OrderNotFound(order.id)
    return found


async def approve_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        refund = await approve_refund(
            session.shop, session.staff, row_id(request.path_params["refund_id"]), request.state.queue
        )
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    except RefundActionRefused as exc:
        return error_response(request, exc.status, str(exc))
    order_id = refund.order_id  # type: ignore[attr-defined]
    return Response(status_code=204, headers={LOCATION_HEADER: f"/orders/{order_id}"})


async def _confirm(
    request: Request,
    order: Order,
    planned: PlanResult,
    quote: SuggestedRefund,
    fields: Mapping[str, str],
    return_request: Return | None,
) -> Response:
    session = embedded_session(request)
    assert planned.plan is not None
    nonce = fields.get("nonce")
    if not valid_nonce(nonce) or nonce is None:
        return error_response(request, 400, "This form is out of date; calculate the refund again.")
    if _amount(fields.get("quoted_amount")) != quote.amount:
        # What the staff member agreed to is not what the platform says now: show the new quote.
        message = "The amount changed since it was calculated; check it and confirm again."
        return await _form(request, order, planned.form, {"order": message}, 409, quote=quote, fields=fields)
    try:
        confirmed = await confirm_refund(
            session.shop,
            session.staff,
            planned.plan,
            quote,
            nonce,
            request.state.queue,
            return_id=return_request.id if return_request else None,
        )
    except RefundActionRefused as exc:
        return error_response(request, exc.status, str(exc))
    if confirmed.refund is None:
        return await _form(request, order, planned.form, {"order": confirmed.error or "Not refunded."}, 409)
    back = f"/returns/{return_request.id}" if return_request else f"/orders/{order.id}"
    return Response(status_code=204, headers={LOCATION_HEADER: back})


async def _form(
    request: Request,
    order: Order,
    form: RefundForm,
    errors: dict[str, str],
    status_code: int = 200,
    *,
    quote: SuggestedRefund | None = None,
    fields: Mapping[str, str] | None = None,
) -> Response:
    session = embedded_session(request)
    lines = await LineItem.filter(order_id=order.id, shop_id=session.shop.id).order_by("id")
    available = await availability_of(order)
    recent = await recent_refund_count(session.shop.id, order.customer_id)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "order": order,
        "lines": lines,
        "available": available,
        "form": form,
        "errors": errors,
        "reasons": REASONS,
        "note_limit": NOTE_LIMIT,
        "quote": quote,
        # A new nonce for each quote shown: confirming it twice is one refund, a new quote is new.
        "nonce": fields.get("nonce") if fields and valid_nonce(fields.get("nonce")) else uuid.uuid4().hex,
        "recent_refunds": recent,
        "frequent": recent >= FREQUENT_REFUNDS,
        "return_id": _kept_return_id(request, fields),
    }
    return render(request, "refunds/form.html", context, status_code=status_code)


def _kept_return_id(request: Request, fields: Mapping[str, str] | None) -> str | None:
    """The return the form is for, carried from the link to every post of the form (checked)."""
    text = (fields or {}).get("return_id") or request.query_params.get("return")
    return text if text and text.isdigit() else None


def _access(request: Request) -> PlatformAccess:
    return PlatformAccess(request.state.settings, request.state.http, request.state.queue)


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text or "")
    except InvalidOperation:
        return None
