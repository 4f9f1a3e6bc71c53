"""The query-string HMAC, against the examples in Shopify's documentation and libraries."""

from __future__ import annotations

import hashlib
import hmac

from app.auth.query_hmac import query_hmac, verify_query_hmac

# Shopify's documented example (also in Shopify/shopify_python_api's tests): secret "hush".
DOC_PARAMS = [
    ("shop", "some-shop.myshopify.com"),
    ("code", "a94a110d86d2452eb3e2af4cfb8a3828"),
    ("timestamp", "1337178173"),
]
DOC_HMAC = "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"


def test_shopifys_documented_example() -> None:
    assert query_hmac(DOC_PARAMS, "hush") == DOC_HMAC
    assert verify_query_hmac([*DOC_PARAMS, ("hmac", DOC_HMAC)], ["hush"])


def test_delimiters_are_escaped_so_pairs_cannot_be_forged() -> None:
    # shopify_python_api test_hmac_calculation_with_ampersand_and_equal_sign_characters
    expected = hmac.new(b"secret", b"a=1%26b=2&c%3D3%26d=4", hashlib.sha256).hexdigest()
    assert query_hmac([("a", "1&b=2"), ("c=3&d", "4")], "secret") == expected


def test_array_parameters_are_signed_as_json_lists() -> None:
    expected = hmac.new(b"secret", b'ids=["1", "2"]&shop=a.myshopify.com', hashlib.sha256).hexdigest()
    assert query_hmac([("shop", "a.myshopify.com"), ("ids[]", "1"), ("ids[]", "2")], "secret") == expected


def test_any_tampered_parameter_fails() -> None:
    tampered = [("shop", "other-shop.myshopify.com"), *DOC_PARAMS[1:], ("hmac", DOC_HMAC)]
    assert not verify_query_hmac(tampered, ["hush"])
    assert not verify_query_hmac([*DOC_PARAMS, ("extra", "1"), ("hmac", DOC_HMAC)], ["hush"])


def test_missing_duplicated_or_odd_hmacs_fail() -> None:
    assert not verify_query_hmac(DOC_PARAMS, ["hush"])
    assert not verify_query_hmac([*DOC_PARAMS, ("hmac", "")], ["hush"])
    assert not verify_query_hmac([*DOC_PARAMS, ("hmac", DOC_HMAC), ("hmac", DOC_HMAC)], ["hush"])
    assert not verify_query_hmac([*DOC_PARAMS, ("hmac", "é" * 64)], ["hush"])


def test_any_configured_secret_may_have_signed_it() -> None:
    signed = [*DOC_PARAMS, ("hmac", DOC_HMAC)]
    assert verify_query_hmac(signed, ["new-secret", "hush"])
    assert not verify_query_hmac(signed, ["new-secret"])
    assert not verify_query_hmac(signed, ["", ""])


def test_uppercase_hex_is_accepted() -> None:
    assert verify_query_hmac([*DOC_PARAMS, ("hmac", DOC_HMAC.upper())], ["hush"])
