"""The app as Shopify knows it: client credentials, URL, scopes and webhook subscriptions.

Shopify keeps this from the Partner Dashboard and ``shopify app deploy``; the devstore reads the
same ``shopify.app.toml`` and takes the credentials and URL from its command line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

# The app's development defaults (app/settings.py): the devstore is told them, never imports them.
DEV_CLIENT_ID = "aftercare-dev-client-id"
DEV_CLIENT_SECRET = "aftercare-dev-client-secret"  # noqa: S105 - a dev-only default
DEV_APP_URL = "http://127.0.0.1:8000"
DEFAULT_APP_CONFIG = Path(__file__).resolve().parents[2] / "shopify.app.toml"


@dataclass(frozen=True)
class AppRegistration:
    client_id: str
    client_secret: str = field(repr=False)
    app_url: str
    name: str
    handle: str
    scopes: tuple[str, ...]
    api_version: str
    # topic -> absolute URI, for every topic of every [[webhooks.subscriptions]] entry
    subscriptions: Mapping[str, str]
    compliance_topics: frozenset[str]

    @property
    def app_origin(self) -> str:
        parts = urlsplit(self.app_url)
        return f"{parts.scheme}://{parts.netloc}"

    def is_app(self, identifier: str) -> bool:
        """Admin URLs name an app by client id or by handle (``/admin/apps/{handle}``)."""
        return identifier in {self.client_id, self.handle}

    def app_url_for(self, sub_path: str) -> str:
        """The app URL with ``sub_path`` (an admin URL's part after ``/apps/{id}``) appended."""
        return self.app_url.rstrip("/") + "/" + sub_path.lstrip("/")

    def webhook_uri(self, topic: str) -> str | None:
        return self.subscriptions.get(topic)


def load_registration(
    config_path: Path = DEFAULT_APP_CONFIG,
    *,
    client_id: str = DEV_CLIENT_ID,
    client_secret: str = DEV_CLIENT_SECRET,
    app_url: str = DEV_APP_URL,
) -> AppRegistration:
    """Read ``shopify.app.toml``; relative webhook URIs resolve against ``app_url`` (as Shopify
    resolves them against ``application_url``, which ``shopify app dev`` points at the dev server)."""
    with config_path.open("rb") as file:
        config = tomllib.load(file)
    base = app_url.rstrip("/")
    webhooks = config.get("webhooks", {})
    subscriptions: dict[str, str] = {}
    compliance: set[str] = set()
    for entry in webhooks.get("subscriptions", []):
        uri = base + entry["uri"] if entry["uri"].startswith("/") else entry["uri"]
        for topic in entry.get("topics", []):
            subscriptions.setdefault(topic, uri)
        for topic in entry.get("compliance_topics", []):
            subscriptions.setdefault(topic, uri)
            compliance.add(topic)
    scopes = config.get("access_scopes", {}).get("scopes", "")
    return AppRegistration(
        client_id=client_id,
        client_secret=client_secret,
        app_url=app_url.rstrip("/"),
        name=config.get("name", "App"),
        handle=config.get("handle", client_id),
        scopes=tuple(s.strip() for s in scopes.split(",") if s.strip()),
        api_version=webhooks.get("api_version", "2026-10"),
        subscriptions=MappingProxyType(subscriptions),
        compliance_topics=frozenset(compliance),
    )
