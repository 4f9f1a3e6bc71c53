"""Returns: started from an order, reviewed in a queue, moved through their states from their page.

    GET  /returns                         the review queue: requested returns, oldest first
    GET  /orders/{order_id}/return        the form (fulfilled items, what is returnable, the policy)
    POST /orders/{order_id}/return        the return, REQUESTED, then its page
    GET  /returns/{return_id}             one return: items, state, mirror, history, its actions
    POST /returns/{return_id}/approve     REQUESTED -> OPEN
    POST /returns/{return_id}/decline     REQUESTED -> DECLINED (reason + note to the customer)
    POST /returns/{return_id}/receive     OPEN: the items came back
    POST /returns/{return_id}/cancel      REQUESTED or OPEN -> CANCELED
    POST /returns/{return_id}/close       OPEN -> CLOSED

Refunding a return is the refund form, filled in for it (``/orders/{id}/refund?return={id}``).
A step not allowed from the return's state is answered 409 with its page and the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from arq import ArqRedis
from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.clock import utcnow
from app.errors import error_response
from app.models import (
    AuditEvent,
    Order,
    Refund,
    Resolution,
    Return,
    ReturnItem,
    ReturnStatus,
    Shop,
    StaffUser,
)
from app.services.input import InvalidInput, row_id
from app.services.returns.creation import create_return
from app.services.returns.eligibility import Eligibility, order_facts, policy_check
from app.services.returns.form import (
    DECLINE_NOTE_LIMIT,
    DECLINE_REASONS,
    NOTE_LIMIT,
    ReturnForm,
    parse_decline_form,
    parse_return_form,
)
from app.services.returns.lifecycle import (
    approve_return,
    cancel_return,
    close_return,
    decline_return,
    receive_return,
)
from app.services.returns.records import ReturnActionRefused
from app.services.returns.review import review_queue
from app.services.settings import settings_of

LOCATION_HEADER = "X-Aftercare-Location"
Step = Callable[[Shop, StaffUser, int, ArqRedis | None], Awaitable[Return]]


async def review_queue_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        page = await review_queue(session.shop.id, request.query_params.get("after"))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    return render(request, "returns/queue.html", {"page": page})


async def new_return_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        order_id = row_id(request.path_params["order_id"])
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    order = await Order.get_or_none(id=order_id, shop_id=session.shop.id, deleted_at=None)
    if order is None:
        return error_response(request, 404, "No such order in this store.")
    policy = settings_of(session.shop).return_policy
    if request.method != "POST":
        blank = parse_return_form(
            {"reason": policy.reasons[0], "resolution": policy.resolutions[0]}, policy.reasons
        )
        return await _new_form(request, order, blank, Eligibility())
    async with request.form(max_files=0, max_fields=300) as submitted:
        fields = {name: value for name, value in submitted.items() if isinstance(value, str)}
    try:
        created = await create_return(session.shop, session.staff, order.id, fields, request.state.queue)
    except ReturnActionRefused as exc:
        return error_response(request, exc.status, str(exc))
    if created.return_request is None:
        return await _new_form(request, order, created.form, created.eligibility, status_code=422)
    return Response(status_code=204, headers={LOCATION_HEADER: f"/returns/{created.return_request.id}"})


async def return_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        row = await _load(session.shop.id, request)
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    if row is None:
        return error_response(request, 404, "No such return in this store.")
    return await _detail(request, row)


def _step_page(step: Step) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        return await _act(request, step)

    return page


approve_return_page = _step_page(approve_return)
receive_return_page = _step_page(receive_return)
cancel_return_page = _step_page(cancel_return)
close_return_page = _step_page(close_return)


async def decline_return_page(request: Request) -> Response:
    session = embedded_session(request)
    async with request.form(max_files=0, max_fields=20) as submitted:
        fields = {name: value for name, value in submitted.items() if isinstance(value, str)}
    form = parse_decline_form(fields)

    async def decline(shop: Shop, staff: StaffUser, return_id: int, queue: ArqRedis | None) -> Return:
        return await decline_return(shop, staff, return_id, form, queue)

    if form.errors:
        # Found first, so that another shop's id is "not found" whatever the form holds.
        try:
            row = await _load(session.shop.id, request)
        except InvalidInput as exc:
            return error_response(request, 400, str(exc))
        if row is None:
            return error_response(request, 404, "No such return in this store.")
        return await _detail(request, row, errors=form.errors, typed=fields, status_code=422)
    return await _act(request, decline)


async def _act(request: Request, step: Step) -> Response:
    session = embedded_session(request)
    try:
        return_id = row_id(request.path_params["return_id"])
        row = await step(session.shop, session.staff, return_id, request.state.queue)
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    except ReturnActionRefused as exc:
        current = (
            await Return.get_or_none(id=return_id, shop_id=session.shop.id) if exc.status != 404 else None
        )
        if current is None:
            return error_response(request, exc.status, str(exc))
        return await _detail(request, current, problem=str(exc), status_code=exc.status)
    return Response(status_code=204, headers={LOCATION_HEADER: f"/returns/{row.id}"})


async def _load(shop_id: int, request: Request) -> Return | None:
    return await Return.get_or_none(id=row_id(request.path_params["return_id"]), shop_id=shop_id)


async def _detail(
    request: Request,
    row: Return,
    *,
    problem: str | None = None,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shop_id = embedded_session(request).shop.id
    order = await Order.get(id=row.order_id, shop_id=shop_id)  # type: ignore[attr-defined]
    items = await ReturnItem.filter(return_request_id=row.id, shop_id=shop_id).prefetch_related("line_item")
    refunds = await Refund.filter(return_request_id=row.id, shop_id=shop_id).order_by("-created_at", "-id")
    history = await AuditEvent.filter(
        shop_id=shop_id, subject_type="return", subject_id=str(row.id)
    ).order_by("created_at", "id")
    refunding = any(r.status not in ("failed", "canceled") for r in refunds)
    context: dict[str, Any] = {
        "r": row,
        "order": order,
        "items": items,
        "refunds": refunds,
        "history": history,
        "problem": problem,
        "errors": errors or {},
        "typed": typed or {},
        "decline_reasons": DECLINE_REASONS,
        "decline_note_limit": DECLINE_NOTE_LIMIT,
        "can": {
            "approve": row.status == ReturnStatus.REQUESTED,
            "decline": row.status == ReturnStatus.REQUESTED,
            "receive": row.status == ReturnStatus.OPEN and row.item_state == "awaiting",
            "refund": row.status == ReturnStatus.OPEN and not refunding,
            "close": row.status == ReturnStatus.OPEN,
            "cancel": row.status in (ReturnStatus.REQUESTED, ReturnStatus.OPEN)
            and row.item_state == "awaiting"
            and not refunding,
        },
    }
    return render(request, "returns/detail.html", context, status_code=status_code)


async def _new_form(
    request: Request, order: Order, form: ReturnForm, eligibility: Eligibility, status_code: int = 200
) -> Response:
    session = embedded_session(request)
    settings = settings_of(session.shop)
    policy = settings.return_policy
    facts = await order_facts(order)
    now = utcnow()
    rows = []
    for line in facts.lines.values():
        problems, notes = policy_check(
            f"qty.{line.id}", line, facts, policy, settings.surveys.transit_buffer_days, now
        )
        rows.append(
            {
                "line": line,
                "returnable": facts.returnable.get(line.id, 0),
                "policy": [p.message for p in problems],
                "notes": notes,
            }
        )
    context: dict[str, Any] = {
        "order": order,
        "rows": rows,
        "form": form,
        "errors": eligibility.by_field(),
        "eligibility": eligibility,
        "general_problems": [p.message for p in eligibility.blocking if not p.field.startswith("qty.")],
        "item_problems": any(p.field.startswith("qty.") for p in eligibility.blocking),
        "policy": policy,
        "resolutions": [r.value for r in Resolution],
        "note_limit": NOTE_LIMIT,
    }
    return render(request, "returns/new.html", context, status_code=status_code)
