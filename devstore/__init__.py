"""A local stand-in for Shopify and BigCommerce: seeded shops, their platforms' side of the app, and
the SMTP mail sink.

``devstore.shopify`` is Shopify as the app meets it (OAuth, session tokens, the admin that frames
the app, App Bridge, webhooks), under the app's platform URL mapping. The devstore keeps its own
SQLite file (stdlib ``sqlite3``), never the app's Tortoise models, so that it can run in the same
process as the app in tests without sharing the ORM's global state; and it never imports the app:
what it knows of it is passed in.
"""
