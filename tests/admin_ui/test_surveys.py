"""The surveys dashboard, its CSV and the webhook setting, as shop staff see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest

from app.clock import utcnow
from app.models import AuditEvent, Customer, Shop
from app.services.outgoing_webhooks import endpoint_of
from app.services.shops import token_cipher
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed
from tests.app.services.test_survey_stats import survey

XSS = '<script>alert("x")</script>'


def this_week() -> str:
    today = utcnow().date()
    return f"from={(today - timedelta(days=6)).isoformat()}&to={today.isoformat()}"


async def seeded(shop: Shop, who: str) -> Customer:
    customer = await Customer.create(
        shop=shop, platform_id=f"c-{who}", email=f"{who}@example.com", first_name=who.title()
    )
    now = utcnow()
    await survey(
        shop, 5, at=now - timedelta(hours=3), skus=[(f"SKU-{who}", f"Mug {who}")], resolution="refund"
    )
    await survey(shop, 2, at=now - timedelta(hours=2), comment=f"{who} says {XSS}", customer=customer)
    await survey(shop, None, at=now - timedelta(hours=1))
    return customer


async def test_the_dashboard_shows_the_figures_chart_and_escaped_comments(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    ann = await seeded(shop, "ann")

    response = await client.get(f"/surveys?kind=csat&{this_week()}", headers=as_staff_of(settings, SHOP_A))

    assert response.status_code == 200, response.text[:300]
    page = response.text
    assert '<p class="metric">50.0%</p>' in page, "CSAT: one of two answers is 4-5"
    assert '<p class="metric">66.7%</p>' in page, "response rate: 2 answered of 3 sent"
    assert '<svg class="chart"' in page and 'role="img"' in page and '<title id="trend-svg-title">' in page
    assert "<details><summary>Trend as a table</summary>" in page
    assert "Mug ann (SKU-ann)" in page and "Refund" in page
    assert XSS not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert f'href="/customers/{ann.id}"' in page
    assert response.headers["content-security-policy"].startswith(f"frame-ancestors https://{SHOP_A} ")


async def test_shop_b_never_shows_in_shop_a_dashboard_or_csv(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await seeded(await installed(settings, SHOP_A), "ann")
    await seeded(await installed(settings, SHOP_B), "bob")
    headers = as_staff_of(settings, SHOP_A)

    page = (await client.get(f"/surveys?{this_week()}", headers=headers)).text
    export = (await client.get(f"/surveys.csv?{this_week()}", headers=headers)).text

    for text in (page, export):
        assert "ann" in text.lower() and "bob" not in text.lower()


async def test_the_csv_is_streamed_quoted_and_formula_safe(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    await survey(shop, 1, at=utcnow() - timedelta(hours=1), comment='=cmd|"/c calc"!A1, "quoted"')

    response = await client.get(f"/surveys.csv?{this_week()}", headers=as_staff_of(settings, SHOP_A))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="surveys-csat-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1 and rows[0]["comment"] == '\'=cmd|"/c calc"!A1, "quoted"'


@pytest.mark.parametrize(
    "query", ["from=2026-02-30", "to=soon", "from=2026-03-02&to=2026-03-01", "kind=stars", "before=%%%"]
)
async def test_bad_filters_are_a_400_with_a_message(
    query: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    await installed(settings, SHOP_A)
    for path in ("/surveys", "/surveys.csv"):
        if path.endswith(".csv") and query.startswith("before"):
            continue
        response = await client.get(f"{path}?{query}", headers=as_staff_of(settings, SHOP_A))
        assert response.status_code == 400, (path, query)
        assert "<h1>Bad Request</h1>" in response.text


async def test_the_webhook_setting_makes_and_shows_a_secret(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await installed(settings, SHOP_A)
    headers = as_staff_of(settings, SHOP_A)

    bad = await client.post("/surveys/webhook", headers=headers, data={"url": "ftp://x"})
    saved = await client.post(
        "/surveys/webhook", headers=headers, data={"url": "https://hooks.example.com/a"}
    )

    assert bad.status_code == 422 and "Enter an https:// URL" in bad.text
    assert saved.status_code == 204 and saved.headers["x-aftercare-location"] == "/surveys/webhook?saved=1"
    endpoint = endpoint_of(await Shop.get(id=shop.id), token_cipher(settings))
    assert endpoint is not None and endpoint.url == "https://hooks.example.com/a"
    page = (await client.get("/surveys/webhook?saved=1", headers=headers)).text
    assert endpoint.secret in page and "Webhook saved." in page
    assert await AuditEvent.filter(shop_id=shop.id, subject_id="outgoing_webhook.url").count() == 1
