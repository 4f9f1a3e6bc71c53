"""The devstore's SQLite schema, versioned with ``PRAGMA user_version``.

Everything a platform owns is keyed by (shop_id, platform id), so two shops can never see or clash
with each other's rows. Money is TEXT (a Decimal's exact digits), times are ISO 8601 UTC text (which
sorts in time order), tags are Shopify's comma-separated string.
"""

from __future__ import annotations

import logging
import sqlite3

logger = logging.getLogger(__name__)

# Bump on any change below: an older file is rebuilt (its content is seeded, so it can be re-made).
# 2: the Shopify emulation's installations, tokens, authorization codes and webhook deliveries
#    replace the shops.app_tokens JSON column.
# 3: the GraphQL Admin API's bulk operations and order notes.
SCHEMA_VERSION = 3

# Children before parents: the order a rebuild drops them in.
TABLES = (
    "shopify_bulk_operations",
    "shopify_order_notes",
    "shopify_webhook_deliveries",
    "shopify_auth_codes",
    "shopify_tokens",
    "shopify_installations",
    "mail",
    "refund_lines",
    "refunds",
    "fulfillment_lines",
    "fulfillments",
    "line_items",
    "orders",
    "products",
    "customers",
    "shops",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS shops (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    domain TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    currency TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- JSON: the seed arguments, so seeding the same shop again is a no-op.
    seeded_with TEXT
);

CREATE TABLE IF NOT EXISTS customers (
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    locale TEXT NOT NULL,
    country TEXT NOT NULL,
    currency TEXT NOT NULL,
    tags TEXT NOT NULL,
    accepts_marketing INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, id),
    UNIQUE (shop_id, email)
);
CREATE INDEX IF NOT EXISTS customers_updated ON customers (shop_id, updated_at);

CREATE TABLE IF NOT EXISTS products (
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    variant_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    variant_title TEXT NOT NULL,
    sku TEXT NOT NULL,
    price TEXT NOT NULL,
    tags TEXT NOT NULL,
    PRIMARY KEY (shop_id, variant_id)
);

CREATE TABLE IF NOT EXISTS orders (
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    customer_id INTEGER,
    email TEXT NOT NULL,
    phone TEXT,
    locale TEXT NOT NULL,
    country TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    total_discounts TEXT NOT NULL,
    total_tax TEXT NOT NULL,
    total_shipping TEXT NOT NULL,
    total_price TEXT NOT NULL,
    total_refunded TEXT NOT NULL,
    financial_status TEXT NOT NULL,
    fulfillment_status TEXT NOT NULL,
    tags TEXT NOT NULL,
    test INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    cancelled_at TEXT,
    cancel_reason TEXT,
    closed_at TEXT,
    PRIMARY KEY (shop_id, id),
    UNIQUE (shop_id, number)
);
CREATE INDEX IF NOT EXISTS orders_updated ON orders (shop_id, updated_at);
CREATE INDEX IF NOT EXISTS orders_customer ON orders (shop_id, customer_id);

CREATE TABLE IF NOT EXISTS line_items (
    shop_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    variant_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    variant_title TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price TEXT NOT NULL,
    total_discount TEXT NOT NULL,
    total_tax TEXT NOT NULL,
    product_tags TEXT NOT NULL,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS line_items_order ON line_items (shop_id, order_id);

CREATE TABLE IF NOT EXISTS fulfillments (
    shop_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    shipment_status TEXT NOT NULL,
    tracking_company TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    tracking_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS fulfillments_order ON fulfillments (shop_id, order_id);

CREATE TABLE IF NOT EXISTS fulfillment_lines (
    shop_id INTEGER NOT NULL,
    fulfillment_id INTEGER NOT NULL,
    line_item_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (shop_id, fulfillment_id, line_item_id),
    FOREIGN KEY (shop_id, fulfillment_id) REFERENCES fulfillments (shop_id, id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS refunds (
    shop_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT NOT NULL,
    shipping TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS refunds_order ON refunds (shop_id, order_id);

CREATE TABLE IF NOT EXISTS refund_lines (
    shop_id INTEGER NOT NULL,
    refund_id INTEGER NOT NULL,
    line_item_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    subtotal TEXT NOT NULL,
    total_tax TEXT NOT NULL,
    restock_type TEXT NOT NULL,
    PRIMARY KEY (shop_id, refund_id, line_item_id),
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds (shop_id, id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS mail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    mail_from TEXT NOT NULL,
    rcpt_to TEXT NOT NULL,  -- JSON list
    subject TEXT NOT NULL,
    date TEXT NOT NULL,
    message_id TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    raw BLOB NOT NULL
);

-- Shopify's side of an app install: which app holds which scopes on which shop.
CREATE TABLE IF NOT EXISTS shopify_installations (
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, client_id)
);

-- Every access token issued (kept after revocation, so a revoked token is refused, not unknown).
-- Tokens are kept in clear: this is a stand-in whose tokens open nothing but itself.
CREATE TABLE IF NOT EXISTS shopify_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    access_mode TEXT NOT NULL,  -- offline | online
    grant_type TEXT NOT NULL,  -- token_exchange | refresh_token | authorization_code
    access_token TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    user_id INTEGER,  -- online tokens: the staff user
    issued_at TEXT NOT NULL,
    expires_at TEXT,  -- NULL: a non-expiring offline token
    first_used_at TEXT,  -- first Admin API call with this token, or first spend of its refresh token
    refresh_token TEXT UNIQUE,
    refresh_expires_at TEXT,
    refresh_spent_at TEXT,  -- first spent: opens the recovery window for a lost answer
    refresh_retired_at TEXT,  -- its replacement pair was used: spending it again is refused
    parent_id INTEGER REFERENCES shopify_tokens(id),  -- the pair whose refresh token made this one
    revoked_at TEXT  -- the app was uninstalled
);
CREATE INDEX IF NOT EXISTS shopify_tokens_shop ON shopify_tokens (shop_id, client_id);

-- Codes handed out by the authorize page (authorization-code grant), each good once.
CREATE TABLE IF NOT EXISTS shopify_auth_codes (
    code TEXT PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    access_mode TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- Every webhook delivery the devstore made or is making, with its last outcome.
CREATE TABLE IF NOT EXISTS shopify_webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    uri TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    triggered_at TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,  -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS shopify_webhook_deliveries_shop ON shopify_webhook_deliveries (shop_id, id);

-- An order's note (edited through the devstore; seeded orders have none).
CREATE TABLE IF NOT EXISTS shopify_order_notes (
    shop_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (shop_id, order_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);

-- bulkOperationRunQuery exports; the JSONL file lies in the devstore's folder under file_key.
CREATE TABLE IF NOT EXISTS shopify_bulk_operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    query TEXT NOT NULL,
    status TEXT NOT NULL,  -- CREATED | RUNNING | COMPLETED | FAILED | CANCELED
    error_code TEXT,
    object_count INTEGER NOT NULL DEFAULT 0,
    root_object_count INTEGER NOT NULL DEFAULT 0,
    file_size INTEGER,
    file_key TEXT NOT NULL UNIQUE,
    partial INTEGER NOT NULL DEFAULT 0,  -- FAILED with a partial file
    created_at TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS shopify_bulk_operations_shop ON shopify_bulk_operations (shop_id, id);
"""


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables, rebuilding a file written by an older schema version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version not in (0, SCHEMA_VERSION):
        logger.warning(
            "devstore schema %s is not %s: rebuilding (seeded data is re-made)", version, SCHEMA_VERSION
        )
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    # WAL lets the web pages read while the mail sink or a seed writes.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
