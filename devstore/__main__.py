"""``python -m devstore``: serve the devstore (seeding the demo shop and the BigCommerce demo store
first); ``... seed``: only seed.

python -m devstore --port 8100 --db var/devstore.sqlite3 --smtp-port 8025 [--seed-orders 500 ...]
    [--app-url http://127.0.0.1:8000 --shopify-api-key ... --shopify-api-secret ...]
    [--bigcommerce-store demobc --bigcommerce-client-id ... --bigcommerce-client-secret ...]
python -m devstore seed --orders 10000 --customers 3000 --seed 7 --db var/devstore.sqlite3 --shop x.myshopify.com
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import uvicorn

from devstore.app import create_devstore_app
from devstore.bigcommerce.rate_limit import DEFAULT_QUOTA, DEFAULT_WINDOW_MS
from devstore.bigcommerce.registration import DEV_CLIENT_ID as DEV_BIGCOMMERCE_CLIENT_ID
from devstore.bigcommerce.registration import DEV_CLIENT_SECRET as DEV_BIGCOMMERCE_CLIENT_SECRET
from devstore.models import Platform
from devstore.seed import DEFAULT_NOW
from devstore.shopify.registration import DEFAULT_APP_CONFIG, DEV_APP_URL, DEV_CLIENT_ID, DEV_CLIENT_SECRET
from devstore.shopify.webhooks import DEFAULT_RETRY_DELAY
from devstore.store import DevStore

logger = logging.getLogger("devstore")

DEFAULT_SHOP = "demo.myshopify.com"
# A BigCommerce store is named by its store hash (``stores/{hash}``), not a domain.
DEFAULT_BIGCOMMERCE_STORE = "demobc"


def _now(value: str) -> datetime:
    """``real`` (the default: demo data dated up to today), ``fixed`` (the seed's fixed date) or ISO 8601."""
    if value == "real":
        return datetime.now(UTC)
    if value == "fixed":
        return DEFAULT_NOW
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not 'real', 'fixed' or an ISO 8601 date: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _platform_of(domain: str, chosen: str | None) -> Platform:
    if chosen:
        return Platform(chosen)
    return Platform.SHOPIFY if domain.endswith(".myshopify.com") else Platform.BIGCOMMERCE


def _add_seed_options(parser: argparse.ArgumentParser, prefix: str, orders: int, customers: int) -> None:
    parser.add_argument(
        f"--{prefix}orders", dest="orders", type=int, default=orders, help="orders to generate"
    )
    parser.add_argument(f"--{prefix}customers", dest="customers", type=int, default=customers)
    parser.add_argument("--seed", type=int, default=42, help="same seed, same data")
    parser.add_argument("--shop", default=DEFAULT_SHOP, help="the shop's domain")
    parser.add_argument(
        "--platform",
        choices=[p.value for p in Platform],
        help="default: shopify for *.myshopify.com, else bigcommerce",
    )
    parser.add_argument(
        "--now",
        type=_now,
        default="real",
        help="dates end here: 'real' (default), 'fixed' or an ISO 8601 datetime",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstore", description="A local stand-in for Shopify and BigCommerce."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--db", type=Path, default=Path("var/devstore.sqlite3"))
    parser.add_argument("--smtp-host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=8025, help="the mail sink's port (0: any free port)")
    parser.add_argument(
        "--app-url",
        default=DEV_APP_URL,
        help="the Aftercare app this devstore serves: framed by the admin, sent webhooks",
    )
    parser.add_argument("--shopify-api-key", default=DEV_CLIENT_ID, help="the app's Shopify client id")
    parser.add_argument(
        "--shopify-api-secret",
        default=DEV_CLIENT_SECRET,
        help="the app's Shopify client secret (signs session tokens, HMACs and webhooks)",
    )
    parser.add_argument(
        "--app-config",
        type=Path,
        default=DEFAULT_APP_CONFIG,
        help="the app's shopify.app.toml (scopes and webhook subscriptions)",
    )
    parser.add_argument(
        "--webhook-retry-delay",
        type=float,
        default=DEFAULT_RETRY_DELAY,
        help="seconds before a failed webhook's first retry (doubling for each of the 8 retries)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument(
        "--bigcommerce-store",
        default=DEFAULT_BIGCOMMERCE_STORE,
        help="the BigCommerce demo store's hash, seeded like the shop ('' for none)",
    )
    parser.add_argument(
        "--bigcommerce-client-id", default=DEV_BIGCOMMERCE_CLIENT_ID, help="the app's BigCommerce client id"
    )
    parser.add_argument(
        "--bigcommerce-client-secret",
        default=DEV_BIGCOMMERCE_CLIENT_SECRET,
        help="the app's BigCommerce client secret (signs load JWTs and webhooks)",
    )
    parser.add_argument(
        "--bigcommerce-quota", type=int, default=DEFAULT_QUOTA, help="API requests per window, per store"
    )
    parser.add_argument("--bigcommerce-window-ms", type=int, default=DEFAULT_WINDOW_MS)
    _add_seed_options(parser, "seed-", orders=500, customers=150)

    commands = parser.add_subparsers(dest="command", metavar="{seed}")
    seed = commands.add_parser("seed", help="seed a shop without serving")
    seed.add_argument("--db", type=Path, default=Path("var/devstore.sqlite3"))
    _add_seed_options(seed, "", orders=500, customers=150)
    return parser


def seed_shop(args: argparse.Namespace) -> int:
    store = DevStore(args.db)
    store.create_schema()
    platform = _platform_of(args.shop, args.platform)
    try:
        report = store.seed(args.shop, platform, args.orders, args.customers, args.seed, now=args.now)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    state = "seeded" if report.created else "already seeded"
    print(
        f"{state}: {args.shop} ({platform.value}) with {args.orders} orders, {args.customers} customers in {args.db}"
    )
    return 0


def _exit_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(args: argparse.Namespace) -> int:
    store = DevStore(args.db)
    store.create_schema()
    platform = _platform_of(args.shop, args.platform)
    try:
        # A no-op once seeded; completes a seed that was interrupted.
        store.seed(args.shop, platform, args.orders, args.customers, args.seed, now=args.now)
    except ValueError as exc:
        logger.warning("%s: keeping the existing data", exc)
    if args.bigcommerce_store:
        try:
            store.seed(
                args.bigcommerce_store,
                Platform.BIGCOMMERCE,
                args.orders,
                args.customers,
                args.seed,
                now=args.now,
            )
        except ValueError as exc:
            logger.warning("%s: keeping the existing data", exc)
    app = create_devstore_app(
        args.db,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        app_url=args.app_url,
        shopify_api_key=args.shopify_api_key,
        shopify_api_secret=args.shopify_api_secret,
        app_config=args.app_config,
        webhook_retry_delay=args.webhook_retry_delay,
        bigcommerce_client_id=args.bigcommerce_client_id,
        bigcommerce_client_secret=args.bigcommerce_client_secret,
        bigcommerce_quota=args.bigcommerce_quota,
        bigcommerce_window_ms=args.bigcommerce_window_ms,
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level, lifespan="on")
    )
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-sends the signal to the previous handler:
    # make that handler a clean exit rather than a traceback or a kill.
    signal.signal(signal.SIGTERM, _exit_quietly)
    signal.signal(signal.SIGINT, _exit_quietly)
    server.run()
    return 0 if server.started else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.command == "seed":
        return seed_shop(args)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
