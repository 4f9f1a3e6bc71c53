"""The surveys benchmark plans, sends over real SMTP and times the due query on a tiny shop."""

from __future__ import annotations

import json

import pytest

from bench.surveys import Size, main

TINY = Size(surveys=40, large_orders=2_000, small_orders=200, due=20, samples=10)
KEYS = {"bench", "surveys_per_s", "scheduler_scaling_ratio"}


def test_the_command_prints_the_json_object_as_its_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bench.surveys.QUICK", TINY)
    assert main(["--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) == KEYS and figures["bench"] == "surveys"
    assert figures["surveys_per_s"] > 0 and figures["scheduler_scaling_ratio"] > 0
    assert lines[0].startswith("planned 40 surveys")
    assert any(line.startswith("sent 40 surveys over SMTP") for line in lines), "every survey was sent"
