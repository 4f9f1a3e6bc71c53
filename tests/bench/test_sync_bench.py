"""The sync benchmark's pieces on tiny inputs: they run and report their figures (not their values)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from bench.sync import (
    Scale,
    app_import,
    file_server,
    main,
    minimum_time,
    paced_sync,
    plain_import,
    write_exports,
)

TINY = Scale(orders=30, customers=10, paged_orders=12, memory_orders=40)


def test_the_exports_are_grouped_jsonl_served_over_http(tmp_path: Path) -> None:
    customers, orders = write_exports(tmp_path, orders=5, customers=3)
    lines = [json.loads(line) for line in orders.read_text().splitlines()]
    assert sum("__parentId" not in line for line in lines) == 5
    assert all(
        line["__parentId"].startswith("gid://shopify/Order/") for line in lines if "__parentId" in line
    )
    assert len(customers.read_text().splitlines()) == 3
    with file_server(tmp_path) as base:
        assert httpx.get(f"{base}/orders.jsonl", timeout=5).text == orders.read_text()


def test_both_imports_read_every_record(tmp_path: Path) -> None:
    write_exports(tmp_path / "exports", orders=TINY.orders, customers=TINY.customers)
    with file_server(tmp_path / "exports") as base:
        urls = [f"{base}/customers.jsonl", f"{base}/orders.jsonl"]
        assert asyncio.run(app_import(f"sqlite://{tmp_path / 'app.sqlite3'}", urls)) == 40
        assert asyncio.run(plain_import(f"sqlite://{tmp_path / 'plain.sqlite3'}", urls)) == 40


def test_the_minimum_time_counts_actual_costs_and_the_last_request() -> None:
    assert minimum_time([(900, 100)] * 10 + [(900, 100)]) == pytest.approx((100 * 10 + 900 - 1000) / 100)
    assert minimum_time([]) == 0


def test_the_paced_sync_reports_its_figures(tmp_path: Path) -> None:
    figures = asyncio.run(paced_sync(TINY.paged_orders, tmp_path))
    assert set(figures) == {"rate_limit_overhead", "throttled_after_first"}
    assert figures["rate_limit_overhead"] > 0


@pytest.mark.slow
def test_the_command_prints_the_json_object_as_its_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bench.sync.QUICK", TINY)
    assert main(["--quick"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(figures) == {
        "bench",
        "ingest_ratio",
        "rate_limit_overhead",
        "throttled_after_first",
        "peak_rss_mb",
    }
    assert figures["bench"] == "sync" and figures["peak_rss_mb"] > 0
