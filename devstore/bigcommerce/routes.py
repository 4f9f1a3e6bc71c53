"""Every route of the BigCommerce emulation, for ``create_devstore_app``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from devstore.bigcommerce import control, control_panel, customers, hooks_api, login, orders, payment_actions

routes: list[BaseRoute] = [
    *login.routes,
    *orders.routes,
    *customers.routes,
    *payment_actions.routes,
    *hooks_api.routes,
    *control_panel.routes,
    *control.routes,
]
