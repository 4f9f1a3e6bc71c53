from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "shop" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform" VARCHAR(16) NOT NULL /* SHOPIFY: shopify\nBIGCOMMERCE: bigcommerce */,
    "domain" VARCHAR(255) NOT NULL,
    "platform_id" VARCHAR(64),
    "name" VARCHAR(255) NOT NULL,
    "email" VARCHAR(255) NOT NULL,
    "plan" VARCHAR(64) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "locale" VARCHAR(16) NOT NULL,
    "scopes" TEXT NOT NULL,
    "access_token_encrypted" TEXT,
    "access_token_expires_at" TIMESTAMP,
    "refresh_token_encrypted" TEXT,
    "refresh_token_expires_at" TIMESTAMP,
    "needs_reauth" INT NOT NULL,
    "installed_at" TIMESTAMP,
    "uninstalled_at" TIMESTAMP,
    "is_active" INT NOT NULL,
    "settings" JSON NOT NULL,
    "synced_through" TIMESTAMP,
    CONSTRAINT "uid_shop_platfor_2816ea" UNIQUE ("platform", "domain")
) /* One installed store. Every other row belongs to exactly one shop. */;
CREATE TABLE IF NOT EXISTS "staff_user" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform_user_id" VARCHAR(64) NOT NULL,
    "email" VARCHAR(255) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "locale" VARCHAR(16) NOT NULL,
    "is_owner" INT NOT NULL,
    "can_approve_refunds" INT NOT NULL,
    "refund_limit" VARCHAR(40),
    "removed_at" TIMESTAMP,
    "last_seen_at" TIMESTAMP,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_staff_user_shop_id_bfac89" UNIQUE ("shop_id", "platform_user_id")
) /* A member of the store's staff, as the platform identifies them (session `sub`, BC user id). */;
CREATE TABLE IF NOT EXISTS "customer" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "platform_id" VARCHAR(64) NOT NULL,
    "platform_updated_at" TIMESTAMP,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "email" VARCHAR(255),
    "first_name" VARCHAR(255) NOT NULL,
    "last_name" VARCHAR(255) NOT NULL,
    "name_key" VARCHAR(511) NOT NULL,
    "phone" VARCHAR(64),
    "locale" VARCHAR(16),
    "tags" TEXT NOT NULL,
    "orders_count" INT NOT NULL,
    "total_spent" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "accepts_marketing" INT NOT NULL,
    "unsubscribed_at" TIMESTAMP,
    "last_surveyed_at" TIMESTAMP,
    "redacted_at" TIMESTAMP,
    "deleted_at" TIMESTAMP,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_customer_shop_id_019bd4" UNIQUE ("shop_id", "platform_id")
);
CREATE INDEX IF NOT EXISTS "idx_customer_shop_id_d32b1e" ON "customer" ("shop_id", "email");
CREATE INDEX IF NOT EXISTS "idx_customer_shop_id_b6bb84" ON "customer" ("shop_id", "name_key");
CREATE INDEX IF NOT EXISTS "idx_customer_shop_id_99d620" ON "customer" ("shop_id", "phone");
CREATE TABLE IF NOT EXISTS "order" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "platform_id" VARCHAR(64) NOT NULL,
    "platform_updated_at" TIMESTAMP,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "number" VARCHAR(64) NOT NULL,
    "email" VARCHAR(255),
    "financial_status" VARCHAR(32) NOT NULL,
    "fulfillment_status" VARCHAR(32) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "subtotal" VARCHAR(40) NOT NULL,
    "total_tax" VARCHAR(40) NOT NULL,
    "total_shipping" VARCHAR(40) NOT NULL,
    "total_discounts" VARCHAR(40) NOT NULL,
    "total_price" VARCHAR(40) NOT NULL,
    "total_refunded" VARCHAR(40) NOT NULL,
    "locale" VARCHAR(16),
    "tags" TEXT NOT NULL,
    "test" INT NOT NULL,
    "placed_at" TIMESTAMP NOT NULL,
    "cancelled_at" TIMESTAMP,
    "cancel_reason" VARCHAR(64),
    "closed_at" TIMESTAMP,
    "delivered_at" TIMESTAMP,
    "deleted_at" TIMESTAMP,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE SET NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_order_shop_id_d77b8d" UNIQUE ("shop_id", "platform_id")
);
CREATE INDEX IF NOT EXISTS "idx_order_shop_id_ca15df" ON "order" ("shop_id", "number");
CREATE INDEX IF NOT EXISTS "idx_order_shop_id_7129c3" ON "order" ("shop_id", "placed_at");
CREATE INDEX IF NOT EXISTS "idx_order_shop_id_d88d7c" ON "order" ("shop_id", "platform_updated_at");
CREATE INDEX IF NOT EXISTS "idx_order_custome_3718b6" ON "order" ("customer_id", "placed_at");
CREATE TABLE IF NOT EXISTS "line_item" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "platform_id" VARCHAR(64) NOT NULL,
    "platform_updated_at" TIMESTAMP,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "title" VARCHAR(512) NOT NULL,
    "variant_title" VARCHAR(255) NOT NULL,
    "sku" VARCHAR(255) NOT NULL,
    "product_id" VARCHAR(64),
    "variant_id" VARCHAR(64),
    "product_tags" TEXT NOT NULL,
    "quantity" INT NOT NULL,
    "fulfilled_quantity" INT NOT NULL,
    "refundable_quantity" INT NOT NULL,
    "price" VARCHAR(40) NOT NULL,
    "total_discount" VARCHAR(40) NOT NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_line_item_shop_id_c68ef5" UNIQUE ("shop_id", "platform_id")
);
CREATE INDEX IF NOT EXISTS "idx_line_item_shop_id_4e9499" ON "line_item" ("shop_id", "sku");
CREATE TABLE IF NOT EXISTS "fulfillment" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "platform_id" VARCHAR(64) NOT NULL,
    "platform_updated_at" TIMESTAMP,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "shipment_status" VARCHAR(32),
    "tracking_company" VARCHAR(255),
    "tracking_number" VARCHAR(255),
    "tracking_url" VARCHAR(1024),
    "fulfilled_at" TIMESTAMP,
    "delivered_at" TIMESTAMP,
    "lines" JSON NOT NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_fulfillment_shop_id_3a8409" UNIQUE ("shop_id", "platform_id")
);
CREATE TABLE IF NOT EXISTS "return" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform_id" VARCHAR(64),
    "name" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL /* REQUESTED: REQUESTED\nOPEN: OPEN\nCLOSED: CLOSED\nDECLINED: DECLINED\nCANCELED: CANCELED */,
    "item_state" VARCHAR(16) NOT NULL /* AWAITING: awaiting\nRECEIVED: received */,
    "resolution" VARCHAR(16) NOT NULL /* REFUND: refund\nSTORE_CREDIT: store_credit\nEXCHANGE: exchange */,
    "reason" VARCHAR(64) NOT NULL,
    "note" TEXT NOT NULL,
    "decline_reason" VARCHAR(32),
    "decline_note" VARCHAR(500),
    "restocking_fee_percent" VARCHAR(40) NOT NULL,
    "restocking_fee" VARCHAR(40) NOT NULL,
    "eligibility_override" TEXT,
    "requested_at" TIMESTAMP NOT NULL,
    "opened_at" TIMESTAMP,
    "received_at" TIMESTAMP,
    "closed_at" TIMESTAMP,
    "mirror_state" VARCHAR(16) NOT NULL /* PENDING: pending\nSYNCED: synced\nFAILED: failed\nNOT_APPLICABLE: not_applicable */,
    "mirror_error" TEXT,
    "platform_updated_at" TIMESTAMP,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE SET NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    "requested_by_id" INT REFERENCES "staff_user" ("id") ON DELETE SET NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_return_shop_id_810572" UNIQUE ("shop_id", "platform_id")
);
CREATE INDEX IF NOT EXISTS "idx_return_shop_id_2a4bde" ON "return" ("shop_id", "status", "requested_at");
CREATE TABLE IF NOT EXISTS "refund" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform_id" VARCHAR(64),
    "idempotency_key" VARCHAR(64) UNIQUE,
    "status" VARCHAR(24) NOT NULL /* AWAITING_APPROVAL: awaiting_approval\nQUEUED: queued\nEXECUTING: executing\nSUCCEEDED: succeeded\nFAILED: failed\nCANCELED: canceled */,
    "amount" VARCHAR(40) NOT NULL,
    "shipping_amount" VARCHAR(40) NOT NULL,
    "tax_amount" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "note" TEXT NOT NULL,
    "notify_customer" INT NOT NULL,
    "restock" INT NOT NULL,
    "quote" JSON,
    "attempts" INT NOT NULL,
    "error" TEXT,
    "processed_at" TIMESTAMP,
    "platform_updated_at" TIMESTAMP,
    "approved_by_id" INT REFERENCES "staff_user" ("id") ON DELETE SET NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    "requested_by_id" INT REFERENCES "staff_user" ("id") ON DELETE SET NULL,
    "return_request_id" INT REFERENCES "return" ("id") ON DELETE SET NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_refund_shop_id_286a87" UNIQUE ("shop_id", "platform_id")
) /* A refund: either seen on the platform, or an intent of ours written before any platform call. */;
CREATE INDEX IF NOT EXISTS "idx_refund_shop_id_c501a5" ON "refund" ("shop_id", "status");
CREATE TABLE IF NOT EXISTS "refund_line" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "quantity" INT NOT NULL,
    "restock_type" VARCHAR(16) NOT NULL,
    "amount" VARCHAR(40) NOT NULL,
    "line_item_id" INT NOT NULL REFERENCES "line_item" ("id") ON DELETE CASCADE,
    "refund_id" INT NOT NULL REFERENCES "refund" ("id") ON DELETE CASCADE,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "return_item" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform_id" VARCHAR(64),
    "quantity" INT NOT NULL,
    "reason" VARCHAR(64) NOT NULL,
    "note" TEXT NOT NULL,
    "line_item_id" INT NOT NULL REFERENCES "line_item" ("id") ON DELETE CASCADE,
    "return_request_id" INT NOT NULL REFERENCES "return" ("id") ON DELETE CASCADE,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "canned_reply" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "short_code" VARCHAR(64) NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "folder" VARCHAR(128) NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "body" TEXT NOT NULL,
    "required_variables" JSON NOT NULL,
    "usage_count" INT NOT NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_canned_repl_shop_id_c86a12" UNIQUE ("shop_id", "short_code")
) /* A merchant-authored template, rendered only in Jinja2's immutable sandbox. */;
CREATE INDEX IF NOT EXISTS "idx_canned_repl_shop_id_6f3119" ON "canned_reply" ("shop_id", "folder");
CREATE TABLE IF NOT EXISTS "canned_reply_translation" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "locale" VARCHAR(16) NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "body" TEXT NOT NULL,
    "reply_id" INT NOT NULL REFERENCES "canned_reply" ("id") ON DELETE CASCADE,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_canned_repl_reply_i_e37f23" UNIQUE ("reply_id", "locale")
) /* The same reply in another locale, picked by the customer's locale. */;
CREATE TABLE IF NOT EXISTS "outbound_message" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "idempotency_key" VARCHAR(64) NOT NULL UNIQUE,
    "to_email" VARCHAR(255) NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "body_text" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* QUEUED: queued\nSENT: sent\nFAILED: failed */,
    "message_id" VARCHAR(255),
    "error" TEXT,
    "sent_at" TIMESTAMP,
    "canned_reply_id" INT REFERENCES "canned_reply" ("id") ON DELETE SET NULL,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE SET NULL,
    "order_id" INT REFERENCES "order" ("id") ON DELETE SET NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    "staff_id" INT REFERENCES "staff_user" ("id") ON DELETE SET NULL
) /* An email from staff to a customer; the idempotency key keeps a retried job from sending twice. */;
CREATE TABLE IF NOT EXISTS "survey" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(8) NOT NULL /* CSAT: csat\nNPS: nps\nCES: ces */,
    "trigger" VARCHAR(16) NOT NULL /* DELIVERY: delivery\nRESOLUTION: resolution */,
    "subject_key" VARCHAR(64) NOT NULL,
    "resolution_type" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL /* SCHEDULED: scheduled\nSUPPRESSED: suppressed\nSENDING: sending\nSENT: sent\nANSWERED: answered\nEXPIRED: expired\nCANCELED: canceled */,
    "decision" VARCHAR(255) NOT NULL,
    "token" VARCHAR(64) NOT NULL UNIQUE,
    "email" VARCHAR(255),
    "locale" VARCHAR(16) NOT NULL,
    "due_at" TIMESTAMP NOT NULL,
    "sent_at" TIMESTAMP,
    "reminder_due_at" TIMESTAMP,
    "reminder_sent_at" TIMESTAMP,
    "expires_at" TIMESTAMP,
    "answered_at" TIMESTAMP,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE SET NULL,
    "order_id" INT REFERENCES "order" ("id") ON DELETE SET NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_survey_shop_id_5a0cfc" UNIQUE ("shop_id", "subject_key")
);
CREATE INDEX IF NOT EXISTS "idx_survey_status_dbf99e" ON "survey" ("status", "due_at");
CREATE INDEX IF NOT EXISTS "idx_survey_shop_id_0c8870" ON "survey" ("shop_id", "status", "answered_at");
CREATE INDEX IF NOT EXISTS "idx_survey_custome_d4c55d" ON "survey" ("customer_id", "sent_at");
CREATE TABLE IF NOT EXISTS "survey_response" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "score" SMALLINT NOT NULL,
    "comment" TEXT NOT NULL,
    "follow_up_reason" VARCHAR(64),
    "answered_at" TIMESTAMP NOT NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    "survey_id" INT NOT NULL UNIQUE REFERENCES "survey" ("id") ON DELETE CASCADE
) /* The answer to one survey; the last answer before expiry wins. */;
CREATE INDEX IF NOT EXISTS "idx_survey_resp_shop_id_74e889" ON "survey_response" ("shop_id", "answered_at");
CREATE TABLE IF NOT EXISTS "webhook_event" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform" VARCHAR(16) NOT NULL /* SHOPIFY: shopify\nBIGCOMMERCE: bigcommerce */,
    "topic" VARCHAR(128) NOT NULL,
    "dedupe_key" VARCHAR(128) NOT NULL,
    "webhook_id" VARCHAR(128),
    "triggered_at" TIMESTAMP,
    "received_at" TIMESTAMP NOT NULL,
    "payload" JSON NOT NULL,
    "status" VARCHAR(16) NOT NULL /* RECEIVED: received\nPROCESSED: processed\nFAILED: failed\nIGNORED: ignored */,
    "attempts" INT NOT NULL,
    "error" TEXT,
    "processed_at" TIMESTAMP,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_webhook_eve_shop_id_f12766" UNIQUE ("shop_id", "dedupe_key")
) /* A verified delivery, recorded before the 200 so that a crash after it loses nothing. */;
CREATE INDEX IF NOT EXISTS "idx_webhook_eve_status_930ac2" ON "webhook_event" ("status", "received_at");
CREATE TABLE IF NOT EXISTS "audit_event" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "subject_type" VARCHAR(32) NOT NULL,
    "subject_id" VARCHAR(64) NOT NULL,
    "data" JSON NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "shop_id" INT REFERENCES "shop" ("id") ON DELETE CASCADE,
    "staff_id" INT REFERENCES "staff_user" ("id") ON DELETE SET NULL
) /* Who did what, when: every money action, settings change and privacy request. */;
CREATE INDEX IF NOT EXISTS "idx_audit_event_shop_id_babba7" ON "audit_event" ("shop_id", "created_at");
CREATE TABLE IF NOT EXISTS "sync_run" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(16) NOT NULL /* BACKFILL: backfill\nRECONCILE: reconcile */,
    "resource" VARCHAR(32) NOT NULL,
    "method" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: pending\nRUNNING: running\nSUCCEEDED: succeeded\nFAILED: failed */,
    "bulk_operation_id" VARCHAR(128),
    "cursor" TEXT,
    "done" INT NOT NULL,
    "total" INT,
    "started_at" TIMESTAMP,
    "finished_at" TIMESTAMP,
    "error" TEXT,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE
) /* Progress and checkpoint of one sync: a restarted worker resumes from ``cursor``. */;
CREATE INDEX IF NOT EXISTS "idx_sync_run_shop_id_0e9e7a" ON "sync_run" ("shop_id", "kind", "status");
CREATE TABLE IF NOT EXISTS "timeline_entry" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "subject_type" VARCHAR(32) NOT NULL,
    "subject_id" VARCHAR(64) NOT NULL,
    "summary" VARCHAR(512) NOT NULL,
    "data" JSON NOT NULL,
    "occurred_at" TIMESTAMP NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "order_id" INT REFERENCES "order" ("id") ON DELETE SET NULL,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_timeline_en_shop_id_f2e604" UNIQUE ("shop_id", "kind", "subject_type", "subject_id")
) /* One line of a customer's story — order, fulfillment, return, refund, survey, reply. */;
CREATE INDEX IF NOT EXISTS "idx_timeline_en_custome_8f2ad3" ON "timeline_entry" ("customer_id", "occurred_at");
CREATE TABLE IF NOT EXISTS "data_request" (
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "platform_request_id" VARCHAR(64),
    "customer_platform_id" VARCHAR(64),
    "customer_email" VARCHAR(255),
    "status" VARCHAR(16) NOT NULL /* PENDING: pending\nREADY: ready */,
    "export" JSON,
    "completed_at" TIMESTAMP,
    "shop_id" INT NOT NULL REFERENCES "shop" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_data_reques_shop_id_8e5ed7" UNIQUE ("shop_id", "platform_request_id")
) /* A GDPR data request: the export of what we hold on one customer, for the merchant. */;
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXW1zo0a2/itd+pJJlXbK43nJXN9UqjQykzjxWF7LziS72mIQtCzW0CjQ2KO7O//9dv"
    "MmXhoESEKAz4dkbOjT4OdA0/2c55z+z8C0NGw4L6dLazU4Q/8ZEMXE7IfE8SEaKKvV5ig/"
    "QJW54TV0whZzh9qKStmxhWI4mB3SsKPa+orqFuEtJwQjnThUMQysIYdaNn6JpEdsr5FFl9"
    "hGtvWE5tiwyL2DqIXwV9adwU4yO36Vl/wymqWy6+jkfm89ukT/y8Uyte4xt2H9/vOfg5Wh"
    "0IVlm/4lTUUng3/9i/2sEw1/xQ5vxH9dPcgLHRtaAjpd41becZmuV96xC0I/eg15f3NZtQ"
    "zXJJvGqzVdWiRqrRPKj95jgm2FYt49tV0OKXENI0A+RNm//00T/xZjNhpeKK7BHcOt/RvY"
    "HBvI8tXkVp5Kt7I8yDgttIihHhxSLcIdzm7V8f76e34Lfzt99eaHN+9fv3vznjXxbjM68s"
    "M3/9IbYHxDD56r28E377xCFb+Fh/EGVNXGHAlZoVlwz9kZqptYjHDSMoW0Fpi+DH9I4x6i"
    "XAR8eGCD/OYNaAJ69gdqE2KsA5cX4Hx78Uma3o4+XfPLmY7zl+HhN7qV+JlT7+g6dfTFu+"
    "/5cYu93P4bH3WCPl/c/oL4r+gfkyvJg9dy6L3tXXHT7vYfA35PikstmVhPsqLFns7waIga"
    "a7nxurvSano9aQleb4vXQ4xibg/ufuP1+OCb9Pl4qdgScU3P5xd85Ccqzvg+bp/yPEOwPb"
    "4eTH+ZXF98/PPM+xjpi/WMfLj4eTz59Em6GUtnaK7fq5ZpYjv4G7c/E6byVTYwuadL9uur"
    "dwXPxO+jm/Evo5sXr9J+vgrOnHqnviUcE3wJhW4Rv4YbizY7ovxLlwD49O3bEgizVrkQe+"
    "e+CR9+WTSNyAc6ZVYL7WBEbifY796UwPrdm1yo+akk0t6/FSAO2zf3JA8G3X2OMXvxjSrw"
    "RgaAb8lxotJIHLbvHbr7HxhU17YxUddV4I3bNAjx3fS8GZRflwD5dS7Gr9MQ80n3/7FleB"
    "WI4zZNQnw77uqDbFiqYlTCeGPRIMKYNAPw/ifEjmrxPjIA3+KvOXzPxqIHA3HRmlP64zax"
    "3AxhfPFp9Mf3iSXn5eTq57B5DPbx5eRDCm5FVbHjyNR6wERmo629XnGkKsCf30MfZszH9c"
    "fXlW5jpwZXU9DNHoibDvmo3TxNlp6z8YL1ttzlhSzoAt7I6m9kCs7ar2RRP/BOtvmdJBhr"
    "jmxj1miZ9foHyzKwQnIIjpRpytFzZnuoKUp0pFnvfphMLhOO/XCRfsnuPn2Q2KzQ8yhrpF"
    "M/nhcErGJRvzAOWeNtS9vCG9bmN4xhuoOvs9bg7TZ7W2efPZXqj4JldOFgmrBrcCQNg/6d"
    "HUgdTCm7C8Gq+tfp5CpnVR2zSb9OukrRf5GhOxlNxd7W1z8uXKJyNNHc1Q12J85Lftmfjr"
    "Du5hgVzyrTE8jUO8M7SM8qnTVR2XBFl7bl3gtmFcUjXtYaRry2jXhczLR4iClv+IG5oj48"
    "KbYmJ87EHguqLBaCYTEw+/jbDTYUD8msz0N9Ge/izsFdDAZ/Cx/08OhAoGVQXYdaJrYFw1"
    "kVnMZBN32FybK1nTGa8D76CpChEyyzb6a5I0iXrJ8L1k1fcVq4xkI3DBNzo52Q+rjpqa9g"
    "2ZhNXLQdcbrxOuk3RDJ//faCE3//+osVdW2yM0y8k35DtI+B3Mepz0O5qhDC1g02Xhn6ri"
    "/f2OvrhnW1fgZwrWXWjDg+KPtD7nbTaV9BNLHjKPe7Pm0Tl84tNth/8nvrK1iOaz/i9Y5Y"
    "Tb1O+g0ReymdFWu363PlY3UTdNZXzJ7wfGlZDzJ+3H0S/9nvS3rs8SxecTWd7gWtEe+pLF"
    "btZOC2vI5rosq2u+s3ccq6uXF7+xHkFKyhi8SZVUC6DXqRCLV7O757+Yo2Zjfs7PrynbOu"
    "bvye+oQWJ5KtUyuPWs6eMk/N9BGFsFmUFlybXynDHotSl+PUckH+Mm8mu2G7rVnMI2Ric4"
    "5tZC0QXWI/6/g7B3n9DJHieEfDdByka2w01dnf4x030Qs2CXB4pOiL486/DNGHMeLXZu2+"
    "z+Y3H/hawsznMJ87SijiJjyrCPKfIf+5lUNPRzNhIf/5OXpdEIHNzX+Oht6M70vkgcZse5"
    "h6u/9cGchXPGy+ImTbHhJdyPQ6cKaX7sjWE/EXCdVUgJEZyKkrqABVhchs0WZbj1jOD1MX"
    "QZ/TA3ihghei6Lepi2agWNVNxcjNIEmYpqegvu3LoI/O8o0iB5xL44tPo8sXr94P36QgDs"
    "eeNyfpAcbGJntS60z1k5agrWzPzD67oDMUh8oOxqSGn9O24Ok2e5rzaMK1Wy4VFrPYzod1"
    "YcW2B0oso0tOApxF96NlY/2e/IbXmRphObGcoJuOgZvHt7PDtvIUsbLxh4r97ewvxv6HaD"
    "yajkfn0uBbGaF3MH0Kp1OCh/oggsF2jk6lJJVhTAiw2q4X3B9WJZWDXcTqWMKkLmIFgohC"
    "qA4ZkY3yVAQB2XgOS348Vo232haNzQejXGxTENbctPIJXnZ6c4j/RfIDXiePrpa8KtW/IC"
    "AKAdFWvPkdDY1BQPQ5er1SQLT5mrit8/KBw6Cb+HHtNy2nC6Cr2vOGZQfWhsPfLfNkAxHa"
    "hW47VK4aBU9aQSy8VCxcqQF0wghwLqvo8BZDFWCO2/QO5bevXpVAmbXKRdk7l/ogLyuWSY"
    "4M+jcw96BCcqvx3b9shiqiQk755UDD9j0YG4pmh4co/emXUGFYukQwZc/lm9JmzYUeTw71"
    "TO+FeYo9wxZVDNlZYRGuhRqYlOXOEph6D/jJEZ7wWhIY2HchOyTved8FXmp7RR3ZVOwHzE"
    "vmCeIjRaI6oT1I6ipI6lziuHN+f/Oa5UMz5kCstJlY8VVbXuJ+LYeL7MHjbfa4jTVFrUed"
    "pkzBz232sy+mquPmpCV4uc1eBh0n6Dj7ouNssspqO4ekNhUw7CJCIENsa3m0LiIEhYYKoT"
    "qkUNMfxgUqzWh8z5doWlGTo+ozictr46SkmIai+hPr9OGMJMVrEFebxmxByglSzlaMDR0V"
    "9YGU8zl6HaScrdI2gJTzeTJWwbyowtu1sYAXq32lolr2qjSilSUKUXWunaAKdQVL6CLFbN"
    "a2QWHAChMtCIs3IA44LaMOOM2XB5xmkN9selMHe6F1g+i7JLgFrHXVAyCCEaC8XxGM4849"
    "ZZZgNlSk5oqbgZQrjn1WyuUr36jytSLGCTsAuQzIzlJfrYRKrjLaxJgxwF0Gbk13PK2s4M"
    "NYAu+ENQBeBvCVrauCCEEJsCNLALoM0H7pGlEVlhJYx40B7mK4IekEkk6af1QPknRCg91K"
    "KkjIQxNQjVdQjW9ik9nBeRuDq/Y5VNIn4lblCjfOXdSJhKZsgaJvv6fZpElxfGVLaaYnbd"
    "i/+cD++XrVsJx6L1XcEN6oNr9RGjb0R2zXleMnbMHTLfc0pF303suhMK9a6kXKqlb6Rcuc"
    "uu9sdshngXyWLuSziAaDPcAaL0LbrYGgLLKpMTCBLrsHdHV3eVkuXYiL6mWdYnPHHIZL1s"
    "8F66ZHj3OeaGJHpD5ueuorWPmbOR2iLH5HIWoyDa2TEEEeGuSh7Q+h4+ShdQWpQ6ahRVMD"
    "QSZafNqQn4wWTVK8ZkdNSHMeXEgdg9SxlrzPHU0igtSx5+h1AScIqWOQOtaheVMH37DswE"
    "p1Wk2YFhn08LV6+6pMcgdrVVDOO5Pe8ajYukKoXBnpjGEP1GoNpJLxOXkFlIPmgG0ZbFe2"
    "pbkqrfo9TliBfmX71zh89avhnLQCnEvMeoIns6p+OG3Xg9GjaR3xXy57VHUqyHrMpUjiJh"
    "CXFkT6o1RYuQa6YmPYHCANsh/O4n9pHZRzrAHmjP69RhIYpH8N6yQ2VkQ5awxwF8Ptlc+r"
    "JsGKm8C3DlRtoGprR2x0uIuqLSqjuSOmZSsydxXU+OBXv/a1P9WSebh4L+Kjy0Av0BPQBQ"
    "KkfUj/fBVS38R/h1RExCWAAlFESiGYr4tYpBoeQRkBUgiQQrTiRe5oUBykEM/R6yCFaFdQ"
    "AKQQz1IKUb365VEqXjquqmLHaSaKvP9ql7z+XM1iowLT/gU59484XwU8sBtgSJorhVSqMy"
    "qy7R/mB9FKRNBVr84tMAXQq4Hu2pXqdaft+gf3q5PTMjMl3iy/8Jp3Mi/mXH2alLaF+VGb"
    "50dQcOW5eDqHMv91OrkSuzcySPtVVyn6LzJ052ABtsGPC5eo3Fto7uoG1Ynzkl/vpyMEhz"
    "lACR9nhFJpTVTKebyDtFAKgscQPG4nohA8huBx+0DdJXh8yDBfUMFCEOHb1LbID+7Zmzbb"
    "4nqDEfJbnyGs8/gdcjAmiH0g2S8opCaHyLKRQhADEhOKrAWyXNtBT7ZO2QE0x6wRZg3WkQ"
    "VSFcN4OUg567BXm5EZuWX96Bo2VxblW56gB7xGOrNdKhSZygN2kGkRdsy0HjG7rorPkE55"
    "C//JHUZX0f17chj6M8IwJI7iTxwUxzvh39yQ3YbG/gh2my/YTZsKVZdY+57/RZhNYddIYZ"
    "2ZK+ohsY8ccp/MgjRyiJ22Y6DtaBQNYqfP0estj522jKQ4dOg09pmWH3ClSIPAdC+IH/cr"
    "dmC8i2JoEnHNzJKgJeFLHOwbUwHzwejz6OL24upneXR9fTP5fXR5hpQnRaectWfzZtt6VI"
    "wZ+fuddCednyF2Ry7WZkT6QxrfcTM2Pf2KVZc3n5Hp3XgsSee8YXQ/M/JxdHHJDy0U3eC/"
    "j0dXY8k74hdhD+65apyjjNcLSPcs5a6YNbI2NkaQrRFHPputEe6QJtfCWWANgBcDTtnrUg"
    "vrpCHAXAwz7DOaHZz3vM9o9e09dtzXox68lsdVNAPw3uUshE0Sswjn5+qH7SFHv3KOPoNO"
    "X6zl/GLchdt+CaxhB7AKO4CxBTC11IeKqMesAO0KaP/lCseV/Jh3ZLBTzLtlBEHTwe2ASx"
    "csYXMZ7rgJlE1IP8bYti3BQJ3/eYwM+sBvNf2BXNkW12LXyxFI2YIkqj0UcjZyAEkhz9Pv"
    "PrPInDVfVxMMZQ1hb6rs5wrEbYcoUMX+LIfWeGYFlvDQigD2iiUEaFWFWGALIINE8zCIgk"
    "QTJJrtA3W7RDN/uN0DvKU3ymrZEFsWXuE3JmdXwLyJwz5GBqosFndOn3deFEyYSuAcWxoA"
    "zGVgzq6ldtzjEuqBNVzjKoZYrgA+xHObCF4ON27bb4UrKGUFcuw2vq8dFeaCHPs5er2MHB"
    "sq/x+CkvKi/j4qGVyL5EdJuwZFMsSSY1qFBgpgvCtT/iL9XsSKX7wDHW6jesVon9dqNGDa"
    "DMaL3E0sqlLXMRtAFThr4KzbsXIf7sJZbxLLd2ZVw456Cmti/NsObGKb8h2xjW+M3lN005"
    "/tdpVu8AIGQuYqDCUUsVZRm+NuVh+l+21oa7Z+hsIDwHS1Y6joKOcBTNdz9HoZpgsKDzSV"
    "CO/9WwHisH0PksKgxkAG6hvp73fs3ZWqJpFuDM9Q9OOMTK6lqzPE/z8j48vJlJ/2/52Rc2"
    "l8eXHFj4Q/xesGhD8Nanhy/3ylN7vmDsl5VbZ7M9lDgx4NKz1UdWhYNGJTK2JGbqSxdPE7"
    "d4+NVaw/1ivrsH/3sO8OAzpUHtRxT7KHBt2zIRGqvW0f7648N3DrGZneTm4keXwjnV/cni"
    "GHslWyzCa9mk55HQ8G29XPEi/joS4Vco/b4jTI+D74xx0yvptKaNOw6hEx1R/rrGX/5q37"
    "L2YQoiZ+xLejvdOj3mqs356clACbtcpF2zsnDJPz8jwLjOUVtlVcOYKb38lxIrqHSk0uEc"
    "99OzwtHc5NwrYT5sfDujvRc2zo9/pcZw3XsvWIbVvXKn1E8+z7MNI0/VVN8O3ZB7+Q/0vb"
    "9pAB7C7jlyV6rRXDvo6fE4aQE95mH4e0Qa23OWEKfm6zn1XDqlfaI2EIPm6zj02d17/ZjR"
    "VN99Eg78A+GloNWvRaujr3WNHAfkamf16NvXK4a/YXCmrh8t5G19eXF+PRh0uJPRkW5VV3"
    "DV317r/Uc3NoLi7wQ+USSGk7mOLWqIQE9XGe5fgZVnesJntNWUH9C6iMA5VxegAwCOBBAN"
    "8CLTEUbTl60Zb8mtGVgR3HuurW8FoW2tR0CEq1HLVUS5kiIr5kZS9lRPoDeUZstjM+PHGi"
    "Z3kvBy6zEiGWm6wS4rktYSXKXYIyK52aPQ4RJJ88nzQESD55jl6H5JNKTj6wPhUK2hyCqg"
    "NdNeiqe6Orhlo2fS/H3neUgdoHar8FNF7F2jbHqhzeVXi3lw6HWjf9rnUzVgjB2g1eeWvi"
    "DIcYPz0sIhFVryF7ksKW21jEwQiZ2Oa5nfRvbF27ZM+NhvhWf2xBylrbmPmUH7LYah3pBP"
    "2qk38rp985SDdN17sschSiza2vLwcpb+2568JaPOxfm7JHQMMFpXgWlsGDhVB6B9jPdoxc"
    "HeXBgP18jl4vw37GhuGM1/M5pKRVczxHh8lPqlOjEsaRQQ/hPX37tgS+rFUuwN65JMLBZK"
    "ECxBuLHlB1qayB0/dl0gZO3+fnDfBzKW7Dnf8bq4LvQ8FIsTHpHcYHeYrnliYIkOSTzWH7"
    "XowSx0g41tmKRn5UbJ1jIlDi5O9sL7beaZv7eo/7jwuXqBxrNHd1g+rEecmv99MRogIcrW"
    "I3pT2SmtPwDtJuch22BmfAC3cRyF3upaya41YPVWgCqOo2IgpU9aGp6jJCU3YF4vhCyR3V"
    "lDHm7nbTaY/wT+aCYocPkztiNnHpnI2z2ie/txJgtUz6chQVas6TVswmp57JcsSyTFNWW0"
    "nm2yXnck2MPHtO9irEE3Egw1IVg1msdPUBa2i+RuwwCqX53zlBgyy5vJ8uhaRyxJ77DTOM"
    "MvDHwB+3YpzpKJMI/PFz9HoZ/jgYcDMez2eENha9oCwOXawDODfg3HrGufEJaUX14cYEeA"
    "dgcoDJacfqeLib6DBYs+2IaUpp1VNo40Ngm2RwaeZHQF4IyKF81sIKGstmrPV2SRxB2FR0"
    "Ay1sy0QOz9JH1EJKxCH8r8co6Bo2VxbFRF2jB8z/wyuHtbIxcxLW0L+tedCDX+4N0SddFT"
    "AZh78cJAQDpdGREayji1ugNJ6j18tQGrFhW2bDdpWVt8B0P2vE4w6uh5bGWbL3Oa2CdNym"
    "F8vwBmiOrlBJ3UaZk0MyxV8FOBczSpFRL5Bumlbq4PaLrKmLK+8G9/c76Y5XnPatZ2QqXf"
    "Fd4DCh6WrU6XXLcQjsYCFXsbxG0qp/1TUOMvRUrugNpbx3GXHYK1djaRAzg5Ld7VkGZFd/"
    "CQFNtbLdWUuogpyNWkBN9B7VRO85pBBh2zuinDavCGnMBB5SCFo2H7SEct0HLdfddI35jg"
    "KbW2JejKo3bO5jIOh/9fP4F6YEsuniLY1KGToKsWBxVLnA/CEVDVPXfsTCmj7BmWGRfsHZ"
    "tNlrOfBY4RyfkvfiS4LKORGRqbEeFDpgLWK20VmFOE+8lk/UJP5lCykKqLsDIoN2DC4dDT"
    "eDyOA5er2MyOBBJznxkO3BqtC2wVCV6vgPWZVA1Xg6uj1D3HJGrq6nzMkrZ0bGEvtJ9RNO"
    "qwZNypQ0yS9okilnwi59f59XMWa7G2LmDXqCzTj0R2yvq3rjXLq8+F26+fMMhT3MyI00nV"
    "ze3V5Mrs4Qe7TZXxYmiB4/bBif5ggdVChY2K/65tjD4IH1NxvX+0BVgFtg2uC7QCyCK74H"
    "NUE/wPPdPb2Coy6x5obCggpjz3T8i3R+5ykToj5mZHp3fc1GoKl32F2t2LPkBIIGf9NtJ9"
    "p0OyZxGF1NP0s33CZcwsyI9Mf1hXcIf13p3pHx6GoseRdUOX6tEUNoWNUdvdqGDXEbyOcr"
    "o4Og1gOuBHFkAGrNrV+LylLN3XSaLWO5Gnh6u5FSPfBfmC5+egNmLANw8Wp7Y9XDlXZ3V9"
    "ZZQgV0Wf32r41NjqIt13uPBebg7074u+aLLbIHj7fZ4/4yzqnh66QleLnNXo6HICu6OWUK"
    "fm6zn0HmCzLfrkAKMl/QpLZAIwWaVNCkdgzYEprUPen5EoHLFbsvAVcaFq+eEHxrsf9tL2"
    "Hti/tuYj32w0/faskfIxxyZZBxpLbJIeW4o8rVnvZn+LyqkkUw8rvxqyoZikPD03O8YK+h"
    "H/Zboye+8UU6zrd7b9trMW0ElglZJagnQT3ZirGhozo6UE8+R6+XUU86Khuosw6fmoph5K"
    "/UQqM+rdNen/7wLhpJ+S9Fg+j00+jyUpCHbZkmFm2tlF84ImbSA0lK05UjFpZhsOfdXbGJ"
    "keJUUwOJbPsnrNi/bKVVbHPbBpPufhoE4X+g8PZNivqLuGqYxm32g2rnVy9Aix6aFq3CMK"
    "Wf7yz8IXlUFvyom0492aXBj7/RJeDfKQn3M54vLetBesTe/WQ4qMT5YRED9eS3lHHUdHs1"
    "cfSIbX3BS3SHuTJDZGOVU5xayBJx8uj05AQ5FvtRobz4t604S6QsKLaRTpFhOdhBfIczhr"
    "6ghvgBLjIjM/LlC7N3V5hnwHz5gnTH62RlKJT1aH7nIA8IpGvoRQAN/1nhdckZHAZ33/dn"
    "7BeH3QrZ3BuyFryjGfF2cPP7WOrU791/kNHmEUIKM2WXDmdO3h/xpLO3xqVIs3itc4WsN8"
    "gUJjxv/p7CfGeGHWa3WoN6+6DfPxf27X9OT1+//uH05PW792/f/PDD2/cn0Ycse6roi/bh"
    "4mf+UUvM8rZzdOFjKF7wbE97idu3ObVrMP1lcn3x8c8zxB9ifbGeEQbYePLpk3Qzls7QXL"
    "/3VtB28DceXRJN2V2qVZahkUGb3VBXcX5aJtGUtcoH+DSTbBobxSrAnLQCrMthHX7zq5Wc"
    "TVr1j1M5CNRBEnQtXiVtCzK+NvMq8flVRUenTHtIoHU01lImwrZS1oalCEbSX6eTK7G/Yy"
    "ZpX+sqRf9Fhu50kVgr8CoHozhOkA4JpDzFO+hBTfvwVa8YqhncSGPp4neesB32MCPXN5Nx"
    "kB++si01SA9P1rifkYufryZe8rd+T9iauSWJ3gql2FxRgfNyl5pxk+Z46JNDjYh7JqGhtn"
    "2TEcrofavxtU/bwrSuzdM6CJdBaKcN0YV9hnb2F4cYuZpOc6MQsbPDohiEwttViUB8XlpI"
    "0zX0tFTokP0fkzPOudtrZFoErxEzZi2HyMGUMvQdpC4Vco892n1l64+KumbzKPYAODQbed"
    "h351X0sTGpJXD07eTomftFE6183iwyAHqyHGfmv2AVIW68AFSHtV5hEUAPpQowp+16IG1M"
    "Qv36tATUr09zoeanxFBXo9qTVr2Def9PNB+tqzBwYfvm6bfBjwuXeMMVmru6QXkWDb/sT4"
    "eCvmlSDvJM8t+C/rLgzS+TW8Z5wPZPrYS0NcRDy7A9SKY9bKSzz410jsPoTNdEvXHJQJTY"
    "HJwaFmY0s0ayHbTaSuRc2xb/CDkeeaIusfqwsrg+0lr4mcisMy62ZE2oYrNnAD1Z9gO2+Q"
    "HXxA5a2JaJvnxRXdux7C9fsmTOIS5QhdAJ9yIIgo2Q8ww5z+0YqHo8F4Wc5755XRCp6/iO"
    "MTU00x9G498+XlxeniH+pV/ohsF3KBlPrsYXl5KnC7GIqhstUUzznS/cQL9dlvaK27TZFa"
    "1hF002AbEqMYsbiwZZxZVyrxOv00Zwhs1IOOb+5iAVER9ch5uLrMLNRW7urq68I2xST/zt"
    "Ru7GY0k69/clUVWMtazurB2D0Nw1HmRrxdHlW/BUI+GFxn0QSzUQwvPXS1m0CypmRBZ9gL"
    "hpPZoW7PRUcv0YNgcZZZp2pRZVBLu35CIZtQfCVchh2/UWYklLUEi2Z92VXW4vdKI7y1pu"
    "TpmCn9vsZ1CYN/lFB91xr8J/bQO347rjW/Y1MHSCJULt9UAQq0o2GBZFrGjQVMZR261xqw"
    "nBiNvwOJKCwqLZ3zmI/WCv0cw9PXn1Bnk1n4do4RqcreMFAXkJE+rahP+7cIk2DIrt8t9X"
    "xjobvzrUhXgplM+2TikmaL72qpQ42H7UVezwYide6REHLRlqmEudg/oqvFkIF69fwkNowQ"
    "OMbE8E7agKYYdn5EV4r0NkqWxx56cxf8+aOxQrmv/3sLfBYs0fsY0c/SvyXJJbVFgQVEvp"
    "EWOyuWwllHgZ+Ngdgc66pTrrfD5fjH4XOPzWEMfdUwD3AOxuaIA7rWs3TcWuVEAmZtJDiN"
    "++KvMws1a5IHvnQGvdUq11fB6T8Ugx9ZIy7aHWoU/cy/H2iGubV2GTuNZDCtQVUFddoK6O"
    "v0lcV6Et2iVOCC9sElcK1+Y2iavIt7K5pHLj1zQYCNjW+OlhEdfqsT12rGWJYtM/n1/fIG"
    "4YVlU483hI/HVl2Z6QnxdqQE8YLS1DQ5xPJBht2MeFZXvteTXZpUIEBR8Oc4lCBjMs1Bti"
    "IaIsIVUAUgVaMXp1VDQOqQLP0etlUgVEo2/G/fmcYY55H1QOh2Zoo4ljhGE16PPsAfsK2G"
    "NT0QUaxxKoR5b9w/v07dsSgLNWuYh75yBvIMobkEbnf/K0JEVbp6fcx8kG8KfzVUIXG4ud"
    "ghcte/AbrwhjmSu+kK01uU7ZgkS0PfOq7HQamF9gfltAo7VUtDjCtq4uB6JCqf6ZYWGR1E"
    "2bbaRZPqDbS1cA69Qk6/SIbadircuYSQ8VKweZhvOXqgLCQfMeovvq5KTMpPrkJH9Wzc+l"
    "p3eECrdHz59Xx0xgA5SKM+vM7KDJj9m3/wdtR1eS"
)
