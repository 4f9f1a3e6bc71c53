"""The upserts, in one place: every way a platform record reaches our rows goes through these.

All of them are monotonic (``versions.py``): a version older than the stored one never
overwrites it, and a delete is a tombstone (``deleted_at``) that older updates cannot revive.

- ``upsert_customer`` / ``upsert_order``: one record, from a webhook (pass ``triggered_at``) or a
  single read; ``upsert_order`` writes the line items, fulfillments, refunds (with lines) and
  returns (with items), links the customer (a placeholder when unknown), keeps
  ``Order.delivered_at`` and the customer's numbers, and writes the timeline.
- ``upsert_customers`` / ``upsert_orders``: a page or a bulk batch read from the API, with
  multi-row inserts for what is new.
- ``apply_fulfillment`` / ``apply_refund``: one child from its own webhook.
- ``delete_order`` / ``delete_customer`` / ``merge_customers``: tombstones and merges.
"""

from app.services.sync.customers import delete_customer, merge_customers, upsert_customer, upsert_customers
from app.services.sync.order_batch import BatchResult, upsert_orders
from app.services.sync.orders import apply_fulfillment, apply_refund, delete_order, upsert_order
from app.services.sync.returns import apply_return_change
from app.services.sync.rows import Applied

__all__ = [
    "Applied",
    "BatchResult",
    "apply_fulfillment",
    "apply_refund",
    "apply_return_change",
    "delete_customer",
    "delete_order",
    "merge_customers",
    "upsert_customer",
    "upsert_customers",
    "upsert_order",
    "upsert_orders",
]
