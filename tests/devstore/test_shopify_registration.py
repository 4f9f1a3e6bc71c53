"""The app as the devstore knows it: from shopify.app.toml and the command line, never from app.*."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from devstore.__main__ import build_parser
from devstore.shopify.registration import DEV_CLIENT_ID, DEV_CLIENT_SECRET, load_registration

ROOT = Path(__file__).resolve().parents[2]


def test_webhook_uris_resolve_against_the_app_url() -> None:
    app = load_registration(client_id="id", client_secret="secret", app_url="http://127.0.0.1:9000/")
    assert app.app_url == "http://127.0.0.1:9000" and app.app_origin == "http://127.0.0.1:9000"
    assert app.webhook_uri("orders/create") == "http://127.0.0.1:9000/webhooks/shopify"
    assert app.webhook_uri("app/uninstalled") == "http://127.0.0.1:9000/webhooks/shopify"
    assert app.webhook_uri("shop/redact") == "http://127.0.0.1:9000/webhooks/shopify/compliance"
    assert app.compliance_topics == {"customers/data_request", "customers/redact", "shop/redact"}
    assert app.webhook_uri("products/create") is None
    assert app.api_version == "2026-10" and app.handle == "aftercare" and app.name == "Aftercare"
    assert "read_orders" in app.scopes and "write_returns" in app.scopes
    assert app.is_app("id") and app.is_app("aftercare") and not app.is_app("other")


def test_an_absolute_uri_is_kept(tmp_path: Path) -> None:
    config = tmp_path / "shopify.app.toml"
    config.write_text(
        'name = "X"\n[webhooks]\napi_version = "2026-07"\n'
        '[[webhooks.subscriptions]]\ntopics = ["orders/create"]\nuri = "https://hooks.example/x"\n'
    )
    app = load_registration(config, app_url="http://127.0.0.1:9000")
    assert app.webhook_uri("orders/create") == "https://hooks.example/x"
    assert app.api_version == "2026-07" and app.scopes == ()


def test_the_command_line_defaults_are_the_apps_dev_credentials() -> None:
    from app.settings import DEV_SHOPIFY_API_KEY, DEV_SHOPIFY_API_SECRET

    args = build_parser().parse_args([])
    assert (DEV_CLIENT_ID, DEV_CLIENT_SECRET) == (DEV_SHOPIFY_API_KEY, DEV_SHOPIFY_API_SECRET)
    assert args.shopify_api_key == DEV_CLIENT_ID and args.shopify_api_secret == DEV_CLIENT_SECRET
    assert args.app_url == "http://127.0.0.1:8000"
    parsed = build_parser().parse_args(
        ["--app-url", "http://x:1", "--shopify-api-key", "k", "--shopify-api-secret", "s"]
    )
    assert (parsed.app_url, parsed.shopify_api_key, parsed.shopify_api_secret) == ("http://x:1", "k", "s")


def test_the_devstore_never_imports_the_app() -> None:
    probe = (
        "import sys, devstore.__main__, devstore.app\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {'app', 'connectors', 'tortoise'})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
