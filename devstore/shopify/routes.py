"""Every route of the Shopify emulation, for ``create_devstore_app``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from devstore.shopify import admin, admin_api, app_bridge, authorize, control, delivery_pages, token_endpoint
from devstore.shopify.graphql import routes as graphql

routes: list[BaseRoute] = [
    *app_bridge.routes,
    *token_endpoint.routes,
    *authorize.routes,
    *admin.routes,
    *admin_api.routes,
    *graphql.routes,
    *control.routes,
    *delivery_pages.routes,
]
