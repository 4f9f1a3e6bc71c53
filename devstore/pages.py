"""The devstore's own pages: the shops it holds and the outbox of the mail sink."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from devstore.store import DevStore

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

# No external requests, no scripts: the mail shown here is untrusted HTML, and a srcdoc frame
# inherits this policy, so a message cannot load remote images or trackers either.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _store(request: Request) -> DevStore:
    store: DevStore = request.app.state.store
    return store


def render_page(request: Request, name: str, **context: Any) -> Response:
    smtp = request.app.state.smtp_address
    return TEMPLATES.TemplateResponse(request, name, {"smtp": smtp, **context}, headers=SECURITY_HEADERS)


# Plain functions: Starlette runs them in its thread pool, so the sqlite3 calls never block the loop.


def home(request: Request) -> Response:
    store = _store(request)
    return render_page(
        request,
        "home.html",
        nav="shops",
        shops=store.list_shops(),
        mail_count=store.count_mail(),
        app_url=request.app.state.app_url,
    )


def mail_list(request: Request) -> Response:
    return render_page(request, "mail_list.html", nav="mail", messages=_store(request).list_mail())


def mail_detail(request: Request) -> Response:
    message = _store(request).get_mail(request.path_params["mail_id"])
    if message is None:
        raise HTTPException(404, "No such message")
    # Links in the message open in a new tab instead of inside the (sandboxed) frame.
    html_doc = '<base target="_blank">' + message.html
    return render_page(request, "mail_detail.html", nav="mail", message=message, html_doc=html_doc)


def mail_raw(request: Request) -> Response:
    message = _store(request).get_mail(request.path_params["mail_id"])
    if message is None:
        raise HTTPException(404, "No such message")
    return PlainTextResponse(message.raw.decode("utf-8", "replace"), headers=SECURITY_HEADERS)


def mail_clear(request: Request) -> Response:
    _store(request).clear_mail()
    return RedirectResponse("/mail", status_code=303)


routes = [
    Route("/", home, name="home"),
    Route("/mail", mail_list, name="mail_list"),
    Route("/mail/clear", mail_clear, methods=["POST"], name="mail_clear"),
    Route("/mail/{mail_id:int}", mail_detail, name="mail_detail"),
    Route("/mail/{mail_id:int}/raw", mail_raw, name="mail_raw"),
]
