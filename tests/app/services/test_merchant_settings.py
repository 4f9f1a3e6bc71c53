"""Typed merchant settings: defaults, tolerant reading, every field checked with a message."""

from __future__ import annotations

from decimal import Decimal

from app.models import Platform, Shop
from app.services.settings import MerchantSettings, changes, parse_settings_form, settings_of, to_document


def shop_with(settings: object) -> Shop:
    return Shop(platform=Platform.SHOPIFY, domain="s.myshopify.com", settings=settings)


def test_a_new_shop_gets_the_product_defaults() -> None:
    s = settings_of(shop_with({}))
    assert s.return_policy.window_days == 30 and s.return_policy.restocking_fee_percent == Decimal("0")
    assert s.return_policy.final_sale_tags == ("final-sale",)
    assert s.surveys.kind == "csat" and s.surveys.delay_days == 7 and s.surveys.transit_buffer_days == 5
    assert s.surveys.support_delay_hours == 24 and s.surveys.expiry_days == 14
    assert s.surveys.throttle_days == 30 and s.surveys.max_order_age_days == 30
    assert s.surveys.sampling_percent == 100 and s.surveys.reminder is False
    assert "damaged/defective" in s.return_policy.reasons
    assert s.staff_refund_limit is None


def test_unreadable_values_fall_back_to_their_defaults_one_by_one() -> None:
    s = settings_of(
        shop_with(
            {
                "return_policy": {
                    "window_days": "soon",
                    "restocking_fee_percent": "12.5",
                    "final_sale_tags": [1],
                },
                "surveys": {"reminder": "yes", "delay_days": True, "expiry_days": 10},
                "sender": "not a section",
                "staff_refund_limit": "NaN",
            }
        )
    )
    assert s.return_policy.window_days == 30 and s.return_policy.restocking_fee_percent == Decimal("12.5")
    assert s.return_policy.final_sale_tags == ("final-sale",)
    assert s.surveys.reminder is False and s.surveys.delay_days == 7 and s.surveys.expiry_days == 10
    assert s.sender.email == "" and s.staff_refund_limit is None


def test_a_document_round_trips_and_diffs_by_dotted_name() -> None:
    old = MerchantSettings()
    new = settings_of(
        shop_with({**to_document(old), "surveys": {**to_document(old)["surveys"], "delay_days": 3}})
    )
    assert changes(old, new) == {"surveys.delay_days": (7, 3)}
    assert changes(old, settings_of(shop_with(to_document(old)))) == {}


def test_the_form_collects_a_message_per_bad_field() -> None:
    form = {
        "return_policy.window_days": "-1",
        "return_policy.restocking_fee_percent": "10.555",
        "surveys.kind": "stars",
        "surveys.sampling_percent": "1e3",
        "sender.name": "Acme\r\nBcc: everyone@example.com",
        "locales.default": "fi",
        "staff_refund_limit": "-5",
    }
    lists = {"return_policy.resolutions": [], "locales.enabled": ["en"], "staff": ["abc"]}
    checked = parse_settings_form(form, lists, MerchantSettings(), staff_ids=[1])
    assert not checked.ok
    assert set(checked.errors) == {
        "return_policy.window_days",
        "return_policy.restocking_fee_percent",
        "return_policy.resolutions",
        "surveys.kind",
        "surveys.sampling_percent",
        "sender.name",
        "locales.default",
        "staff_refund_limit",
        "staff",
    }
