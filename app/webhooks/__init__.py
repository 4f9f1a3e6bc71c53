"""Webhook intake: verify → record → enqueue → 200. Nothing slow happens in the request.

``verify`` checks a Shopify delivery and returns a result, ``intake`` records it once and queues
its processing, ``routes`` maps both to HTTP. The work itself runs in ``jobs.webhooks``.
"""
