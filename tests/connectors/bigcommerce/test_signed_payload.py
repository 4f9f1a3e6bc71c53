"""signed_payload_jwt: who and which store a valid payload names, and each check failing in turn."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from connectors.bigcommerce.signed_payload import (
    LEEWAY_SECONDS,
    BigCommerceUser,
    PayloadFailure,
    verify_signed_payload,
)
from tests.support.bigcommerce_jwt import make_signed_payload, signed_payload_claims

CLIENT_ID = "bc-client-id"
SECRET = "bc-client-secret"
STORE = "g5cd38"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())


def payload(**overrides: Any) -> str:
    times = {"iat": NOW_TS, "nbf": NOW_TS - 5, "exp": NOW_TS + 86400}
    return make_signed_payload(STORE, CLIENT_ID, SECRET, **{**times, **overrides})


def verify(token: str | None, at: datetime = NOW) -> Any:
    return verify_signed_payload(token, client_id=CLIENT_ID, client_secret=SECRET, now=at)


def test_a_valid_payload_names_the_store_the_acting_user_and_the_owner() -> None:
    check = verify(payload(user_id=24655, jti="jti-1", url="/orders/106/personal-thanks", channel_id=1))

    assert check.ok and check.failure is None
    result = check.payload
    assert result.store_hash == STORE
    assert result.user == BigCommerceUser(id="24655", email="user24655@example.com", locale="en-US")
    assert result.owner == BigCommerceUser(id="7", email="owner@example.com")
    assert result.jti == "jti-1"
    assert result.url == "/orders/106/personal-thanks"
    assert result.channel_id == 1
    assert result.issued_at == NOW and result.expires_at == NOW + timedelta(days=1)


def test_hs512_is_accepted_as_bigcommerce_python_client_does() -> None:
    assert verify(payload(algorithm="HS512")).ok


@pytest.mark.parametrize(
    ("token", "failure"),
    [
        (None, PayloadFailure.MISSING),
        ("", PayloadFailure.MISSING),
        ("not-a-jwt", PayloadFailure.MALFORMED),
    ],
)
def test_a_missing_or_garbled_payload_is_refused(token: str | None, failure: PayloadFailure) -> None:
    assert verify(token).failure == failure


def test_a_payload_signed_with_another_secret_is_refused() -> None:
    token = make_signed_payload(STORE, CLIENT_ID, "someone-elses-secret", iat=NOW_TS, exp=NOW_TS + 60)
    assert verify(token).failure == PayloadFailure.BAD_SIGNATURE


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = payload().split(".")
    forged_claims = make_signed_payload("otherstore", CLIENT_ID, SECRET, iat=NOW_TS, exp=NOW_TS + 60).split(
        "."
    )[1]
    assert verify(f"{header}.{forged_claims}.{signature}").failure == PayloadFailure.BAD_SIGNATURE


def test_an_unsigned_payload_is_refused() -> None:
    claims = signed_payload_claims(STORE, CLIENT_ID, iat=NOW_TS, exp=NOW_TS + 60)
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    assert verify(unsigned).failure == PayloadFailure.WRONG_ALGORITHM


def test_a_payload_for_another_app_is_refused() -> None:
    assert verify(payload(aud="another-app")).failure == PayloadFailure.WRONG_AUDIENCE


def test_a_payload_not_issued_by_bigcommerce_is_refused() -> None:
    assert verify(payload(iss="not-bc")).failure == PayloadFailure.WRONG_ISSUER


@pytest.mark.parametrize("claim", ["aud", "iss", "iat", "exp", "sub", "jti", "user", "owner"])
def test_each_claim_bigcommerce_always_sends_is_required(claim: str) -> None:
    assert verify(payload(**{claim: None})).failure == PayloadFailure.MISSING_CLAIM


def test_expiry_allows_the_leeway_and_no_more() -> None:
    token = payload(exp=NOW_TS)
    assert verify(token, NOW + timedelta(seconds=LEEWAY_SECONDS)).ok
    assert verify(token, NOW + timedelta(seconds=LEEWAY_SECONDS + 1)).failure == PayloadFailure.EXPIRED


def test_nbf_a_little_ahead_of_our_clock_is_accepted() -> None:
    # BigCommerce's clock is not ours; its examples even put nbf 5 s before iat.
    assert verify(payload(iat=NOW_TS + 5, nbf=NOW_TS + LEEWAY_SECONDS)).ok


def test_nbf_beyond_the_leeway_is_not_yet_valid() -> None:
    token = payload(nbf=NOW_TS + LEEWAY_SECONDS + 1)
    assert verify(token).failure == PayloadFailure.NOT_YET_VALID


def test_iat_beyond_the_leeway_is_not_yet_valid_even_without_nbf() -> None:
    token = payload(iat=NOW_TS + 60, nbf=None)
    assert verify(token).failure == PayloadFailure.NOT_YET_VALID


@pytest.mark.parametrize("sub", ["g5cd38", "stores/", "stores/G5CD38", "stores/g5/../x", "store/g5cd38"])
def test_a_subject_that_is_not_a_store_is_refused(sub: object) -> None:
    assert verify(payload(sub=sub)).failure == PayloadFailure.BAD_SUBJECT


@pytest.mark.parametrize(
    "overrides",
    [{"user": {"email": "x@example.com"}}, {"owner": "7"}, {"jti": ""}, {"exp": "tomorrow"}, {"sub": 42}],
)
def test_claims_of_the_wrong_shape_are_malformed(overrides: dict[str, Any]) -> None:
    assert verify(payload(**overrides)).failure == PayloadFailure.MALFORMED


def test_a_short_client_secret_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", InsecureKeyLengthWarning)
        assert verify(payload()).ok
