"""Rendering admin pages: one Jinja2 environment, and the context every page shares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from app.auth.embedded import embedded_session
from app.models import Platform
from app.settings import Settings

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["static_url"] = lambda name: f"/admin/static/{name}"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    rel: str | None = None


# The app's sections, in the order the admin shows them; later pages add themselves here.
NAVIGATION: list[NavItem] = [NavItem("Home", "/", rel="home")]
NAVIGATION += [
    NavItem("Customers", "/customers"),
    NavItem("Orders", "/orders"),
    NavItem("Returns", "/returns"),
    NavItem("Settings", "/settings"),
    NavItem("Audit log", "/audit"),
    NavItem("Data requests", "/data-requests"),
]
NAVIGATION.append(NavItem("Canned replies", "/replies"))
NAVIGATION.append(NavItem("Surveys", "/surveys"))


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    settings: Settings = request.state.settings
    session = embedded_session(request)
    nav = [
        {"label": item.label, "href": item.href, "rel": item.rel, "current": request.url.path == item.href}
        for item in NAVIGATION
    ]
    shared = {
        "api_key": settings.shopify_api_key,
        "app_bridge_url": settings.app_bridge_url,
        "polaris_url": settings.polaris_url,
        "shop": session.shop,
        "staff": session.staff,
        # Inside Shopify's admin the page talks to App Bridge; inside BigCommerce's control panel
        # there is no bridge, and the page stands alone (the one platform question of the admin).
        "in_shopify_admin": session.shop.platform == Platform.SHOPIFY,
        "nav": nav,
        "locale": request.query_params.get("locale", "en")[:8],
    }
    return templates.TemplateResponse(request, template, {**shared, **context}, status_code=status_code)
