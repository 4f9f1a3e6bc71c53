"""Session-token verification: every case Shopify's own libraries check, and a few more."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest

from app import clock
from app.auth.session_token import Failure, verify_session_token
from tests.support.session_tokens import make_session_token, session_token_claims

SHOP = "test-shop.myshopify.com"
API_KEY = "test-client-id"
SECRET = "test-client-secret"
OLD_SECRET = "previous-client-secret"


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.reset()


def now() -> int:
    return int(clock.utcnow().timestamp())


def verify(token: str | None, secrets: tuple[str, ...] = (SECRET,)) -> Failure | None:
    return verify_session_token(token, api_key=API_KEY, secrets=secrets).failure


def test_a_valid_token_names_the_shop_user_and_session() -> None:
    check = verify_session_token(make_session_token(SHOP, API_KEY, SECRET), api_key=API_KEY, secrets=[SECRET])
    assert check.ok
    assert (check.shop, check.user_id, check.session_id) == (SHOP, "42", "sess-1")
    assert check.failure is None


def test_wrong_audience() -> None:
    assert verify(make_session_token(SHOP, "another-app", SECRET)) == Failure.WRONG_AUDIENCE


def test_expired_beyond_the_leeway_is_refused_and_within_it_accepted() -> None:
    assert verify(make_session_token(SHOP, API_KEY, SECRET, exp=now() - 11)) == Failure.EXPIRED
    assert verify(make_session_token(SHOP, API_KEY, SECRET, exp=now() - 5)) is None


def test_nbf_within_the_leeway_is_accepted_and_beyond_it_refused() -> None:
    assert verify(make_session_token(SHOP, API_KEY, SECRET, nbf=now() + 5)) is None
    assert verify(make_session_token(SHOP, API_KEY, SECRET, nbf=now() + 30)) == Failure.NOT_YET_VALID


def test_validity_follows_the_app_clock() -> None:
    token = make_session_token(SHOP, API_KEY, SECRET)
    assert verify(token) is None
    clock.advance(timedelta(minutes=2))
    assert verify(token) == Failure.EXPIRED


def test_iss_and_dest_must_name_the_same_shop() -> None:
    token = make_session_token(SHOP, API_KEY, SECRET, dest="https://other-shop.myshopify.com")
    assert verify(token) == Failure.MISMATCHED_HOSTS


@pytest.mark.parametrize(
    "issuer",
    [
        "https://evil.com/admin",
        "https://test-shop.myshopify.com.evil.com/admin",
        "http://test-shop.myshopify.com/admin",
        "https://test-shop.myshopify.com:8443/admin",
        "test-shop.myshopify.com",
    ],
)
def test_the_issuer_must_be_a_myshopify_https_origin(issuer: str) -> None:
    dest = issuer.removesuffix("/admin")
    assert verify(make_session_token(SHOP, API_KEY, SECRET, iss=issuer, dest=dest)) == Failure.BAD_ISSUER


def test_alg_none_is_refused() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(session_token_claims(SHOP, API_KEY)).encode()).rstrip(b"=")
    unsigned = f"{header.decode()}.{payload.decode()}."
    assert verify(unsigned) == Failure.WRONG_ALGORITHM


def test_other_algorithms_are_refused_even_with_the_right_secret() -> None:
    token = make_session_token(SHOP, API_KEY, SECRET + "-long-enough-for-hs512", algorithm="HS512")
    assert verify(token, (SECRET + "-long-enough-for-hs512",)) == Failure.WRONG_ALGORITHM


def test_a_token_signed_with_another_secret_is_refused() -> None:
    assert verify(make_session_token(SHOP, API_KEY, "someone-elses-secret")) == Failure.BAD_SIGNATURE


def test_the_old_secret_is_accepted_while_configured() -> None:
    token = make_session_token(SHOP, API_KEY, OLD_SECRET)
    assert verify(token, (SECRET, OLD_SECRET)) is None
    assert verify(token, (SECRET,)) == Failure.BAD_SIGNATURE


@pytest.mark.parametrize("claim", ["iss", "dest", "sub", "exp", "nbf", "aud"])
def test_each_required_claim_must_be_present(claim: str) -> None:
    removed: dict[str, Any] = {claim: None}
    token = make_session_token(SHOP, API_KEY, SECRET, **removed)
    assert verify(token) in {Failure.MISSING_CLAIM, Failure.WRONG_AUDIENCE}
    assert verify(token) is not None


def test_non_numeric_times_and_empty_subjects_are_refused() -> None:
    assert verify(make_session_token(SHOP, API_KEY, SECRET, exp="tomorrow")) is not None
    assert verify(make_session_token(SHOP, API_KEY, SECRET, sub="")) == Failure.MISSING_CLAIM


@pytest.mark.parametrize("token", [None, ""])
def test_no_token(token: str | None) -> None:
    assert verify(token) == Failure.MISSING


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x.y"])
def test_garbage(token: str) -> None:
    assert verify(token) == Failure.MALFORMED


def test_a_tampered_payload_fails_the_signature() -> None:
    token = make_session_token(SHOP, API_KEY, SECRET)
    header, _, signature = token.split(".")
    forged = jwt.utils.base64url_encode(
        json.dumps(session_token_claims("other-shop.myshopify.com", API_KEY)).encode()
    ).decode()
    assert verify(f"{header}.{forged}.{signature}") == Failure.BAD_SIGNATURE
