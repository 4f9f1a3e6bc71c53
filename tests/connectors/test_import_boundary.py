"""Connectors call nothing of ours and no web, ORM or queue framework."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import connectors.base, connectors.errors, connectors.shopify.oauth, connectors.shopify.shop_domain
bad = sorted(m for m in sys.modules if m.split(".")[0] in {"starlette", "tortoise", "arq", "app"})
print(",".join(bad))
"""


def test_connectors_import_no_starlette_tortoise_arq_or_app() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
