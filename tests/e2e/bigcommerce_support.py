"""Helpers for end-to-end tests on the devstore's BigCommerce store: its control endpoints, the
app's row for it, and admin sessions opened the way the control panel opens them (a signed load).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from app.auth.bigcommerce_session import CSRF_HEADER, CSRF_PARAM, SESSION_HEADER, SESSION_PARAM
from app.settings import load_settings
from tests.e2e.app_db import query
from tests.support.servers import Stack

STORE = "demobc"  # the devstore's BigCommerce demo store (its store hash)


def control_url(stack: Stack) -> str:
    return f"{stack.devstore_url}/_devstore/bigcommerce/{STORE}"


def client_id(stack: Stack) -> str:
    return load_settings(stack.env).bigcommerce_client_id


def store_shop_id(database_url: str) -> int:
    [shop] = query(database_url, "SELECT id FROM shop WHERE platform = 'bigcommerce' AND domain = ?", STORE)
    return int(shop["id"])


def store_counts(stack: Stack, http: httpx.Client) -> tuple[int, int]:
    """The store's orders and customers as the devstore holds them."""
    [shop] = [s for s in http.get(f"{stack.devstore_url}/_devstore/shops").json() if s["domain"] == STORE]
    return int(shop["orders_count"]), int(shop["customers_count"])


def install_store(stack: Stack, http: httpx.Client, database_url: str) -> int:
    """The control panel's Install, its auth callback followed as the iframe would; the shop's id."""
    installed = http.post(f"{control_url(stack)}/install", json={"follow": True})
    assert installed.status_code == 200, installed.text
    assert installed.json()["callback_status"] == 200, stack.log("web")[-3000:]
    return store_shop_id(database_url)


def store_users(stack: Stack, http: httpx.Client) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = http.get(f"{control_url(stack)}/installation").json()["users"]
    return users


def admin_session_headers(stack: Stack, http: httpx.Client, user_id: int | None = None) -> dict[str, str]:
    """A staff member's admin session, started as the control panel starts one (a fresh signed
    load), carried as admin.js carries it when third-party cookies are blocked: the URL token and
    the CSRF token as headers."""
    body = {} if user_id is None else {"user_id": user_id}
    load = http.post(f"{control_url(stack)}/load-url", json=body)
    assert load.status_code == 200, load.text
    entered = http.get(load.json()["url"], follow_redirects=False, headers={"Accept": "text/html"})
    assert entered.status_code == 303, entered.text[-2000:]
    params = parse_qs(urlsplit(entered.headers["location"]).query)
    return {
        SESSION_HEADER: params[SESSION_PARAM][0],
        CSRF_HEADER: params[CSRF_PARAM][0],
        "Accept": "text/html",
    }
