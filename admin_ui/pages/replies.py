"""Canned replies (list, editor, live preview, copy/use) and replying to a customer by email.

Every query is scoped by the session's shop: another shop's reply or customer id is a 404. A
successful post answers with ``X-Aftercare-Location`` (admin.js navigates there); a failed one
with its form again and 422, having written nothing.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from admin_ui.templating import render
from app.auth.embedded import EmbeddedSession, embedded_session
from app.models import CannedReply, Customer
from app.queue import enqueue
from app.services.replies.catalog import (
    delete_reply,
    draft_of,
    find_replies,
    folders_of,
    get_reply,
    record_use,
    save_reply,
    translations_of,
    versions_of,
)
from app.services.replies.context import VARIABLES, build_context, load_subject, sample_context
from app.services.replies.forms import ReplyDraft, TranslationDraft, parse_reply_form, split_variables
from app.services.replies.outbound import SEND_REPLY, queue_reply, recent_messages
from app.services.replies.rendering import RenderedReply, Version, pick_version, render_reply

LOCATION_HEADER = "X-Aftercare-Location"
PICKER_CUSTOMERS = 25

logger = logging.getLogger(__name__)


def _done(location: str) -> Response:
    """Where admin.js goes next; the body serves anything that does not run admin.js."""
    body = f'<!doctype html><meta charset="utf-8"><a href="{location}">Continue</a>'
    return HTMLResponse(body, headers={LOCATION_HEADER: location})


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value)
    return None


def _new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _path_id(request: Request, name: str) -> int:
    """Ids in paths are read here (the routes take any text): a malformed one is a 400."""
    value = _int_or_none(request.path_params[name])
    if value is None:
        raise HTTPException(400, f"{name} must be a number.")
    return value


async def _reply_or_404(session: EmbeddedSession, reply_id: int) -> CannedReply:
    reply = await get_reply(session.shop.id, reply_id)
    if reply is None:
        raise HTTPException(404, "No such reply in this store.")
    return reply


async def _customer_or_404(session: EmbeddedSession, customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id, shop_id=session.shop.id, deleted_at=None)
    if customer is None:
        raise HTTPException(404, "No such customer in this store.")
    return customer


async def replies_index(request: Request) -> Response:
    session = embedded_session(request)
    query = request.query_params.get("q", "")[:200]
    folder = request.query_params.get("folder")
    replies = await find_replies(session.shop.id, query, folder)
    return render(
        request,
        "replies/index.html",
        {"replies": replies, "query": query, "folder": folder, "folders": await folders_of(session.shop.id)},
    )


async def _editor(
    request: Request,
    draft: ReplyDraft,
    *,
    reply: CannedReply | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    session = embedded_session(request)
    customers = (
        await Customer.filter(shop_id=session.shop.id, deleted_at=None)
        .order_by("-id")
        .limit(PICKER_CUSTOMERS)
    )
    return render(
        request,
        "replies/edit.html",
        {
            "reply": reply,
            "draft": draft,
            "translations": [*draft.translations, TranslationDraft("", "", "")],
            "errors": errors or {},
            "variables": VARIABLES,
            "customers": customers,
            "folders": await folders_of(session.shop.id),
            "nonce": _new_nonce(),
        },
        status_code=status_code,
    )


async def new_reply(request: Request) -> Response:
    if request.method == "GET":
        return await _editor(request, ReplyDraft(), reply=None)
    return await _save(request, reply=None)


async def edit_reply(request: Request) -> Response:
    session = embedded_session(request)
    reply = await _reply_or_404(session, _path_id(request, "reply_id"))
    if request.method == "GET":
        return await _editor(request, draft_of(reply, await translations_of(reply)), reply=reply)
    return await _save(request, reply=reply)


async def _save(request: Request, *, reply: CannedReply | None) -> Response:
    session = embedded_session(request)
    async with request.form() as form:
        draft, errors = parse_reply_form(form)
    if not errors:
        outcome = await save_reply(session.shop.id, draft, reply.id if reply else None)
        errors = outcome.errors
        if outcome.reply is not None:
            return _done(f"/replies/{outcome.reply.id}?saved=1")
    return await _editor(request, draft, reply=reply, errors=errors, status_code=422)


async def delete_reply_page(request: Request) -> Response:
    session = embedded_session(request)
    reply = await _reply_or_404(session, _path_id(request, "reply_id"))
    await delete_reply(session.shop.id, reply.id)
    return _done("/replies?deleted=1")


async def _render_for(
    session: EmbeddedSession,
    form: FormData,
    version: Version | None = None,
    required: list[str] | None = None,
) -> RenderedReply:
    """Render the submitted (or given) reply for the chosen customer/order, else for sample data."""
    shop_id = session.shop.id
    subject = await load_subject(
        shop_id, _int_or_none(form.get("customer_id")), _int_or_none(form.get("order_id"))
    )
    if subject.customer is None:
        context = sample_context(session.shop, session.staff)
        locale = None
    else:
        context = await build_context(session.shop, session.staff, subject)
        locale = subject.customer.locale or (subject.order.locale if subject.order else None)
    if version is None:
        version = Version(None, str(form.get("subject") or ""), str(form.get("body") or ""))
        translations = []
        for code, subj, body in zip(
            form.getlist("translation_locale"),
            form.getlist("translation_subject"),
            form.getlist("translation_body"),
            strict=False,
        ):
            if isinstance(code, str) and code.strip() and isinstance(body, str) and body.strip():
                translations.append(Version(code.strip(), str(subj), body))
        version = pick_version(version, translations, locale)
        required = split_variables(str(form.get("required_variables") or ""))
    return render_reply(version, context, required or [])


async def preview_reply(request: Request) -> Response:
    """The editor's live preview: the rendered text, or the error with its line (422)."""
    session = embedded_session(request)
    async with request.form() as form:
        result = await _render_for(session, form)
    status = 200 if result.ok else 422
    if "application/json" in request.headers.get("accept", ""):
        payload = {"ok": result.ok, "subject": result.subject, "body": result.body, "error": result.error}
        return JSONResponse(payload, status_code=status)
    return render(request, "replies/_preview.html", {"result": result}, status_code=status)


async def use_reply(request: Request) -> Response:
    """Copy (stays on the page) or use (goes to the customer's reply form): counted, on the timeline."""
    session = embedded_session(request)
    async with request.form() as form:
        reply_id = _int_or_none(form.get("reply_id"))
        customer_id = _int_or_none(form.get("customer_id"))
        order_id = _int_or_none(form.get("order_id"))
        nonce = str(form.get("nonce") or "")[:43] or _new_nonce()
        action = form.get("action")
    reply = await _reply_or_404(session, reply_id) if reply_id is not None else None
    if reply is None:
        raise HTTPException(400, "Choose a reply.")
    if customer_id is not None:
        await _customer_or_404(session, customer_id)
    await record_use(
        session.shop.id, reply, customer_id=customer_id, use_id=nonce, staff_name=session.staff.name
    )
    if action == "copy" or customer_id is None:
        return Response(status_code=204)
    query = f"reply_id={reply.id}" + (f"&order_id={order_id}" if order_id else "")
    return _done(f"/customers/{customer_id}/reply?{query}")


async def compose_reply(request: Request) -> Response:
    """GET: the reply form (optionally started from a canned reply); POST: queue the email."""
    session = embedded_session(request)
    customer = await _customer_or_404(session, _path_id(request, "customer_id"))
    if request.method == "POST":
        return await _send(request, session, customer)
    reply_id = _int_or_none(request.query_params.get("reply_id"))
    order_id = _int_or_none(request.query_params.get("order_id"))
    reply = await get_reply(session.shop.id, reply_id) if reply_id is not None else None
    rendered = None
    if reply is not None:
        default, translations = await versions_of(reply)
        subject = await load_subject(session.shop.id, customer.id, order_id)
        context = await build_context(session.shop, session.staff, subject)
        locale = customer.locale or (subject.order.locale if subject.order else None)
        rendered = render_reply(
            pick_version(default, translations, locale), context, reply.required_variables
        )
    fields = {
        "subject": rendered.subject if rendered and rendered.ok else "",
        "body": rendered.body if rendered and rendered.ok else "",
        "reply_id": reply.id if reply else "",
        "order_id": order_id or "",
    }
    return await _compose_page(request, session, customer, fields, rendered=rendered)


async def _compose_page(
    request: Request,
    session: EmbeddedSession,
    customer: Customer,
    fields: dict[str, Any],
    *,
    rendered: RenderedReply | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "replies/compose.html",
        {
            "customer": customer,
            "fields": fields,
            "rendered": rendered,
            "errors": errors or {},
            "replies": await find_replies(session.shop.id),
            "messages": await recent_messages(session.shop.id, customer.id),
            "nonce": _new_nonce(),
            "sent": request.query_params.get("sent") == "1",
        },
        status_code=status_code,
    )


async def _send(request: Request, session: EmbeddedSession, customer: Customer) -> Response:
    async with request.form() as form:
        subject_text = str(form.get("subject") or "")
        body = str(form.get("body") or "")
        reply_id = _int_or_none(form.get("reply_id"))
        order_id = _int_or_none(form.get("order_id"))
        nonce = str(form.get("nonce") or "")
    fields: dict[str, Any] = {
        "subject": subject_text,
        "body": body,
        "reply_id": reply_id,
        "order_id": order_id,
    }
    if order_id is not None:
        # Only an order of this customer (and shop) is attached to the message.
        subject = await load_subject(session.shop.id, customer.id, order_id)
        order_id = subject.order.id if subject.order and subject.order.id == order_id else None
    queued = await queue_reply(
        session.shop.id,
        customer=customer,
        staff_id=session.staff.id,
        subject=subject_text,
        body=body,
        nonce=nonce,
        reply_id=reply_id,
        order_id=order_id,
    )
    if queued.message is None:
        return await _compose_page(request, session, customer, fields, errors=queued.errors, status_code=422)
    if queued.created:
        # If Redis is down the message stays QUEUED and the requeue cron sends it later.
        try:
            await enqueue(request.state.queue, SEND_REPLY, queued.message.id)
        except Exception as exc:  # the row is the promise; the queue is only a hint
            logger.warning(
                "could not queue a reply (%s)", type(exc).__name__, extra={"shop": session.shop.id}
            )
    return _done(f"/customers/{customer.id}/reply?sent=1")
