"""Order and customer sync: what the platform says, mirrored into our rows, never regressed.

Three ways in, one set of upserts (``upsert.py``):

- webhooks (``jobs.webhook_handlers``) apply one record at a time, monotonic by ``updated_at``
  and, on ties, by trigger time (``versions.py``);
- the backfill (``backfill.py``) imports a shop's history once, by bulk export for large stores
  and by pages for small ones, checkpointed in ``SyncRun`` so a killed worker resumes
  (``runs.py``);
- the reconcile (``reconcile.py``) reads what changed since ``Shop.synced_through`` every
  15 minutes and repairs whatever a lost webhook left behind.

Jobs (``jobs.sync``) run the last two in time slices; ``schedule.py`` names and queues them.

What the app asks of a shop's GraphQL Admin API (``POST /admin/api/2026-10/graphql.json``;
documents in ``connectors.shopify.queries``), which a stand-in platform must answer:

- ``OrdersCount`` / ``CustomersCount`` (``ordersCount``/``customersCount(query:, limit: null)``):
  the backfill's plan and total;
- ``OrdersPage`` / ``CustomersPage`` (``first``, ``after``, ``query: "updated_at:>='…'"``,
  ``sortKey: UPDATED_AT``, ``pageInfo``): small backfills, bulk fallbacks, every reconcile;
- ``OrderDetail`` / ``OrderLineItems`` (``order(id:)``): orders whose nested lists overflow a
  page, and single reads (orders/edited, returns/*, children of unknown orders);
- ``BulkRunQuery`` (``bulkOperationRunQuery(query:, groupObjects: true)``) and
  ``BulkOperation`` (``node(id:) { ... on BulkOperation }``), then a plain GET of the JSONL
  ``url`` / ``partialDataUrl``: backfills above ``backfill.BULK_THRESHOLD`` orders or customers.
"""
