"""End-to-end fixtures: a fresh, migrated app database per test (the servers run as processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_database(tmp_path: Path) -> str:
    """A SQLite database migrated by ``python -m app migrate``, as an operator would (a child
    process, so this test process keeps no ORM state of its own)."""
    url = f"sqlite://{tmp_path / 'aftercare.sqlite3'}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DATABASE_URL": url,
        "AFTERCARE_VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return url


@pytest.fixture(autouse=True, scope="session")
def patient_expectations() -> None:
    """Pages here run against real servers on a 2-core machine that the rest of the suite shares:
    a form post, its re-render and App Bridge's fresh token can take more than Playwright's 5 s."""
    expect.set_options(timeout=20_000)
