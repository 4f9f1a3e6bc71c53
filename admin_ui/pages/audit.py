"""The audit log: every money action, settings change and privacy request of the shop, newest first."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.errors import error_response
from app.models import AuditEvent
from app.services.input import InvalidInput
from app.services.keyset import Cursor, Page, before, take

PAGE_SIZE = 50


async def audit_log(shop_id: int, cursor: Cursor | None, limit: int = PAGE_SIZE) -> Page[AuditEvent]:
    """A page of events on the (shop, created_at) index, keyset on (created_at, id)."""
    at = None
    if cursor is not None:
        try:
            at = datetime.fromisoformat(cursor.key)
        except ValueError as exc:
            raise InvalidInput("The page link is not valid; start from the first page.") from exc
        if at.tzinfo is None:
            raise InvalidInput("The page link is not valid; start from the first page.")
    query = AuditEvent.filter(shop_id=shop_id).filter(before("created_at", cursor, at))
    page: Page[AuditEvent] = await take(
        query.order_by("-created_at", "-id").prefetch_related("staff"),
        limit,
        lambda e: e.created_at.isoformat(),
    )
    return page


async def audit_page(request: Request) -> Response:
    session = embedded_session(request)
    try:
        page = await audit_log(session.shop.id, Cursor.decode(request.query_params.get("before")))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    return render(request, "audit/list.html", {"page": page})
