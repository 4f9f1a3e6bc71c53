"""The command line: the contract commands exist, explain themselves, and refuse bad settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_explains_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for command in ("dev", "serve", "worker", "migrate", "makemigrations"):
        assert f"\n  {command} " in text


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_start_without_a_secret_stops_naming_it(command: str, tmp_path: Path) -> None:
    done = run_cli(
        command,
        env={
            "AFTERCARE_VAR_DIR": str(tmp_path),
            "SHOPIFY_API_KEY": "client-id",
            "SHOPIFY_APP_URL": "https://aftercare.example.com",
            "SECRET_KEY": "s" * 40,
            "TOKEN_ENCRYPTION_KEYS": "x" * 43 + "=",
        },
    )
    assert done.returncode == 2
    assert "SHOPIFY_API_SECRET" in done.stderr


def test_a_malformed_setting_stops_any_command(tmp_path: Path) -> None:
    done = run_cli("migrate", env={"AFTERCARE_VAR_DIR": str(tmp_path), "DATABASE_URL": "mysql://x/y"})
    assert done.returncode == 2
    assert "DATABASE_URL" in done.stderr


def test_migrate_applies_to_an_empty_sqlite_database_then_nothing(tmp_path: Path) -> None:
    env = {"AFTERCARE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite://{tmp_path}/fresh.sqlite3"}
    first = run_cli("migrate", env=env)
    assert first.returncode == 0, first.stderr
    migrations = len(list((ROOT / "migrations" / "sqlite" / "models").glob("[0-9]*_*.py")))
    assert f"applied {migrations} migration" in first.stdout
    second = run_cli("migrate", env=env)
    assert "applied 0 migration" in second.stdout


def test_worker_check_fails_when_no_worker_is_alive(tmp_path: Path, redis_url: str) -> None:
    done = run_cli("worker", "--check", env={"AFTERCARE_VAR_DIR": str(tmp_path), "REDIS_URL": redis_url})
    assert done.returncode == 1
