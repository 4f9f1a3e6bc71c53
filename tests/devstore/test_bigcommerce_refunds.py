"""Refund quotes and refunds (Orders v3 payment actions): quoted against what is left to refund,
made once per request, listed as the platform holds them; and the fault switches that make a
refund's answer late, lost or failed, or its payment declined."""

from __future__ import annotations

import asyncio
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.devstore.test_bigcommerce_support import API, CONTROL, auth, devstore, install

# Seeded order 1010: order products 30 (2 units) and 31 (1 unit), 7.95 shipping, paid, not refunded.
ORDER = 1010
REFUNDS = f"{API}/v3/orders/{ORDER}/payment_actions/refunds"
QUOTES = f"{API}/v3/orders/{ORDER}/payment_actions/refund_quotes"


async def shipping_address_id(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    addresses = (await client.get(f"{API}/v2/orders/{ORDER}/shipping_addresses", headers=headers)).json()
    address_id: int = addresses[0]["id"]
    return address_id


async def quoted(
    client: httpx.AsyncClient, headers: dict[str, str], items: list[dict[str, Any]]
) -> dict[str, Any]:
    response = await client.post(QUOTES, json={"items": items}, headers=headers)
    assert response.status_code == 201, response.text
    quote: dict[str, Any] = response.json()["data"]
    return quote


def pay_with_first_method(items: list[dict[str, Any]], quote: dict[str, Any]) -> dict[str, Any]:
    option = quote["refund_methods"][0][0]
    return {
        "items": items,
        "payments": [{"provider_id": option["provider_id"], "amount": option["amount"], "offline": False}],
    }


async def one_unit_refund(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    items = [{"item_type": "PRODUCT", "item_id": 30, "quantity": 1}]
    return pay_with_first_method(items, await quoted(client, headers, items))


async def test_quote_then_refund_then_listed(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        products = {
            p["id"]: p
            for p in (await client.get(f"{API}/v2/orders/{ORDER}/products", headers=headers)).json()
        }
        address_id = await shipping_address_id(client, headers)
        items = [
            {"item_type": "PRODUCT", "item_id": 30, "quantity": 1, "reason": "too small"},
            {"item_type": "SHIPPING", "item_id": address_id, "amount": 7.95},
        ]
        quote = await quoted(client, headers, items)
        created = await client.post(REFUNDS, json=pay_with_first_method(items, quote), headers=headers)
        listed = (await client.get(REFUNDS, headers=headers)).json()["data"]
        platform = (await client.get(f"{CONTROL}/orders/{ORDER}/refunds")).json()
        order = (await client.get(f"{API}/v2/orders/{ORDER}", headers=headers)).json()
        after = {
            p["id"]: p
            for p in (await client.get(f"{API}/v2/orders/{ORDER}/products", headers=headers)).json()
        }
        again = await client.post(
            QUOTES, json={"items": [{"item_type": "PRODUCT", "item_id": 30, "quantity": 2}]}, headers=headers
        )

    # One of two units is worth half the line after its discount, with half its tax, rounded down.
    line = products[30]
    discount = sum((Decimal(d["amount"]) for d in line["applied_discounts"]), Decimal(0))
    unit_subtotal = ((Decimal(line["total_ex_tax"]) - discount) / 2).quantize(Decimal("0.01"), ROUND_DOWN)
    unit_tax = (Decimal(line["total_tax"]) / 2).quantize(Decimal("0.01"), ROUND_DOWN)
    one_unit = unit_subtotal + unit_tax
    assert Decimal(str(quote["total_refund_amount"])) == one_unit + Decimal("7.95")
    assert Decimal(str(quote["total_refund_tax_amount"])) == unit_tax
    providers = [method[0]["provider_id"] for method in quote["refund_methods"]]
    assert providers[0] == "checkout_paypalexpress" and "storecredit" in providers

    assert created.status_code == 201
    refund = created.json()["data"]
    assert refund["order_id"] == ORDER and refund["total_amount"] == quote["total_refund_amount"]
    assert [(i["item_type"], i["item_id"]) for i in refund["items"]] == [
        ("PRODUCT", 30),
        ("SHIPPING", address_id),
    ]
    [payment] = refund["payments"]
    assert payment["is_declined"] is False and payment["amount"] == quote["total_refund_amount"]
    assert listed == platform == [refund]

    assert Decimal(order["refunded_amount"]) == one_unit + Decimal("7.95")
    assert (order["status_id"], order["status"]) == (14, "Partially Refunded")
    assert after[30]["quantity_refunded"] == 1 and not after[30]["is_refunded"]
    assert again.status_code == 422  # one of the two units is left


async def test_the_same_request_twice_refunds_twice(tmp_path: Path) -> None:
    """BigCommerce has no idempotency key: preventing a double refund is the app's job."""
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        items = [{"item_type": "ORDER", "item_id": ORDER, "amount": 40}]
        body = pay_with_first_method(items, await quoted(client, headers, items))
        answers = [await client.post(REFUNDS, json=body, headers=headers) for _ in range(3)]
        order = (await client.get(f"{API}/v2/orders/{ORDER}", headers=headers)).json()
    assert [a.status_code for a in answers] == [201, 201, 422]  # 90.90 paid: a third 40 is too much
    assert answers[1].json()["data"]["id"] == answers[0].json()["data"]["id"] + 1
    assert order["refunded_amount"] == "80.0000"


@pytest.mark.parametrize(
    ("items", "payments_change"),
    [
        ([{"item_type": "PRODUCT", "item_id": 30, "quantity": 3}], None),
        ([{"item_type": "PRODUCT", "item_id": 1, "quantity": 1}], None),  # another order's product
        ([{"item_type": "SHIPPING", "item_id": ORDER, "amount": 1}], None),  # the order id is not the address
        ([{"item_type": "HANDLING", "item_id": 1, "amount": 1}], None),
        ([{"item_type": "ORDER", "item_id": ORDER, "amount": 1000}], None),
        ([{"item_type": "PRODUCT", "item_id": 31, "quantity": 1}], {"amount": 0.01}),
        ([{"item_type": "PRODUCT", "item_id": 31, "quantity": 1}], {"provider_id": "bankdeposit"}),
        ([{"item_type": "PRODUCT", "item_id": 31, "quantity": 1}], {"provider_id": "custom"}),  # offline only
        ([], None),
    ],
)
async def test_what_cannot_be_refunded_is_422_and_changes_nothing(
    tmp_path: Path, items: list[dict[str, Any]], payments_change: dict[str, Any] | None
) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        payment = {"provider_id": "checkout_paypalexpress", "amount": 10.0, "offline": False}
        if payments_change is not None:
            quote = await quoted(client, headers, items)
            payment = {**pay_with_first_method(items, quote)["payments"][0], **payments_change}
        response = await client.post(REFUNDS, json={"items": items, "payments": [payment]}, headers=headers)
        listed = (await client.get(f"{CONTROL}/orders/{ORDER}/refunds")).json()
    assert response.status_code == 422, response.text
    assert response.json()["status"] == 422 and response.json()["title"]
    assert listed == []


async def test_a_declined_payment_is_recorded_and_moves_no_money(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        armed = await client.post(f"{CONTROL}/faults", json={"mode": "decline", "message": "Card expired"})
        body = await one_unit_refund(client, headers)
        declined = await client.post(REFUNDS, json=body, headers=headers)
        order = (await client.get(f"{API}/v2/orders/{ORDER}", headers=headers)).json()
        retried = await client.post(REFUNDS, json=body, headers=headers)
        listed = (await client.get(REFUNDS, headers=headers)).json()["data"]
    assert armed.json() == {
        "refund_create": {
            "mode": "decline",
            "times": 1,
            "delay_s": 0.0,
            "status": 503,
            "message": "Card expired",
        }
    }
    assert declined.status_code == 201
    [payment] = declined.json()["data"]["payments"]
    assert payment["is_declined"] is True and payment["declined_message"] == "Card expired"
    assert order["refunded_amount"] == "0.0000" and order["status_id"] != 14
    assert retried.status_code == 201 and retried.json()["data"]["payments"][0]["is_declined"] is False
    assert [r["payments"][0]["is_declined"] for r in listed] == [True, False]


async def test_a_refund_answered_too_late_was_made(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        await client.post(f"{CONTROL}/faults", json={"mode": "late", "delay_s": 5})
        body = await one_unit_refund(client, headers)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.post(REFUNDS, json=body, headers=headers), timeout=0.3)
        listed = (await client.get(REFUNDS, headers=headers)).json()["data"]
    assert len(listed) == 1 and listed[0]["total_amount"] == body["payments"][0]["amount"]


async def test_a_refund_whose_connection_dropped_was_made(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        await client.post(f"{CONTROL}/faults", json={"mode": "drop"})
        body = await one_unit_refund(client, headers)
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(REFUNDS, json=body, headers=headers)
        listed = (await client.get(f"{CONTROL}/orders/{ORDER}/refunds")).json()
        faults_left = (await client.get(f"{CONTROL}/faults")).json()
    assert len(listed) == 1 and faults_left == {}


async def test_a_5xx_fault_refunds_nothing_for_its_count(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        await client.post(f"{CONTROL}/faults", json={"mode": "error", "times": 2, "status": 503})
        body = await one_unit_refund(client, headers)
        answers = [await client.post(REFUNDS, json=body, headers=headers) for _ in range(3)]
        listed = (await client.get(f"{CONTROL}/orders/{ORDER}/refunds")).json()
    assert [a.status_code for a in answers] == [503, 503, 201]
    assert answers[0].json() == {
        "data": [{"order_id": ORDER, "status": 503, "error": "Tax service gone away"}],
        "meta": {},
    }
    assert [r["id"] for r in listed] == [answers[2].json()["data"]["id"]]


async def test_bad_fault_switches_are_refused(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        answers = [
            await client.post(f"{CONTROL}/faults", json={"mode": "explode"}),
            await client.post(f"{CONTROL}/faults", json={"mode": "error", "status": 404}),
            await client.post(f"{CONTROL}/faults", json={"mode": "late", "times": 0}),
        ]
        cleared = await client.delete(f"{CONTROL}/faults")
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert cleared.json() == {"cleared": 0}


async def test_seeded_refunds_are_listed_in_the_platforms_shape(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        order = (await client.get(f"{API}/v2/orders/1001", headers=headers)).json()
        [refund] = (
            await client.get(f"{API}/v3/orders/1001/payment_actions/refunds", headers=headers)
        ).json()["data"]
    assert Decimal(str(refund["total_amount"])) == Decimal(order["refunded_amount"])
    assert refund["items"] and refund["payments"][0]["is_declined"] is False
