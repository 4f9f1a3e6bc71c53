"""``python -m app``: dev | serve | worker | migrate | makemigrations | sync.

``serve``, ``worker`` and ``migrate`` (with the settings' variable names) are a contract: tests
outside the project start the app with them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from app.logs import configure_logging
from app.settings import SettingsError, load_settings, require_serving_settings

DESCRIPTION = """\
Aftercare — returns, refunds, replies and CSAT surveys for Shopify and BigCommerce stores.

commands:
  dev             run everything on this machine with no setup: embedded Redis, SQLite,
                  migrations, the web app, one worker, a local SMTP sink and the devstore
                  (a stand-in for Shopify and BigCommerce with a seeded demo shop)
  serve           production web server (uvicorn); needs the production settings
  worker          production background worker (arq); `worker --check` runs arq's health check
  migrate         apply database migrations (SQLite or PostgreSQL, from DATABASE_URL)
  makemigrations  write the next migration for SQLite and PostgreSQL after a model change
  sync            import an installed shop's customers and orders now, with a progress bar
                  (resumes an unfinished import; a running worker's import is watched instead)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = commands.add_parser("dev", help="run everything locally, offline")
    dev.add_argument("--port", type=int, default=None, help="web port (default: PORT or 8000)")
    dev.add_argument("--devstore-port", type=int, default=8100)
    dev.add_argument("--smtp-port", type=int, default=8025)
    dev.add_argument("--seed-orders", type=int, default=500)
    dev.add_argument("--seed-customers", type=int, default=150)

    serve = commands.add_parser("serve", help="production web server")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server listens on all interfaces
    serve.add_argument("--port", type=int, default=None, help="default: PORT or 8000")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")

    worker = commands.add_parser("worker", help="production background worker")
    worker.add_argument("--check", action="store_true", help="exit 0 if a worker is alive (arq health check)")

    commands.add_parser("migrate", help="apply database migrations")

    sync = commands.add_parser("sync", help="import a shop's customers and orders now")
    sync.add_argument("shop", help="the shop's myshopify.com domain, or just its name")

    make = commands.add_parser("makemigrations", help="write the next migration for both dialects")
    make.add_argument("name")
    make.add_argument("--database-url", help=argparse.SUPPRESS)  # one dialect, in this process
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        return COMMANDS[args.command](args)
    except SettingsError as exc:
        print(f"aftercare: configuration error: {exc}", file=sys.stderr)
        return 2


def cmd_dev(args: argparse.Namespace) -> int:
    from app.devrunner import run_dev

    return run_dev(args)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.embedded.runtime import embedded_redis_if_needed

    settings = load_settings()
    require_serving_settings(settings)
    with embedded_redis_if_needed(settings) as url:
        # uvicorn's worker processes build their own app from the environment.
        os.environ["REDIS_URL"] = url
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port or settings.port,
            workers=args.workers,
            proxy_headers=True,
            forwarded_allow_ips="*",
            log_level="info",
        )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from arq.worker import check_health, run_worker

    from app.embedded.runtime import embedded_redis_if_needed
    from app.queue import redis_settings
    from jobs.worker import WorkerSettings

    settings = load_settings()
    if args.check:
        from app.queue import redis_url

        # arq reads redis_settings off the class it is given.
        checked = type(
            "CheckedWorker", (WorkerSettings,), {"redis_settings": redis_settings(redis_url(settings))}
        )
        return check_health(checked)
    require_serving_settings(settings)
    with embedded_redis_if_needed(settings) as url:
        os.environ["REDIS_URL"] = url
        run_worker(WorkerSettings, redis_settings=redis_settings(url))  # type: ignore[arg-type]
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.migrations import apply_migrations

    settings = load_settings()
    applied = asyncio.run(apply_migrations(settings.database_url))
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def cmd_makemigrations(args: argparse.Namespace) -> int:
    from app.migrations import make_migrations, write_migration

    if args.database_url:
        print(asyncio.run(write_migration(args.database_url, args.name)) or "no changes")
        return 0
    for dialect, written in make_migrations(args.name).items():
        print(f"{dialect}: {written}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from app.embedded.runtime import embedded_redis_if_needed
    from app.services.sync.foreground import sync_shop_command

    settings = load_settings()
    # Redis only guards token refreshes here; the import itself runs in this process.
    with embedded_redis_if_needed(settings) as url:
        return asyncio.run(sync_shop_command(settings, url, args.shop, sys.stdout))


COMMANDS = {
    "dev": cmd_dev,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "migrate": cmd_migrate,
    "makemigrations": cmd_makemigrations,
    "sync": cmd_sync,
}
