"""Delivery verification: the per-hook secret header and the Standard Webhooks signature, then the
thin payload."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import httpx
import pytest

from connectors.bigcommerce.webhook_deliveries import Delivery, Rejected, parse_payload, sign, verify_delivery
from connectors.bigcommerce.webhooks import HOOK_SECRET_HEADER
from tests.connectors.bigcommerce.fakes import FIXTURES

CLIENT_SECRET = "test-client-secret"
HOOK_SECRET = "s3cret"
NOW = 1_700_000_000
BODY = (FIXTURES / "webhook_order_created.json").read_bytes()


def _headers(
    *,
    secret: str | None = HOOK_SECRET,
    signed: bool = True,
    timestamp: int = NOW,
    body: bytes = BODY,
    signature: str | None = None,
) -> httpx.Headers:
    headers = httpx.Headers()
    if secret is not None:
        headers[HOOK_SECRET_HEADER] = secret
    if signed:
        headers["webhook-id"] = "msg_2Lk9xq"
        headers["webhook-timestamp"] = str(timestamp)
        headers["webhook-signature"] = signature or sign(CLIENT_SECRET, "msg_2Lk9xq", timestamp, body)
    return headers


def _verify(
    headers: httpx.Headers, body: bytes = BODY, secrets: tuple[str, ...] = ("other", HOOK_SECRET)
) -> Delivery | Rejected:
    return verify_delivery(headers, body, hook_secrets=secrets, client_secret=CLIENT_SECRET, now=NOW)


def test_a_signed_delivery_with_the_hooks_secret_is_accepted_and_parsed() -> None:
    result = _verify(_headers())

    assert isinstance(result, Delivery)
    assert result.signed is True
    assert result.webhook_id == "msg_2Lk9xq"
    payload = result.payload
    assert (payload.scope, payload.resource_type, payload.resource_id) == (
        "store/order/created",
        "order",
        "100",
    )
    assert (payload.store_hash, payload.store_id) == ("abc123", "1025646")
    assert payload.created_at == datetime(2019, 6, 25, 16, 15, 35, tzinfo=UTC)
    assert result.dedupe_key == "dd70c0976e06b67aaf671e73f49dcb79230ebf9d"  # the payload hash


def test_the_signature_is_the_standard_webhooks_hmac_keyed_with_the_client_secret() -> None:
    # Independent of ``sign``: base64(HMAC-SHA256(client secret, "{id}.{timestamp}.{body}")).
    digest = hmac.new(CLIENT_SECRET.encode(), f"msg_2Lk9xq.{NOW}.".encode() + BODY, hashlib.sha256).digest()
    signature = "v1," + base64.b64encode(digest).decode()

    assert isinstance(_verify(_headers(signature=f"v1,b2xkLXNlY3JldA== {signature}")), Delivery)


def test_an_unsigned_delivery_with_the_hooks_secret_is_accepted() -> None:
    result = _verify(_headers(signed=False))

    assert isinstance(result, Delivery) and result.signed is False


def test_a_wrong_hook_secret_is_rejected_even_with_a_good_signature() -> None:
    assert _verify(_headers(secret="guess")) == Rejected(401, "bad_hook_secret")


def test_a_missing_hook_secret_is_rejected() -> None:
    assert _verify(_headers(secret=None)) == Rejected(401, "bad_hook_secret")


def test_a_store_with_no_secrets_on_record_accepts_nothing() -> None:
    assert _verify(_headers(secret=""), secrets=("",)) == Rejected(401, "bad_hook_secret")


def test_a_bad_signature_is_rejected_even_with_the_right_secret() -> None:
    forged = sign("not-the-client-secret", "msg_2Lk9xq", NOW, BODY)
    assert _verify(_headers(signature=forged)) == Rejected(401, "bad_signature")


def test_a_body_changed_after_signing_is_rejected() -> None:
    tampered = BODY.replace(b'"id":100', b'"id":101')
    assert _verify(_headers(), body=tampered) == Rejected(401, "bad_signature")


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_more_than_five_minutes_off_is_rejected(skew: int) -> None:
    assert _verify(_headers(timestamp=NOW + skew)) == Rejected(401, "stale_timestamp")


def test_a_timestamp_within_five_minutes_is_accepted() -> None:
    assert isinstance(_verify(_headers(timestamp=NOW - 299)), Delivery)


def test_half_a_signature_is_rejected() -> None:
    headers = _headers()
    del headers["webhook-timestamp"]
    assert _verify(headers) == Rejected(401, "incomplete_signature_headers")


def test_a_verified_body_that_is_not_a_delivery_is_malformed() -> None:
    body = b'{"hello": "world"}'
    assert _verify(_headers(body=body), body=body) == Rejected(400, "malformed_payload")


def test_a_delivery_without_a_producer_is_malformed() -> None:
    body = b'{"scope":"store/order/created","data":{"type":"order","id":1},"hash":"h","created_at":1}'
    assert _verify(_headers(body=body), body=body) == Rejected(400, "missing_producer")


def test_a_refund_payload_names_the_order_and_the_refund_and_an_int_store_id_is_text() -> None:
    payload = parse_payload((FIXTURES / "webhook_refund_created.json").read_bytes())

    assert payload is not None
    assert (payload.scope, payload.resource_id, payload.refund_id) == (
        "store/order/refund/created",
        "100",
        "3",
    )
    assert payload.store_id == "1025646"


@pytest.mark.parametrize("body", [b"", b"[1]", b"\xff\xfe", b'{"scope": NaN}', b'{"data": {}}'])
def test_bodies_that_are_not_deliveries_parse_to_none(body: bytes) -> None:
    assert parse_payload(body) is None


def test_an_uninstall_with_a_minimal_data_object_parses() -> None:
    payload = parse_payload(
        b'{"scope":"store/app/uninstalled","store_id":"1025646","data":{},"hash":"a1","created_at":1561479335,"producer":"stores/abc123"}'
    )

    assert payload is not None
    assert (payload.scope, payload.resource_id, payload.store_hash) == (
        "store/app/uninstalled",
        None,
        "abc123",
    )
