"""Settings: every variable typed, offline defaults in development, a clear stop in production."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.settings import SettingsError, load_settings, require_serving_settings

KEY = Fernet.generate_key().decode()


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "AFTERCARE_VAR_DIR": str(tmp_path),
        "SHOPIFY_API_KEY": "client-id",
        "SHOPIFY_API_SECRET": "client-secret",
        "SHOPIFY_APP_URL": "https://aftercare.example.com",
        "SECRET_KEY": "s" * 40,
        "TOKEN_ENCRYPTION_KEYS": KEY,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def test_development_works_offline_with_no_variables(tmp_path: Path) -> None:
    settings = load_settings(
        {"AFTERCARE_PLATFORM_URL": "http://127.0.0.1:8100", "AFTERCARE_VAR_DIR": str(tmp_path)}
    )
    assert not settings.production
    assert settings.shopify_api_version == "2026-10"
    assert settings.database_url == f"sqlite://{tmp_path}/aftercare.sqlite3"
    assert settings.redis_url is None
    assert settings.port == 8000
    assert len(settings.token_encryption_keys) == 1
    assert len(str(settings.secret_key)) >= 32


def test_development_keys_are_kept_so_the_next_run_can_decrypt(tmp_path: Path) -> None:
    env = {"AFTERCARE_PLATFORM_URL": "http://127.0.0.1:8100", "AFTERCARE_VAR_DIR": str(tmp_path)}
    first, second = load_settings(env), load_settings(env)
    assert first.token_encryption_keys == second.token_encryption_keys
    assert str(first.secret_key) == str(second.secret_key)
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_production_settings_pass_when_complete(tmp_path: Path) -> None:
    settings = load_settings(production_env(tmp_path))
    assert settings.production
    require_serving_settings(settings)


@pytest.mark.parametrize(
    "variable", ["SHOPIFY_API_SECRET", "SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "SHOPIFY_API_KEY"]
)
def test_production_without_a_required_variable_names_it(tmp_path: Path, variable: str) -> None:
    settings = load_settings(production_env(tmp_path, **{variable: ""}))
    with pytest.raises(SettingsError) as error:
        require_serving_settings(settings)
    assert error.value.variable == variable


def test_production_requires_https_app_url(tmp_path: Path) -> None:
    settings = load_settings(production_env(tmp_path, SHOPIFY_APP_URL="http://aftercare.example.com"))
    with pytest.raises(SettingsError, match="SHOPIFY_APP_URL"):
        require_serving_settings(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("DATABASE_URL", "mysql://db/aftercare"),
        ("REDIS_URL", "http://redis"),
        ("TOKEN_ENCRYPTION_KEYS", "not-a-key"),
        ("TOKEN_ENCRYPTION_KEYS", f"{KEY},c2hvcnQ="),
        ("SHOPIFY_API_VERSION", "2026-11"),
        ("SHOPIFY_API_VERSION", "latest"),
        ("SECRET_KEY", "short"),
        ("SMTP_URL", "mail.example.com"),
        ("AFTERCARE_PLATFORM_URL", "ftp://devstore"),
    ],
)
def test_a_malformed_value_stops_loading_and_names_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(production_env(tmp_path, **{variable: value}))
    assert error.value.variable == variable


def test_app_url_falls_back_to_the_shopify_cli_variables(tmp_path: Path) -> None:
    env = production_env(tmp_path, SHOPIFY_APP_URL="", HOST="https://tunnel.example.com/")
    assert load_settings(env).app_url == "https://tunnel.example.com"
    env = production_env(tmp_path, SHOPIFY_APP_URL="", APP_URL="https://app.example.com")
    assert load_settings(env).app_url == "https://app.example.com"


def test_secrets_do_not_show_in_the_settings_repr(tmp_path: Path) -> None:
    text = repr(load_settings(production_env(tmp_path, SHOPIFY_API_SECRET="supersecret-value")))
    assert "supersecret-value" not in text
    assert KEY not in text
    assert "s" * 40 not in text


def test_external_servers_are_taken_from_the_urls(tmp_path: Path) -> None:
    settings = load_settings(
        production_env(
            tmp_path, DATABASE_URL="postgres://u:p@db:5432/aftercare", REDIS_URL="redis://cache:6379/2"
        )
    )
    assert settings.database_url == "postgres://u:p@db:5432/aftercare"
    assert settings.redis_url == "redis://cache:6379/2"


def test_the_platform_http_timeout_defaults_to_thirty_seconds_and_can_be_set(tmp_path: Path) -> None:
    assert load_settings(production_env(tmp_path)).platform_http_timeout == 30.0
    assert load_settings(production_env(tmp_path, PLATFORM_HTTP_TIMEOUT="2.5")).platform_http_timeout == 2.5


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf", "601"])
def test_a_platform_http_timeout_that_could_hang_or_never_wait_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(production_env(tmp_path, PLATFORM_HTTP_TIMEOUT=value))
    assert error.value.variable == "PLATFORM_HTTP_TIMEOUT"


def test_a_clock_offset_moves_a_development_stack_in_time(tmp_path: Path) -> None:
    dev = {"AFTERCARE_PLATFORM_URL": "http://127.0.0.1:8100", "AFTERCARE_VAR_DIR": str(tmp_path)}
    assert load_settings(dev).clock_offset == timedelta(0)
    assert load_settings({**dev, "AFTERCARE_CLOCK_OFFSET": "604860"}).clock_offset == timedelta(
        days=7, minutes=1
    )
    with pytest.raises(SettingsError) as refused:
        load_settings({**dev, "AFTERCARE_CLOCK_OFFSET": "a week"})
    assert refused.value.variable == "AFTERCARE_CLOCK_OFFSET"


def test_production_refuses_a_clock_offset(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(production_env(tmp_path, AFTERCARE_CLOCK_OFFSET="60"))
    assert refused.value.variable == "AFTERCARE_CLOCK_OFFSET"
    assert "development and tests only" in refused.value.problem
