"""The Shopify sync modules, like every connector, import nothing of the app's and no web, ORM or
queue framework."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "connectors.base",
    "connectors.shopify.answers",
    "connectors.shopify.bulk",
    "connectors.shopify.bulk_jsonl",
    "connectors.shopify.errors",
    "connectors.shopify.graphql",
    "connectors.shopify.ids",
    "connectors.shopify.queries",
    "connectors.shopify.records",
    "connectors.shopify.sync",
    "connectors.shopify.throttle",
]
PROBE = f"""
import importlib, sys
for name in {MODULES!r}:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {{"starlette", "tortoise", "arq", "app"}})
print(",".join(bad))
"""


def test_shopify_sync_modules_import_no_starlette_tortoise_arq_or_app() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
