"""The store's API quota: every answer reports it, other apps on the store spend it too, and over
quota the answer is 429 with X-Retry-After until the window refreshes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.devstore.test_bigcommerce_support import API, CONTROL, auth, devstore, install

RATE_HEADERS = (
    "x-rate-limit-requests-left",
    "x-rate-limit-requests-quota",
    "x-rate-limit-time-reset-ms",
    "x-rate-limit-time-window-ms",
)


async def test_every_answer_carries_the_rate_limit_headers(tmp_path: Path) -> None:
    async with devstore(tmp_path, quota=10, window_ms=30_000) as client:
        headers = auth(await install(client))
        answers = [
            await client.get(f"{API}/v2/orders", headers=headers),
            await client.get(f"{API}/v2/orders", params={"page": 9}, headers=headers),  # 204
            await client.get(f"{API}/v3/customers", headers=headers),
            await client.get(f"{API}/v2/orders/424242", headers=headers),  # 404
            await client.get(f"{API}/v3/hooks", headers=headers),
        ]
    assert [a.status_code for a in answers] == [200, 204, 200, 404, 200]
    assert all(name in a.headers for a in answers for name in RATE_HEADERS)
    assert [int(a.headers["x-rate-limit-requests-left"]) for a in answers] == [9, 8, 7, 6, 5]
    assert {a.headers["x-rate-limit-requests-quota"] for a in answers} == {"10"}
    assert {a.headers["x-rate-limit-time-window-ms"] for a in answers} == {"30000"}
    assert all(0 < int(a.headers["x-rate-limit-time-reset-ms"]) <= 30_000 for a in answers)


async def test_over_quota_is_429_with_x_retry_after(tmp_path: Path) -> None:
    async with devstore(tmp_path, quota=3, window_ms=30_000) as client:
        headers = auth(await install(client))
        answers = [await client.get(f"{API}/v2/orders", headers=headers) for _ in range(4)]
        counters = (await client.get(f"{CONTROL}/rate-limit")).json()
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    throttled = answers[-1]
    assert throttled.headers["x-rate-limit-requests-left"] == "0"
    assert 1 <= int(throttled.headers["x-retry-after"]) <= 30
    assert int(throttled.headers["x-retry-after"]) * 1000 >= int(
        throttled.headers["x-rate-limit-time-reset-ms"]
    )
    assert counters["requests"] == 4 and counters["throttled"] == 1


async def test_other_apps_share_the_window_and_it_refreshes(tmp_path: Path) -> None:
    async with devstore(tmp_path, quota=5, window_ms=200) as client:
        headers = auth(await install(client))
        spent = (await client.post(f"{CONTROL}/rate-limit", json={"spend": 4})).json()
        mine = await client.get(f"{API}/v2/orders", headers=headers)
        refused = await client.get(f"{API}/v2/orders", headers=headers)
        await asyncio.sleep(int(refused.headers["x-rate-limit-time-reset-ms"]) / 1000 + 0.05)
        later = await client.get(f"{API}/v2/orders", headers=headers)
    assert spent["left"] == 1 and spent["spent_by_others"] == 4
    assert mine.status_code == 200 and mine.headers["x-rate-limit-requests-left"] == "0"
    assert refused.status_code == 429
    assert later.status_code == 200 and later.headers["x-rate-limit-requests-left"] == "4"


async def test_refused_tokens_spend_no_quota(tmp_path: Path) -> None:
    async with devstore(tmp_path, quota=2) as client:
        headers = auth(await install(client))
        refused = [await client.get(f"{API}/v2/orders", headers=auth("wrong")) for _ in range(3)]
        admitted = await client.get(f"{API}/v2/orders", headers=headers)
    assert [r.status_code for r in refused] == [401, 401, 401]
    assert refused[0].headers["x-rate-limit-requests-left"] == "2"
    assert admitted.status_code == 200 and admitted.headers["x-rate-limit-requests-left"] == "1"
