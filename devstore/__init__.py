"""A local stand-in for Shopify and BigCommerce: seeded shops, later their APIs, and the SMTP mail sink.

It keeps its own SQLite file (stdlib ``sqlite3``), never the app's Tortoise models, so that it can run
in the same process as the app in tests without sharing the ORM's global state.
"""
