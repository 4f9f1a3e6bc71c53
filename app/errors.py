"""The one place that maps exceptions to HTTP responses: JSON for API callers, a page for people."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

logger = logging.getLogger(__name__)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_html(request):
        title = HTTPStatus(status).phrase
        body = (
            f"<!doctype html><meta charset=utf-8><title>{title}</title>"
            f"<body style='font-family:system-ui;margin:3rem'><h1>{title}</h1><p>{_escape(detail)}</p>"
        )
        return HTMLResponse(body, status_code=status, headers=headers)
    return JSONResponse({"error": detail}, status_code=status, headers=headers)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, exc.detail, dict(exc.headers or {}))


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "Something went wrong on our side. It has been logged.")


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    Exception: server_error,
}
