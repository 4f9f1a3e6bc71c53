"""The admin benchmark seeds, measures and reports every figure on a tiny shop (not their values)."""

from __future__ import annotations

import json

import pytest

from bench.admin import Size, main

TINY = Size(customers=50, orders=200, samples=12)
KEYS = {"bench", "search_p95_ms", "timeline_p95_ms", "order_p95_ms", "baseline_p95_ms"}


def test_the_command_prints_the_json_object_as_its_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bench.admin.QUICK", TINY)
    assert main(["--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) == KEYS and figures["bench"] == "admin"
    assert all(isinstance(figures[key], float) for key in KEYS - {"bench"})
    assert lines[0].startswith("seeded 50 customers, 200 orders")
