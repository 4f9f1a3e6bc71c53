"""JSON endpoints under ``/_devstore/`` for tests and scripts: what the devstore holds, and its outbox."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devstore.models import MailMessage
from devstore.store import DevStore, ShopSummary


def _store(request: Request) -> DevStore:
    store: DevStore = request.app.state.store
    return store


def shop_json(summary: ShopSummary) -> dict[str, Any]:
    shop = summary.shop
    return {
        "id": shop.id,
        "platform": shop.platform.value,
        "domain": shop.domain,
        "name": shop.name,
        "plan": shop.plan,
        "currency": shop.currency,
        "email": shop.email,
        "created_at": shop.created_at.isoformat(),
        "orders_count": summary.counts.orders,
        "customers_count": summary.counts.customers,
        "products_count": summary.counts.products,
    }


def mail_json(message: MailMessage, *, raw: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message.id,
        "received_at": message.received_at.isoformat(),
        "from": message.mail_from,
        "to": list(message.to),
        "subject": message.subject,
        "date": message.date,
        "message_id": message.message_id,
        "text": message.text,
        "html": message.html,
    }
    if raw:
        data["raw"] = message.raw.decode("utf-8", "replace")
    return data


# Plain functions: Starlette runs them in its thread pool, so the sqlite3 calls never block the loop.


def shops(request: Request) -> JSONResponse:
    return JSONResponse([shop_json(s) for s in _store(request).list_shops()])


def mail(request: Request) -> JSONResponse:
    """GET: the outbox, newest first. DELETE: empty it."""
    store = _store(request)
    if request.method == "DELETE":
        return JSONResponse({"deleted": store.clear_mail()})
    return JSONResponse([mail_json(m) for m in store.list_mail()])


def mail_message(request: Request) -> JSONResponse:
    message = _store(request).get_mail(request.path_params["mail_id"])
    if message is None:
        raise HTTPException(404, "No such message")
    return JSONResponse(mail_json(message, raw=True))


routes = [
    Route("/_devstore/shops", shops, name="control_shops"),
    Route("/_devstore/mail", mail, methods=["GET", "DELETE"], name="control_mail"),
    Route("/_devstore/mail/{mail_id:int}", mail_message, name="control_mail_message"),
]
