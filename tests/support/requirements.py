"""Which real parts a run must have: missing ones fail the run under ``--require`` instead of skipping.

CI passes ``--require=postgres,browser`` so that a machine without them cannot turn those tests
into silent skips.
"""

from __future__ import annotations

import pytest

PARTS = ("postgres", "browser")


def missing(config: pytest.Config, part: str, why: str) -> None:
    """Skip, or fail when the run requires ``part``."""
    required = {p.strip() for p in (config.getoption("--require") or "").split(",") if p.strip()}
    if part in required:
        pytest.fail(f"{part} is required for this run but unavailable: {why}", pytrace=False)
    pytest.skip(f"{part} unavailable: {why}")
