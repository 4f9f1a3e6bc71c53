"""Webhook intake throughput and latency, against a bare Starlette endpoint measured in the same run.

    python -m bench.webhooks [--quick]

Two servers, one after the other, each a uvicorn subprocess with the same settings on loopback:
(a) the real app (verify + record in a migrated SQLite database + enqueue in an embedded Redis,
for a seeded shop), (b) a bare Starlette endpoint that answers 200. One async load generator
(httpx, N keep-alive connections, bounded by count and time) measures the most requests/s each
sustains, every request to (a) a distinct signed delivery; then p50/p99 latency of (a) at half of
(b)'s maximum rate, paced open-loop (latency counts from when a request was due, so a slow
server cannot slow the load down and hide its own queueing).

The last line of output is one JSON object:
{"bench": "webhooks", "rps": …, "bare_rps": …, "ratio": …, "p50_ms": …, "p99_ms": …}
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.db import close_database, open_database
from app.embedded.redis import EmbeddedRedis
from app.migrations import apply_migrations

SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway secret for a loopback benchmark
SHOP = "bench-shop.myshopify.com"
PATH = "/webhooks/shopify"
HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
# Identical for both servers: one process, no access log (a log line per request would be
# measured instead of the endpoint), uvicorn's default event loop and HTTP parser.
UVICORN_ARGS = ["--host", HOST, "--workers", "1", "--no-access-log", "--log-level", "warning"]


@dataclass(frozen=True)
class Load:
    """How much load each phase sends: at most ``requests``, for at most ``seconds``."""

    concurrency: int
    requests: int
    seconds: float
    warmup: int


FULL = Load(concurrency=16, requests=40_000, seconds=10.0, warmup=500)
QUICK = Load(concurrency=16, requests=8_000, seconds=3.0, warmup=200)


@dataclass(frozen=True)
class Throughput:
    rps: float
    ok: int
    failed: int


@dataclass(frozen=True)
class Latency:
    rate: float
    sent: int
    failed: int
    p50_ms: float
    p99_ms: float


# --- the two servers --------------------------------------------------------------------------


async def _accept(request: Request) -> Response:
    return Response(status_code=200)


# (b): the floor any endpoint on this stack pays (HTTP parsing, routing, a response).
bare_app = Starlette(routes=[Route(PATH, _accept, methods=["POST"]), Route("/healthz", _accept)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(target: list[str], env: dict[str, str]) -> Iterator[str]:
    """Run ``uvicorn <target>`` in a subprocess; yields its base URL once /healthz answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *target, *UVICORN_ARGS, "--port", str(port)],
        cwd=ROOT,
        env=env,
    )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn {target} exited with {process.returncode}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn {target} did not start within 30 s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Stage:
    """A migrated SQLite database with one installed shop, and a running embedded Redis."""

    database_url: str
    redis: EmbeddedRedis
    env: dict[str, str]


@contextlib.contextmanager
def stage(folder: Path) -> Iterator[Stage]:
    database_url = f"sqlite://{folder / 'bench.sqlite3'}"
    asyncio.run(_migrate_and_seed(database_url))
    with EmbeddedRedis(folder / "redis") as redis:
        env = {
            "PATH": os.environ.get("PATH", ""),
            # Development mode (no production secrets needed); nothing here calls the platform.
            "AFTERCARE_PLATFORM_URL": "http://127.0.0.1:9",
            "AFTERCARE_VAR_DIR": str(folder / "var"),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "SHOPIFY_API_SECRET": SECRET,
        }
        yield Stage(database_url, redis, env)


async def _migrate_and_seed(database_url: str) -> None:
    from app.models import Platform, Shop

    await apply_migrations(database_url)
    await open_database(database_url)
    try:
        await Shop.create(platform=Platform.SHOPIFY, domain=SHOP, platform_id="1")
    finally:
        await close_database()


async def recorded_and_queued(stage_: Stage) -> tuple[int, int]:
    """Rows in webhook_event, and jobs in arq's queue: proof that (a) did the whole job."""
    from arq.constants import default_queue_name

    from app.models import WebhookEvent
    from app.queue import open_queue

    await open_database(stage_.database_url)
    queue = open_queue(stage_.redis.url)
    try:
        return await WebhookEvent.all().count(), int(await queue.zcard(default_queue_name))
    finally:
        await queue.aclose()
        await close_database()


# --- the load ---------------------------------------------------------------------------------

Request_ = tuple[bytes, dict[str, str]]


def deliveries(count: int, start: int = 0) -> list[Request_]:
    """Distinct signed orders/create deliveries, built before the clock starts."""
    template = json.dumps(
        {
            "id": 0,
            "admin_graphql_api_id": "gid://shopify/Order/0",
            "email": "customer@example.com",
            "name": "#1001",
            "currency": "USD",
            "total_price": "199.00",
            "financial_status": "paid",
            "updated_at": "2026-10-05T12:00:00-04:00",
            "customer": {"id": 115310627314723954, "email": "customer@example.com"},
            "line_items": [
                {"id": 866550311766439020, "title": "IPod Nano - 8GB", "quantity": 1, "price": "199.00"}
            ],
        }
    )
    made = []
    for n in range(start, start + count):
        body = template.replace('"id": 0', f'"id": {n}').replace("/Order/0", f"/Order/{n}").encode()
        signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        made.append(
            (
                body,
                {
                    "content-type": "application/json",
                    "x-shopify-topic": "orders/create",
                    "x-shopify-hmac-sha256": signature,
                    "x-shopify-shop-domain": SHOP,
                    "x-shopify-api-version": "2026-10",
                    "x-shopify-webhook-id": f"bench-webhook-{n}",
                    "x-shopify-event-id": f"bench-event-{n}",
                    "x-shopify-triggered-at": "2026-10-05T16:00:00Z",
                },
            )
        )
    return made


@contextlib.asynccontextmanager
async def _connections(count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` clients of one keep-alive connection each: one httpx pool of many connections
    spends more time managing the pool than sending (450 requests/s at 32 connections here,
    against 1,800/s for 16 single-connection clients)."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0)) for _ in range(count)]
    try:
        yield clients
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


async def max_throughput(url: str, requests: Sequence[Request_], load: Load) -> Throughput:
    """Closed loop: ``concurrency`` senders back to back, for ``load.seconds`` or until sent out."""
    async with _connections(load.concurrency) as clients:
        await _closed_loop(clients, url, requests[: load.warmup], deadline=None)
        started = time.perf_counter()
        ok, failed = await _closed_loop(
            clients, url, requests[load.warmup :], deadline=started + load.seconds
        )
        elapsed = time.perf_counter() - started
    return Throughput(rps=ok / elapsed if elapsed else 0.0, ok=ok, failed=failed)


async def _closed_loop(
    clients: list[httpx.AsyncClient], url: str, requests: Sequence[Request_], deadline: float | None
) -> tuple[int, int]:
    cursor = iter(requests)
    counts = [0, 0]

    async def sender(client: httpx.AsyncClient) -> None:
        for body, headers in cursor:
            if deadline is not None and time.perf_counter() > deadline:
                return
            response = await client.post(url + PATH, content=body, headers=headers)
            counts[0 if response.status_code == 200 else 1] += 1

    await asyncio.gather(*(sender(client) for client in clients))
    return counts[0], counts[1]


async def paced_latency(url: str, requests: Sequence[Request_], rate: float, load: Load) -> Latency:
    """Open loop: request i is due at start + i/rate whatever happened to the ones before it;
    a request that finds every connection busy waits for one, and that wait counts."""
    async with _connections(load.concurrency * 2) as clients:
        await _closed_loop(clients, url, requests[: load.warmup], deadline=None)
        idle: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for client in clients:
            idle.put_nowait(client)
        count = min(len(requests) - load.warmup, int(rate * load.seconds))
        latencies: list[float] = []
        failed = 0

        async def one(body: bytes, headers: dict[str, str], due: float) -> None:
            nonlocal failed
            client = await idle.get()
            try:
                response = await client.post(url + PATH, content=body, headers=headers)
            finally:
                idle.put_nowait(client)
            latencies.append(time.perf_counter() - due)
            if response.status_code != 200:
                failed += 1

        tasks = []
        start = time.perf_counter() + 0.01
        for i, (body, headers) in enumerate(requests[load.warmup : load.warmup + count]):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body, headers, due)))
        await asyncio.gather(*tasks)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Latency(rate=rate, sent=count, failed=failed, p50_ms=cuts[49] * 1000, p99_ms=cuts[98] * 1000)


# --- the run ----------------------------------------------------------------------------------


def run(load: Load, folder: Path) -> dict[str, float | str]:
    """Both measurements; returns the figures of the JSON line."""
    # Distinct deliveries per phase: a repeated event id would be a (cheaper) duplicate.
    size = load.warmup + load.requests
    bare_load, first, second = deliveries(size, 0), deliveries(size, size), deliveries(size, 2 * size)
    # Tens of thousands of prepared requests would make each of the generator's full garbage
    # collections a pause of tens of milliseconds, charged to whichever server is being timed.
    gc.collect()
    gc.freeze()
    try:
        with stage(folder) as staged:
            with server(["bench.webhooks:bare_app"], staged.env) as url:
                bare = asyncio.run(max_throughput(url, bare_load, load))
            with server(["--factory", "app.main:create_app"], staged.env) as url:
                real = asyncio.run(max_throughput(url, first, load))
                latency = asyncio.run(paced_latency(url, second, bare.rps * 0.5, load))
            rows, queued = asyncio.run(recorded_and_queued(staged))
    finally:
        gc.unfreeze()

    accepted = real.ok + latency.sent - latency.failed + 2 * load.warmup
    print(f"bare endpoint      : {bare.rps:8.0f} requests/s  ({bare.ok} ok, {bare.failed} failed)")
    print(f"webhook intake     : {real.rps:8.0f} requests/s  ({real.ok} ok, {real.failed} failed)")
    print(f"ratio              : {real.rps / bare.rps:8.2f}  (goal >= 0.5)")
    print(
        f"latency at {latency.rate:.0f}/s : p50 {latency.p50_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms "
        f"(goal p99 < 50 ms; {latency.sent} sent, {latency.failed} failed)"
    )
    print(f"recorded / queued  : {rows} rows, {queued} jobs for {accepted} accepted deliveries")
    if bare.failed or real.failed or latency.failed or rows != accepted or queued != rows:
        raise SystemExit("bench.webhooks: some deliveries were not answered 200, recorded and queued")
    return {
        "bench": "webhooks",
        "rps": round(real.rps, 1),
        "bare_rps": round(bare.rps, 1),
        "ratio": round(real.rps / bare.rps, 3),
        "p50_ms": round(latency.p50_ms, 2),
        "p99_ms": round(latency.p99_ms, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a shorter run (under a minute)")
    args = parser.parse_args(argv)
    load = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as folder:
        figures = run(load, Path(folder))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
