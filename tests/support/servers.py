"""Real servers for end-to-end tests: the app (uvicorn), a worker and the devstore, as processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    app_url: str
    devstore_url: str
    smtp_port: int
    env: dict[str, str]
    var_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str, env: Mapping[str, str] | None = None) -> None:
        """``env``: variables for this process only, over the stack's."""
        # The child keeps its own copy of the log's descriptor; ours closes at once.
        with (self.var_dir / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, name: str) -> str:
        return (self.var_dir / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def wait_for(self, url: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{self.log(name)[-3000:]}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{url} did not come up within {timeout} s")


@contextmanager
def running_stack(
    var_dir: Path,
    database_url: str,
    redis_url: str,
    *,
    worker: bool = True,
    env: Mapping[str, str] | None = None,
    devstore_args: Sequence[str] = (),
) -> Iterator[Stack]:
    """The app, a worker and the devstore wired together as `python -m app dev` wires them.
    ``env``: more variables for every process; ``devstore_args``: more devstore options."""
    var_dir.mkdir(parents=True, exist_ok=True)
    app_port, devstore_port, smtp_port = free_port(), free_port(), free_port()
    app_url, devstore_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{devstore_port}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(var_dir)),
        "AFTERCARE_VAR_DIR": str(var_dir),
        "AFTERCARE_PLATFORM_URL": devstore_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SHOPIFY_APP_URL": app_url,
        "PORT": str(app_port),
        "APP_BRIDGE_URL": f"{devstore_url}/shopify/app-bridge.js",
        # The CDN is unreachable in CI; pages must work without it.
        "POLARIS_URL": "https://cdn.shopify.com/shopifycloud/polaris.js",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    stack = Stack(app_url, devstore_url, smtp_port, env, var_dir)
    settings = load_settings(env)  # the app's credentials, as the web process will read them
    try:
        stack.start(
            "devstore",
            "-m",
            "devstore",
            "--port",
            str(devstore_port),
            "--smtp-port",
            str(smtp_port),
            "--db",
            str(var_dir / "devstore.sqlite3"),
            "--seed-orders",
            "30",
            "--seed-customers",
            "12",
            "--app-url",
            app_url,
            "--shopify-api-key",
            settings.shopify_api_key,
            "--shopify-api-secret",
            str(settings.shopify_api_secret),
            # Retries a webhook the app refused within seconds, not minutes.
            "--webhook-retry-delay",
            "0.2",
            *devstore_args,
        )
        stack.start(
            "web",
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(app_port),
            "--log-level",
            "warning",
        )
        if worker:
            stack.start("worker", "-m", "app", "worker")
        stack.wait_for(f"{devstore_url}/")
        stack.wait_for(f"{app_url}/readyz")
        yield stack
    finally:
        for name in list(stack.processes):
            stack.stop(name)
