"""`python -m app dev`: everything starts offline, answers, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
URL_LINE = re.compile(r"^\s+(app|devstore):\s+(http://127\.0\.0\.1:\d+)", re.MULTILINE)


def descendants(pid: int) -> set[int]:
    """Every process whose ancestry leads to ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


@pytest.mark.slow
def test_dev_starts_everything_and_ctrl_c_stops_it_all(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "AFTERCARE_VAR_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "dev",
            "--port",
            "0",
            "--devstore-port",
            "0",
            "--smtp-port",
            "0",
            "--seed-orders",
            "40",
            "--seed-customers",
            "15",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 90
        urls: dict[str, str] = {}
        assert process.stdout is not None
        while len(urls) < 2:
            line = process.stdout.readline()
            assert line, f"dev exited early:\n{output}"
            output += line
            urls.update(dict(URL_LINE.findall(output)))
            assert time.monotonic() < deadline, f"dev did not print its URLs in time:\n{output}"

        assert httpx.get(f"{urls['app']}/readyz", timeout=5).status_code == 200
        home = httpx.get(f"{urls['devstore']}/", timeout=5)
        assert home.status_code == 200
        assert "demo.myshopify.com" in home.text

        assert worker_is_healthy(env, tmp_path), "arq health check never passed"

        children = descendants(process.pid)
        assert len(children) >= 4, "redis-server, devstore, web and worker"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
    time.sleep(0.5)
    assert alive(children) == set(), f"left behind: {alive(children)}\n{output}"


def worker_is_healthy(env: dict[str, str], tmp_path: Path) -> bool:
    """arq's own check (`worker --check`), retried while the worker writes its first heartbeat."""
    redis_url = f"unix://{tmp_path / 'var' / 'redis' / 'redis.sock'}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        check = subprocess.run(
            [sys.executable, "-m", "app", "worker", "--check"],
            cwd=ROOT,
            env={**env, "REDIS_URL": redis_url},
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check.returncode == 0:
            return True
        time.sleep(1)
    return False
