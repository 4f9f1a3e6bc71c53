"""Every environment variable the app reads, typed, read once.

Nothing else in the project reads ``os.environ``. ``load_settings()`` parses and type-checks every
variable (a malformed value always stops start-up, naming the variable). Which variables are
*required* depends on the mode:

- **production** — ``AFTERCARE_PLATFORM_URL`` is unset, so the app talks to the real platforms:
  the platform credentials, ``SECRET_KEY`` and ``TOKEN_ENCRYPTION_KEYS`` must be set
  (``require_serving_settings``, called by ``serve`` and ``worker``).
- **development** (``dev``, tests, benchmarks) — ``AFTERCARE_PLATFORM_URL`` points at the devstore;
  every secret has an offline default, and the generated keys are kept under ``var/`` so that data
  encrypted by one run can be read by the next.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from starlette.config import Config
from starlette.datastructures import Secret

DEFAULT_API_VERSION = "2026-10"
DEFAULT_SCOPES = "read_orders,write_orders,read_customers,read_fulfillments,read_returns,write_returns"
DEV_SHOPIFY_API_KEY = "aftercare-dev-client-id"
DEV_SHOPIFY_API_SECRET = "aftercare-dev-client-secret"  # noqa: S105 - a dev-only default
DEV_BIGCOMMERCE_CLIENT_ID = "aftercare-dev-bc-client-id"
DEV_BIGCOMMERCE_CLIENT_SECRET = "aftercare-dev-bc-client-secret"  # noqa: S105
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg")
REDIS_SCHEMES = ("redis", "rediss", "unix")
MAX_TIMEOUT_SECONDS = 600.0


class SettingsError(Exception):
    """A setting is missing or malformed; ``variable`` names it."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    shopify_api_key: str
    shopify_api_secret: Secret
    shopify_api_secret_old: Secret | None
    scopes: str
    app_url: str
    shopify_api_version: str
    bigcommerce_client_id: str
    bigcommerce_client_secret: Secret
    database_url: str
    redis_url: str | None
    smtp_url: str
    secret_key: Secret
    token_encryption_keys: tuple[str, ...] = field(repr=False)
    platform_url: str | None
    port: int
    var_dir: Path
    app_bridge_url: str
    polaris_url: str
    # Seconds to wait for a platform's answer (connecting has its own short limit).
    platform_http_timeout: float = 30.0
    # Development and tests only: the worker's clock runs this far from real time (``app.clock``).
    clock_offset: timedelta = timedelta(0)

    @property
    def production(self) -> bool:
        return self.platform_url is None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Parse the environment (``os.environ`` unless given) into ``Settings``."""
    env = dict(os.environ if environ is None else environ)
    config = Config(environ=env)

    var_dir = Path(config("AFTERCARE_VAR_DIR", default="var")).resolve()
    platform_url = _optional_url(config, "AFTERCARE_PLATFORM_URL", ("http", "https"))
    production = platform_url is None
    dev_secrets = _DevSecrets(var_dir) if not production else None

    def secret(name: str, dev_default: str) -> Secret:
        value = config(name, default="")
        if value:
            return Secret(value)
        return Secret(dev_default if not production else "")

    app_url = (
        config("SHOPIFY_APP_URL", default="") or config("HOST", default="") or config("APP_URL", default="")
    )
    port = _int(config, "PORT", 8000)
    if not app_url:
        app_url = f"http://127.0.0.1:{port}"
    _check_url("SHOPIFY_APP_URL", app_url, ("http", "https"))

    keys_value = config("TOKEN_ENCRYPTION_KEYS", default="")
    if keys_value:
        keys = tuple(k.strip() for k in keys_value.split(",") if k.strip())
    elif dev_secrets is not None:
        keys = (dev_secrets.get("token_encryption_key", _new_fernet_key),)
    else:
        keys = ()
    for key in keys:
        _check_fernet_key(key)

    secret_key_value = config("SECRET_KEY", default="")
    if not secret_key_value and dev_secrets is not None:
        secret_key_value = dev_secrets.get("secret_key", lambda: secrets.token_urlsafe(48))
    if secret_key_value and len(secret_key_value) < 32:
        raise SettingsError("SECRET_KEY", "must be at least 32 characters")

    old_secret = config("SHOPIFY_API_SECRET_OLD", default="")
    return Settings(
        shopify_api_key=config("SHOPIFY_API_KEY", default="")
        or (DEV_SHOPIFY_API_KEY if not production else ""),
        shopify_api_secret=secret("SHOPIFY_API_SECRET", DEV_SHOPIFY_API_SECRET),
        shopify_api_secret_old=Secret(old_secret) if old_secret else None,
        scopes=config("SCOPES", default=DEFAULT_SCOPES),
        app_url=app_url.rstrip("/"),
        shopify_api_version=_api_version(config("SHOPIFY_API_VERSION", default=DEFAULT_API_VERSION)),
        bigcommerce_client_id=config("BIGCOMMERCE_CLIENT_ID", default="")
        or (DEV_BIGCOMMERCE_CLIENT_ID if not production else ""),
        bigcommerce_client_secret=secret("BIGCOMMERCE_CLIENT_SECRET", DEV_BIGCOMMERCE_CLIENT_SECRET),
        database_url=_database_url(config, var_dir),
        redis_url=_optional_url(config, "REDIS_URL", REDIS_SCHEMES),
        smtp_url=_smtp_url(config),
        secret_key=Secret(secret_key_value),
        token_encryption_keys=keys,
        platform_url=platform_url.rstrip("/") if platform_url else None,
        port=port,
        var_dir=var_dir,
        app_bridge_url=config("APP_BRIDGE_URL", default="https://cdn.shopify.com/shopifycloud/app-bridge.js"),
        polaris_url=config("POLARIS_URL", default="https://cdn.shopify.com/shopifycloud/polaris.js"),
        platform_http_timeout=_seconds(config, "PLATFORM_HTTP_TIMEOUT", 30.0),
        clock_offset=_clock_offset(config, production),
    )


def require_serving_settings(settings: Settings) -> None:
    """Stop a production ``serve``/``worker`` that lacks what it needs to talk to a platform."""
    if not settings.production:
        return
    if not settings.token_encryption_keys:
        raise SettingsError("TOKEN_ENCRYPTION_KEYS", "is required in production")
    if not str(settings.secret_key):
        raise SettingsError("SECRET_KEY", "is required in production")
    shopify = bool(settings.shopify_api_key) or bool(str(settings.shopify_api_secret))
    bigcommerce = bool(settings.bigcommerce_client_id) or bool(str(settings.bigcommerce_client_secret))
    if not shopify and not bigcommerce:
        raise SettingsError(
            "SHOPIFY_API_KEY", "is required in production (or BIGCOMMERCE_CLIENT_ID for BigCommerce)"
        )
    if shopify:
        if not settings.shopify_api_key:
            raise SettingsError("SHOPIFY_API_KEY", "is required when SHOPIFY_API_SECRET is set")
        if not str(settings.shopify_api_secret):
            raise SettingsError("SHOPIFY_API_SECRET", "is required in production")
    if bigcommerce:
        if not settings.bigcommerce_client_id:
            raise SettingsError("BIGCOMMERCE_CLIENT_ID", "is required with BIGCOMMERCE_CLIENT_SECRET")
        if not str(settings.bigcommerce_client_secret):
            raise SettingsError("BIGCOMMERCE_CLIENT_SECRET", "is required with BIGCOMMERCE_CLIENT_ID")
    if not settings.app_url.startswith("https://"):
        raise SettingsError("SHOPIFY_APP_URL", "must be an https:// URL in production")


def _int(config: Config, name: str, default: int) -> int:
    try:
        value = config(name, cast=int, default=default)
    except ValueError as exc:
        raise SettingsError(name, "must be a whole number") from exc
    if not 0 < value < 65536:
        raise SettingsError(name, "must be a port number from 1 to 65535")
    return int(value)


def _seconds(config: Config, name: str, default: float) -> float:
    try:
        value = float(config(name, default=str(default)))
    except ValueError as exc:
        raise SettingsError(name, "must be a number of seconds") from exc
    # A zero or unbounded wait would hang a job on a platform that never answers.
    if not 0 < value <= MAX_TIMEOUT_SECONDS:
        raise SettingsError(name, f"must be more than 0 and at most {MAX_TIMEOUT_SECONDS:.0f} seconds")
    return value


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise SettingsError(name, f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")


def _optional_url(config: Config, name: str, schemes: tuple[str, ...]) -> str | None:
    value = config(name, default="")
    if not value:
        return None
    _check_url(name, value, schemes)
    return str(value)


def _database_url(config: Config, var_dir: Path) -> str:
    value = config("DATABASE_URL", default="")
    if not value:
        return f"sqlite://{var_dir / 'aftercare.sqlite3'}"
    scheme = urlsplit(value).scheme
    if scheme not in DATABASE_SCHEMES:
        raise SettingsError("DATABASE_URL", "must start with sqlite:// or postgres://")
    return str(value)


def _clock_offset(config: Config, production: bool) -> timedelta:
    """``AFTERCARE_CLOCK_OFFSET`` in seconds: time travel for the worker of a dev or test stack,
    applied at its start-up. Never in production: surveys would go out early."""
    value = config("AFTERCARE_CLOCK_OFFSET", default="")
    if not value:
        return timedelta(0)
    if production:
        raise SettingsError("AFTERCARE_CLOCK_OFFSET", "is for development and tests only; unset it")
    try:
        return timedelta(seconds=float(value))
    except (ValueError, OverflowError) as exc:
        raise SettingsError("AFTERCARE_CLOCK_OFFSET", "must be a number of seconds") from exc


def _smtp_url(config: Config) -> str:
    value = config("SMTP_URL", default="smtp://127.0.0.1:8025")
    _check_url("SMTP_URL", value, ("smtp", "smtps"))
    return str(value)


def _api_version(value: str) -> str:
    parts = value.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or parts[1] not in {"01", "04", "07", "10"}:
        raise SettingsError("SHOPIFY_API_VERSION", "must be a stable version such as 2026-10")
    return value


def _check_fernet_key(key: str) -> None:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError) as exc:
        raise SettingsError("TOKEN_ENCRYPTION_KEYS", "each key must be url-safe base64") from exc
    if len(raw) != 32:
        raise SettingsError(
            "TOKEN_ENCRYPTION_KEYS", "each key must be 32 bytes in url-safe base64 (Fernet.generate_key())"
        )


def _new_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


class _DevSecrets:
    """Secrets generated once for development and kept in ``var/dev-secrets.json``."""

    def __init__(self, var_dir: Path) -> None:
        self.path = var_dir / "dev-secrets.json"

    def get(self, name: str, make: Callable[[], str]) -> str:
        values: dict[str, str] = {}
        if self.path.exists():
            values = json.loads(self.path.read_text())
        if name not in values:
            values[name] = make()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(values, indent=2))
            tmp.chmod(0o600)
            tmp.replace(self.path)
        return values[name]
