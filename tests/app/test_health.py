"""Liveness and readiness: /readyz answers 200 only when the database and Redis both answer."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.embedded.redis import EmbeddedRedis
from app.main import create_app
from app.settings import Settings, load_settings
from tests.support.asgi import serve_in_process


async def test_healthz_answers_while_the_process_runs(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_when_database_and_redis_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_is_503_when_redis_is_down(settings: Settings, tmp_path: Path) -> None:
    redis = EmbeddedRedis(tmp_path / "doomed-redis").start()
    env = {
        "AFTERCARE_PLATFORM_URL": settings.platform_url or "",
        "AFTERCARE_VAR_DIR": str(settings.var_dir),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis.url,
    }
    app = create_app(load_settings(env))
    try:
        async with serve_in_process(app) as client:
            assert (await client.get("/readyz")).status_code == 200
            redis.stop()
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"] == {"database": "ok", "redis": "down"}
            assert (await client.get("/healthz")).status_code == 200
    finally:
        redis.stop()


async def test_the_app_starts_while_redis_is_down_and_reports_it(settings: Settings, tmp_path: Path) -> None:
    env = {
        "AFTERCARE_PLATFORM_URL": settings.platform_url or "",
        "AFTERCARE_VAR_DIR": str(settings.var_dir),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": f"unix://{tmp_path}/nobody-here.sock",
    }
    async with serve_in_process(create_app(load_settings(env))) as client:
        assert (await client.get("/readyz")).status_code == 503


async def test_every_response_carries_the_baseline_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_an_unknown_path_is_a_404_and_a_wrong_method_a_405(client: httpx.AsyncClient) -> None:
    assert (await client.get("/no-such-page")).status_code == 404
    assert (await client.post("/healthz")).status_code == 405
