"""The BigCommerce emulation's own tables, created idempotently when the emulation starts.

They sit beside the shared schema (``devstore/schema.py``) rather than in it, as Shopify's returns
do, so that the shared schema's version stays the seed data's. Orders, line items and refunds are
the shared tables: a refund made through the API is a row in ``refunds`` like a seeded one, and
``bigcommerce_refunds`` keeps what BigCommerce says about it besides (items as asked, payments).
"""

from __future__ import annotations

from devstore.store import DevStore

TABLES = """
-- Every access token issued; the live one (revoked_at NULL) is the app's install on the store.
CREATE TABLE IF NOT EXISTS bigcommerce_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    access_token TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    user_id INTEGER NOT NULL,  -- who installed (or re-authorized)
    issued_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS bigcommerce_tokens_shop ON bigcommerce_tokens (shop_id, client_id);

-- Codes handed to the auth callback, each good once.
CREATE TABLE IF NOT EXISTS bigcommerce_auth_codes (
    code TEXT PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE IF NOT EXISTS bigcommerce_hooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    destination TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    headers TEXT NOT NULL,  -- JSON object
    created_at INTEGER NOT NULL,  -- UNIX seconds, as the API shows them
    updated_at INTEGER NOT NULL,
    UNIQUE (shop_id, client_id, scope, destination)
);

CREATE TABLE IF NOT EXISTS bigcommerce_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    hook_id INTEGER NOT NULL,
    scope TEXT NOT NULL,
    destination TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,  -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS bigcommerce_deliveries_shop ON bigcommerce_deliveries (shop_id, id);

-- Refunds made through the API (declined ones too, which never reach the shared refunds table).
CREATE TABLE IF NOT EXISTS bigcommerce_refunds (
    shop_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    total_amount TEXT NOT NULL,
    total_tax TEXT NOT NULL,
    items TEXT NOT NULL,  -- JSON: the response's items
    payments TEXT NOT NULL,  -- JSON: the response's payments
    declined INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS bigcommerce_refunds_order ON bigcommerce_refunds (shop_id, order_id);

-- A status set through PUT /v2/orders/{id}; without one, the status follows the order's state.
CREATE TABLE IF NOT EXISTS bigcommerce_order_statuses (
    shop_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    status_id INTEGER NOT NULL,
    PRIMARY KEY (shop_id, order_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);
"""


def ensure_tables(store: DevStore) -> None:
    with store.connect() as conn, conn:
        conn.executescript(TABLES)
