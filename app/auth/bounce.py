"""The App Home "bounce" page: how a document load without a valid session token gets one.

The page is tiny: App Bridge (from ``settings.app_bridge_url``, with the ``shopify-api-key`` meta)
and a script that asks it for a fresh ID token and reloads the same URL with ``id_token`` set.
It is what ``shopify_app.app_home_patch_id_token`` returns, served directly at the URL that needed
it (no extra redirect) and also at ``/auth/session-token`` (Shopify's conventional path, taking
``shopify-reload``). A client-side counter stops a reload loop if tokens keep failing.
"""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.auth.csp import HEADER as CSP_HEADER
from app.auth.csp import frame_ancestors
from app.errors import error_response
from app.settings import Settings
from connectors.shopify.shop_domain import sanitize_shop_domain

ID_TOKEN_PARAM = "id_token"  # noqa: S105 - a parameter name

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="shopify-api-key" content="{api_key}">
<script src="{app_bridge_url}"></script>
<title>Aftercare</title>
</head>
<body>
<p id="stuck" hidden>Aftercare could not confirm your session. Reload the page, or open the app again from your store's admin.</p>
<script>
(function () {{
  var reload = {reload};
  var key = "aftercare-bounce", now = Date.now(), recent = [];
  try {{ recent = JSON.parse(sessionStorage.getItem(key) || "[]").filter(function (t) {{ return now - t < 10000; }}); }} catch (e) {{}}
  if (recent.length >= 3 || !window.shopify || !window.shopify.idToken) {{
    document.getElementById("stuck").hidden = false;
    return;
  }}
  recent.push(now);
  try {{ sessionStorage.setItem(key, JSON.stringify(recent)); }} catch (e) {{}}
  window.shopify.idToken().then(function (token) {{
    var target = new URL(reload, window.location.origin);
    if (target.origin !== window.location.origin) {{ return; }}
    target.searchParams.set("id_token", token);
    window.location.replace(target.href);
  }}).catch(function () {{
    // No token to be had (the app was uninstalled, App Bridge failed): say so instead of a blank page.
    document.getElementById("stuck").hidden = false;
  }});
}})();
</script>
</body>
</html>
"""


def bounce_page(settings: Settings, *, reload_path: str, shop: str | None) -> HTMLResponse:
    """The page, framed only by ``shop``'s admin (an unverified but well-formed shop is harmless:
    the page shows nothing of any shop)."""
    body = _PAGE.format(
        api_key=html.escape(settings.shopify_api_key, quote=True),
        app_bridge_url=html.escape(settings.app_bridge_url, quote=True),
        reload=_js_string(reload_path),
    )
    return HTMLResponse(
        body,
        headers={
            CSP_HEADER: frame_ancestors(shop, settings),
            "Cache-Control": "no-store",
            "Link": f'<{settings.app_bridge_url}>; rel="preload"; as="script"',
        },
    )


def reload_path_without_id_token(request: Request) -> str:
    """The request's path and query, minus ``id_token``, keeping the rest exactly as sent."""
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    kept = [part for part in raw_query.split("&") if part and part.split("=", 1)[0] != ID_TOKEN_PARAM]
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = "/" + raw_path.decode("latin-1").lstrip("/")
    return f"{path}?{'&'.join(kept)}" if kept else path


async def session_token_page(request: Request) -> Response:
    """``GET /auth/session-token?shop=…&shopify-reload=/path?…``."""
    settings: Settings = request.state.settings
    shop = sanitize_shop_domain(request.query_params.get("shop"))
    reload_path = request.query_params.get("shopify-reload", "")
    if shop is None:
        return error_response(request, 400, "The shop parameter must be a {name}.myshopify.com domain.")
    if not is_same_origin_path(reload_path):
        return error_response(request, 400, "shopify-reload must be a path on this app.")
    return bounce_page(settings, reload_path=reload_path, shop=shop)


def is_same_origin_path(value: str) -> bool:
    """A path on this origin ("/x"), not a scheme-relative or backslash URL that leaves it (browsers
    drop tabs and newlines from URLs, so "/<TAB>/evil.test" would be "//evil.test")."""
    if not value.startswith("/") or value.startswith("//"):
        return False
    return not any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value)


def _js_string(value: str) -> str:
    # JSON is a JS string literal; escaping <, > and & keeps "</script>" from closing the tag.
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
