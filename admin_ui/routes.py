"""Every admin URL, each behind the embedded-session middleware (the shop comes from the token)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from admin_ui.pages.home import home
from admin_ui.templating import HERE
from app.auth.embedded import EMBEDDED_ADMIN

routes: list[BaseRoute] = [
    # Shopify loads the app's URL itself (application_url) as the App Home.
    Route("/", home, methods=["GET", "HEAD"], middleware=EMBEDDED_ADMIN, name="admin:home"),
    Mount("/admin/static", StaticFiles(directory=HERE / "static"), name="admin:static"),
]
