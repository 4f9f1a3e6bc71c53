"""Platform connectors: one package per platform behind one Protocol.

Connectors never import Starlette, Tortoise or arq, and never build their own HTTP client: the
caller passes the app's one shared ``httpx.AsyncClient`` in.
"""
