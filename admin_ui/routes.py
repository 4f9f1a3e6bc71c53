"""Every admin URL, each behind the embedded-session middleware (the shop comes from the token)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from admin_ui.pages.audit import audit_page
from admin_ui.pages.customers import customer_list, customer_page
from admin_ui.pages.data_requests import data_request_download, data_request_list
from admin_ui.pages.home import home
from admin_ui.pages.orders import order_list, order_page
from admin_ui.pages.refunds import approve_page, refund_page
from admin_ui.pages.replies import (
    compose_reply,
    delete_reply_page,
    edit_reply,
    new_reply,
    preview_reply,
    replies_index,
    use_reply,
)
from admin_ui.pages.returns import (
    approve_return_page,
    cancel_return_page,
    close_return_page,
    decline_return_page,
    new_return_page,
    receive_return_page,
    return_page,
    review_queue_page,
)
from admin_ui.pages.settings import save_settings_page, settings_page
from admin_ui.pages.surveys import save_webhook_page, survey_csv, survey_dashboard, webhook_page
from admin_ui.templating import HERE
from app.auth.embedded import EMBEDDED_ADMIN

READ = ("GET", "HEAD")
WRITE = ("POST",)
FORM = ("GET", "POST")


def page(path: str, endpoint: Callable[..., Any], name: str, methods: Sequence[str] = READ) -> Route:
    """An admin route: always behind the embedded session (the shop comes from the token)."""
    return Route(path, endpoint, methods=list(methods), middleware=EMBEDDED_ADMIN, name=f"admin:{name}")


# Ids are read by the pages (not {id:int}): a malformed id is a 400 with a message, not a 404.
routes: list[BaseRoute] = [
    # Shopify loads the app's URL itself (application_url) as the App Home.
    page("/", home, "home"),
    page("/customers", customer_list, "customers"),
    page("/customers/{customer_id}", customer_page, "customer"),
    page("/customers/{customer_id}/reply", compose_reply, "customer-reply", FORM),
    page("/orders", order_list, "orders"),
    page("/orders/{order_id}", order_page, "order"),
    page("/settings", settings_page, "settings"),
    page("/settings", save_settings_page, "settings-save", WRITE),
    page("/audit", audit_page, "audit"),
    page("/data-requests", data_request_list, "data-requests"),
    page("/data-requests/{request_id}.json", data_request_download, "data-request", ("GET",)),
    # Canned replies: the fixed paths before /replies/{reply_id}.
    page("/replies", replies_index, "replies"),
    page("/replies/new", new_reply, "reply-new", FORM),
    page("/replies/preview", preview_reply, "reply-preview", WRITE),
    page("/replies/use", use_reply, "reply-use", WRITE),
    page("/replies/{reply_id}", edit_reply, "reply", FORM),
    page("/replies/{reply_id}/delete", delete_reply_page, "reply-delete", WRITE),
    # Surveys: the dashboard, its CSV (same filters), and the outgoing webhook on each answer.
    page("/surveys", survey_dashboard, "surveys"),
    page("/surveys.csv", survey_csv, "surveys-csv"),
    page("/surveys/webhook", webhook_page, "survey-webhook"),
    page("/surveys/webhook", save_webhook_page, "survey-webhook-save", WRITE),
    # Refunds: the form and its quote/confirm posts, and approval of one above a staff limit.
    page("/orders/{order_id}/refund", refund_page, "order-refund", FORM),
    page("/refunds/{refund_id}/approve", approve_page, "refund-approve", WRITE),
    # Returns: the review queue, the form from an order, one return and each step it can take.
    page("/returns", review_queue_page, "returns"),
    page("/orders/{order_id}/return", new_return_page, "order-return", FORM),
    page("/returns/{return_id}", return_page, "return"),
    page("/returns/{return_id}/approve", approve_return_page, "return-approve", WRITE),
    page("/returns/{return_id}/decline", decline_return_page, "return-decline", WRITE),
    page("/returns/{return_id}/receive", receive_return_page, "return-receive", WRITE),
    page("/returns/{return_id}/cancel", cancel_return_page, "return-cancel", WRITE),
    page("/returns/{return_id}/close", close_return_page, "return-close", WRITE),
    Mount("/admin/static", StaticFiles(directory=HERE / "static"), name="admin:static"),
]
