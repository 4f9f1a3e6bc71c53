"""The webhook benchmark runs end to end on a tiny load and reports its figures (not their values)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.webhooks import Load, deliveries, main, run

TINY = Load(concurrency=2, requests=40, seconds=2.0, warmup=5)


def test_each_delivery_is_distinct_and_signed() -> None:
    made = deliveries(3, start=7)
    assert len({headers["x-shopify-event-id"] for _, headers in made}) == 3
    assert all(headers["x-shopify-hmac-sha256"] for _, headers in made)
    assert json.loads(made[0][0])["id"] == 7


@pytest.mark.slow
def test_a_tiny_run_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = run(TINY, tmp_path)
    assert set(figures) == {"bench", "rps", "bare_rps", "ratio", "p50_ms", "p99_ms"}
    assert figures["bench"] == "webhooks"
    assert all(isinstance(figures[key], float) and figures[key] > 0 for key in figures if key != "bench")
    assert "recorded / queued" in capsys.readouterr().out


@pytest.mark.slow
def test_the_command_prints_the_json_object_as_its_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bench.webhooks.QUICK", TINY)
    assert main(["--quick"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert set(json.loads(last)) == {"bench", "rps", "bare_rps", "ratio", "p50_ms", "p99_ms"}
