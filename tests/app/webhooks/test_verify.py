"""The delivery check alone: what it accepts, and the status it gives everything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import Headers

from app.webhooks.verify import Delivery, Rejected, check_shopify_delivery
from tests.app.webhooks.deliveries import OLD_SECRET, SECRET, SHOP_DOMAIN, delivery, order_payload

CONFIG = {"client_id": "key", "client_secret": SECRET, "old_client_secret": OLD_SECRET}


def check(body: bytes, headers: dict[str, str], method: str = "POST") -> Delivery | Rejected:
    return check_shopify_delivery(method, Headers(headers), body, CONFIG)  # type: ignore[arg-type]


def test_a_signed_delivery_is_parsed() -> None:
    body, headers = delivery("orders/create", order_payload(), event_id="ev-1", webhook_id="wh-1")
    result = check(body, headers)
    assert isinstance(result, Delivery)
    assert result.topic == "orders/create"
    assert result.shop_domain == SHOP_DOMAIN
    assert result.dedupe_key == "ev-1"
    assert result.webhook_id == "wh-1"
    assert result.triggered_at == datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    assert result.payload["id"] == 820982911946154508


def test_the_webhook_id_is_the_dedupe_key_without_an_event_id() -> None:
    body, headers = delivery("orders/create", webhook_id="wh-2")
    del headers["X-Shopify-Event-Id"]
    result = check(body, headers)
    assert isinstance(result, Delivery)
    assert result.dedupe_key == "wh-2"


def test_the_old_secret_still_verifies_during_rotation() -> None:
    body, headers = delivery("orders/create", secret=OLD_SECRET)
    assert isinstance(check(body, headers), Delivery)


@pytest.mark.parametrize("secret", ["some-other-secret", ""])
def test_a_wrong_signature_is_401(secret: str) -> None:
    body, headers = delivery("customers/redact", secret=secret)
    assert check(body, headers) == Rejected(401, "invalid_hmac")


def test_a_body_changed_after_signing_is_401() -> None:
    body, headers = delivery("orders/create", {"id": 1, "total_price": "10.00"})
    assert check(body.replace(b"10.00", b"0.01"), headers) == Rejected(401, "invalid_hmac")


def test_a_non_post_is_405() -> None:
    body, headers = delivery("orders/create")
    assert check(body, headers, method="GET").status == 405  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "header", ["X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"]
)
def test_a_missing_required_header_is_400(header: str) -> None:
    body, headers = delivery("orders/create")
    del headers[header]
    result = check(body, headers)
    assert isinstance(result, Rejected)
    assert result.status == 400


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"a string"', b""])
def test_a_signed_body_that_is_not_a_json_object_is_400(body: bytes) -> None:
    _, headers = delivery("orders/create", body=body)
    result = check(body, headers)
    assert isinstance(result, Rejected)
    assert result.status == 400


def test_a_body_that_is_not_utf8_is_never_accepted() -> None:
    body = b'{"id": "\xff\xfe"}'
    _, headers = delivery("orders/create", body=body)
    result = check(body, headers)
    assert isinstance(result, Rejected)
    assert result.status in (400, 401)


def test_headers_without_the_x_prefix_are_accepted() -> None:
    body, headers = delivery("orders/create")
    renamed = {name.removeprefix("X-"): value for name, value in headers.items()}
    assert isinstance(check(body, renamed), Delivery)


def test_an_unreadable_triggered_at_is_dropped_not_rejected() -> None:
    body, headers = delivery("orders/create", triggered_at="yesterday-ish")
    result = check(body, headers)
    assert isinstance(result, Delivery)
    assert result.triggered_at is None


def test_an_over_long_dedupe_key_is_400() -> None:
    body, headers = delivery("orders/create", event_id="x" * 129)
    assert check(body, headers) == Rejected(400, "header_too_long")


def test_nan_is_not_json() -> None:
    body = b'{"id": 1, "total": NaN}'
    _, headers = delivery("orders/create", body=body)
    assert check(body, headers) == Rejected(400, "malformed_json")


def test_without_a_client_secret_nothing_verifies() -> None:
    body, headers = delivery("orders/create", secret="")
    config = {"client_id": "", "client_secret": "", "old_client_secret": None}
    result = check_shopify_delivery("POST", Headers(headers), body, config)  # type: ignore[arg-type]
    assert result == Rejected(401, "no_client_secret")
