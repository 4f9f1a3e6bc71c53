"""The install and session routes (appended to ``app.main.ROUTES``)."""

from __future__ import annotations

from starlette.routing import Route

from app.auth import bigcommerce_callbacks
from app.auth.bigcommerce_install import AUTH_PATH as BIGCOMMERCE_AUTH_PATH
from app.auth.bigcommerce_install import install as bigcommerce_install
from app.auth.bounce import session_token_page
from app.auth.oauth import CALLBACK_PATH, begin_install, finish_install

routes = [
    Route("/auth", begin_install, methods=["GET"], name="auth:begin"),
    Route(CALLBACK_PATH, finish_install, methods=["GET"], name="auth:callback"),
    Route("/auth/session-token", session_token_page, methods=["GET"], name="auth:session-token"),
    # BigCommerce's callbacks: the URLs registered in the Developer Portal (a contract).
    Route(BIGCOMMERCE_AUTH_PATH, bigcommerce_install, methods=["GET"], name="bigcommerce:auth"),
    Route("/bigcommerce/load", bigcommerce_callbacks.load, methods=["GET"], name="bigcommerce:load"),
    Route(
        "/bigcommerce/uninstall",
        bigcommerce_callbacks.uninstall,
        methods=["GET"],
        name="bigcommerce:uninstall",
    ),
    Route(
        "/bigcommerce/remove-user",
        bigcommerce_callbacks.remove_user,
        methods=["GET"],
        name="bigcommerce:remove-user",
    ),
]
