"""``python -m app dev``: every part of Aftercare on this machine, offline, stopped by one Ctrl-C.

Starts the embedded Redis, migrates the SQLite database, then runs the devstore (platform
stand-in + SMTP sink), the web app and one worker as child processes, each in its own process
group so that stopping takes their children with them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import httpx

from app.embedded.redis import EmbeddedRedis
from app.migrations import apply_migrations
from app.queue import embedded_redis_folder
from app.settings import load_settings

STARTUP_TIMEOUT = 60.0


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there, else any free loopback port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


class Children:
    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.processes[name] = subprocess.Popen(args, env=env, start_new_session=True)  # noqa: S603

    def exited(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_up(url: str, children: Children) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if (name := children.exited()) is not None:
            raise RuntimeError(f"{name} exited during start-up")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {STARTUP_TIMEOUT:.0f} s")


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_dev(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    base = load_settings({**os.environ, "AFTERCARE_PLATFORM_URL": "http://127.0.0.1:1"})
    web_port = free_port(base.port if args.port is None else args.port)
    devstore_port = free_port(args.devstore_port)
    smtp_port = free_port(args.smtp_port)
    devstore_url = f"http://127.0.0.1:{devstore_port}"
    app_url = f"http://127.0.0.1:{web_port}"
    var = base.var_dir
    var.mkdir(parents=True, exist_ok=True)

    children = Children()
    redis = EmbeddedRedis(Path(embedded_redis_folder(base)), persist=True)
    try:
        redis.start()
        env = {
            **os.environ,
            "AFTERCARE_VAR_DIR": str(var),
            "AFTERCARE_PLATFORM_URL": devstore_url,
            "REDIS_URL": redis.url,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "PORT": str(web_port),
            "SHOPIFY_APP_URL": app_url,
            "APP_BRIDGE_URL": f"{devstore_url}/shopify/app-bridge.js",
            "PYTHONUNBUFFERED": "1",
        }
        settings = load_settings(env)
        applied = asyncio.run(apply_migrations(settings.database_url))
        print(f"database: {settings.database_url} ({len(applied)} migration(s) applied)", flush=True)

        python = sys.executable
        children.start(
            "devstore",
            [
                python,
                "-m",
                "devstore",
                "--port",
                str(devstore_port),
                "--smtp-port",
                str(smtp_port),
                "--db",
                str(var / "devstore.sqlite3"),
                "--seed-orders",
                str(args.seed_orders),
                "--seed-customers",
                str(args.seed_customers),
                # The app the devstore frames, signs for and sends webhooks to.
                "--app-url",
                app_url,
                "--shopify-api-key",
                settings.shopify_api_key,
                "--shopify-api-secret",
                str(settings.shopify_api_secret),
                "--bigcommerce-client-id",
                settings.bigcommerce_client_id,
                "--bigcommerce-client-secret",
                str(settings.bigcommerce_client_secret),
            ],
            env,
        )
        children.start(
            "web",
            [
                python,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(web_port),
                "--log-level",
                "info",
            ],
            env,
        )
        children.start("worker", [python, "-m", "app", "worker"], env)
        wait_until_up(f"{devstore_url}/", children)
        wait_until_up(f"{app_url}/readyz", children)
        print(
            "\nAftercare is running.\n"
            f"  app:       {app_url}\n"
            f"  devstore:  {devstore_url}/   <- open this to start (demo shop, install, outbox)\n"
            f"  mail sink: {devstore_url}/mail (SMTP on 127.0.0.1:{smtp_port})\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while (name := children.exited()) is None:
            time.sleep(0.5)
        print(f"{name} stopped unexpectedly; stopping everything", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        children.stop()
        redis.stop()
