"""Home: what needs attention now."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.services.attention import attention_for


async def home(request: Request) -> Response:
    session = embedded_session(request)
    return render(request, "home.html", {"attention": await attention_for(session.shop.id)})
