"""The install and session routes (appended to ``app.main.ROUTES``)."""

from __future__ import annotations

from starlette.routing import Route

from app.auth.bounce import session_token_page
from app.auth.oauth import CALLBACK_PATH, begin_install, finish_install

routes = [
    Route("/auth", begin_install, methods=["GET"], name="auth:begin"),
    Route(CALLBACK_PATH, finish_install, methods=["GET"], name="auth:callback"),
    Route("/auth/session-token", session_token_page, methods=["GET"], name="auth:session-token"),
]
