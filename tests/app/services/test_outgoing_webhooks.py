"""The outgoing webhook's rules: which URLs we call, the secret at rest, the SSRF guard."""

from __future__ import annotations

import json
from collections.abc import Awaitable

import httpx
import pytest
import respx

from app.clock import utcnow
from app.models import AuditEvent, Platform, Shop
from app.services.input import InvalidInput
from app.services.outgoing_webhooks import (
    SETTINGS_KEY,
    SIGNATURE_HEADER,
    Endpoint,
    Outcome,
    check_url,
    configure_endpoint,
    endpoint_of,
    post,
    sign,
    verify,
)
from app.services.shops import token_cipher
from app.settings import Settings

ENDPOINT = Endpoint("https://hooks.example.com/aftercare", "whsec_test")


def test_production_takes_https_only_and_dev_takes_http() -> None:
    assert check_url(" https://hooks.example.com/x ", production=True) == "https://hooks.example.com/x"
    assert check_url("http://localhost:9000/x", production=False) == "http://localhost:9000/x"
    bad_urls = (
        "http://hooks.example.com/x",
        "ftp://x",
        "https://",
        "https://u:p@hooks.example.com/",
        "https://shop.myshopify.com/admin",
        "https://api.bigcommerce.com/x",
    )
    for bad in bad_urls:
        with pytest.raises(InvalidInput):
            check_url(bad, production=True)


def test_a_receiver_can_verify_the_signature() -> None:
    body = b'{"score":1}'
    header = sign("whsec_test", body)
    assert header.startswith("sha256=") and verify("whsec_test", body, header)
    assert not verify("whsec_test", body + b" ", header)
    assert not verify("other", body, header)


async def test_the_secret_is_made_once_kept_encrypted_and_never_audited(db: Settings) -> None:
    shop = await Shop.create(platform=Platform.SHOPIFY, domain="a.myshopify.com", settings={"x": 1})
    cipher = token_cipher(db)

    def configure(url: str, rotate: bool = False) -> Awaitable[Endpoint | None]:
        return configure_endpoint(
            shop.id, url, cipher, production=False, rotate=rotate, actor="staff:a", staff_id=None
        )

    first = await configure("https://hooks.example.com/a")
    again = await configure("https://hooks.example.com/b")
    rotated = await configure("https://hooks.example.com/b", rotate=True)

    assert isinstance(first, Endpoint) and isinstance(again, Endpoint) and isinstance(rotated, Endpoint)
    assert first.secret == again.secret != rotated.secret and rotated.secret.startswith("whsec_")
    stored = await Shop.get(id=shop.id)
    assert stored.settings["x"] == 1, "other settings are kept"
    assert rotated.secret not in json.dumps(stored.settings)
    assert endpoint_of(stored, cipher) == rotated
    events = await AuditEvent.filter(shop_id=shop.id).order_by("id")
    assert [e.subject_id for e in events] == ["outgoing_webhook.url"] * 2 + ["outgoing_webhook.secret"]
    assert all(
        rotated.secret not in json.dumps(e.data) and first.secret not in json.dumps(e.data) for e in events
    )

    assert await configure("") is None
    assert SETTINGS_KEY not in (await Shop.get(id=shop.id)).settings


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
@respx.mock(assert_all_mocked=True)
async def test_production_refuses_private_and_loopback_addresses(url: str) -> None:
    async with httpx.AsyncClient() as http:
        attempt = await post(
            http, Endpoint(url, "s"), b"{}", sent_at=utcnow(), delivery_id="d", production=True
        )
    assert attempt.outcome is Outcome.REFUSED and "private or loopback" in attempt.detail
    assert not respx.calls


@respx.mock
async def test_production_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    async def public_dns(host: str, port: int) -> list[str]:
        assert (host, port) == ("hooks.example.com", 443)
        return ["93.184.216.34"]

    monkeypatch.setattr("app.services.outgoing_webhooks.resolve", public_dns)
    route = respx.post("https://93.184.216.34/aftercare").respond(204)
    async with httpx.AsyncClient() as http:
        attempt = await post(http, ENDPOINT, b'{"a":1}', sent_at=utcnow(), delivery_id="d", production=True)
    assert attempt.outcome is Outcome.DELIVERED
    sent = route.calls.last.request
    assert sent.headers["host"] == "hooks.example.com"
    assert sent.extensions["sni_hostname"] == "hooks.example.com"
    assert verify("whsec_test", sent.content, sent.headers[SIGNATURE_HEADER])


@respx.mock
async def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def rebinding_dns(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    monkeypatch.setattr("app.services.outgoing_webhooks.resolve", rebinding_dns)
    async with httpx.AsyncClient() as http:
        attempt = await post(http, ENDPOINT, b"{}", sent_at=utcnow(), delivery_id="d", production=True)
    assert attempt.outcome is Outcome.REFUSED and not respx.calls


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (503, Outcome.RETRY),
        (429, Outcome.RETRY),
        (404, Outcome.REJECTED),
        (301, Outcome.REJECTED),
    ],
)
@respx.mock
async def test_status_codes_map_to_outcomes(status: int, outcome: Outcome) -> None:
    respx.post(ENDPOINT.url).respond(status)
    async with httpx.AsyncClient() as http:
        attempt = await post(http, ENDPOINT, b"{}", sent_at=utcnow(), delivery_id="d", production=False)
    assert attempt.outcome is outcome and attempt.status_code == status
