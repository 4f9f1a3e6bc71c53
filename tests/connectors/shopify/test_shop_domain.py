from __future__ import annotations

import pytest

from connectors.shopify.shop_domain import is_shop_domain, sanitize_shop_domain, shop_name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("test-shop.myshopify.com", "test-shop.myshopify.com"),
        ("https://Test-Shop.myshopify.com/", "test-shop.myshopify.com"),
        ("http://a1.myshopify.com", "a1.myshopify.com"),
    ],
)
def test_well_formed_shop_domains_are_normalised(given: str, expected: str) -> None:
    assert sanitize_shop_domain(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        None,
        "",
        "evil.com",
        "x.myshopify.com.evil.com",
        "-shop.myshopify.com",
        "shop-.myshopify.com",
        "a.myshopify.com",
        "sh op.myshopify.com",
        "shop.myshopify.com/admin",
        "shop\n.myshopify.com",
        "shop.myshopify.com\nx",
        "https://shop.myshopify.com@evil.com",
        "admin.shopify.com",
    ],
)
def test_anything_else_is_refused(given: str | None) -> None:
    assert sanitize_shop_domain(given) is None


def test_exact_check_and_store_handle() -> None:
    assert is_shop_domain("test-shop.myshopify.com")
    assert not is_shop_domain("Test-Shop.myshopify.com")
    assert shop_name("test-shop.myshopify.com") == "test-shop"
