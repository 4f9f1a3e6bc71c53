"""The refund pages: form, quote, confirm, approve. Bad or tampered input is a 4xx with a message
and writes nothing; the platform is asked for the amounts (respx) before anything is confirmed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from arq import ArqRedis
from arq.constants import default_queue_name

from app.models import AuditEvent, Refund, RefundStatus, StaffUser
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed
from tests.app.services.refunds.support import Books, order_for
from tests.conftest import PLATFORM_URL
from tests.connectors.shopify.fakes import GraphQLRouter
from tests.connectors.shopify.payloads import money, ok

GRAPHQL = f"{PLATFORM_URL}/shopify/{SHOP_A}/admin/api/2026-10/graphql.json"


def suggested(variables: dict[str, Any]) -> dict[str, Any]:
    units = {"gid://shopify/LineItem/11": Decimal("30"), "gid://shopify/LineItem/12": Decimal("40")}
    subtotal = sum(
        (units[line["lineItemId"]] * line["quantity"] for line in variables["refundLineItems"]), Decimal(0)
    )
    tax = (subtotal * Decimal("0.19")).quantize(Decimal("0.01"))
    shipping = Decimal(variables.get("shippingAmount") or ("10" if variables.get("refundShipping") else "0"))
    total = subtotal + tax + shipping
    return ok(
        {
            "order": {
                "id": "gid://shopify/Order/1001",
                "suggestedRefund": {
                    "amountSet": money(str(total)),
                    "subtotalSet": money(str(subtotal)),
                    "totalTaxSet": money(str(tax)),
                    "shipping": {"amountSet": money(str(shipping)), "maximumRefundableSet": money("10.00")},
                    "refundLineItems": [],
                    "suggestedTransactions": [
                        {
                            "parentTransaction": {"id": "gid://shopify/OrderTransaction/9001"},
                            "gateway": "shopify_payments",
                            "kind": "SUGGESTED_REFUND",
                            "amountSet": money(str(total)),
                        }
                    ],
                },
            }
        }
    )


@pytest.fixture
def shopify() -> GraphQLRouter:
    return GraphQLRouter(SuggestedRefund=suggested)


async def store(settings: Settings, domain: str = SHOP_A, **staff: Any) -> Books:
    shop = await installed(settings, domain)
    member = await StaffUser.create(shop=shop, platform_user_id="42", email="sam@example.com", **staff)
    return await order_for(shop, member)


async def post(
    client: httpx.AsyncClient, settings: Settings, path: str, data: dict[str, str]
) -> httpx.Response:
    return await client.post(path, data=data, headers=as_staff_of(settings, SHOP_A))


def one_mug(b: Books, **extra: str) -> dict[str, str]:
    return {"action": "calculate", f"qty.{b.mug.id}": "1", "reason": "damaged", "note": "Chipped", **extra}


async def test_the_form_lists_what_can_be_refunded(client: httpx.AsyncClient, settings: Settings) -> None:
    b = await store(settings)
    for n in range(3):
        await Refund.create(shop=b.shop, order=b.order, platform_id=f"p{n}", amount=1)
    response = await client.get(f"/orders/{b.order.id}/refund", headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 200
    page = response.text
    assert f'name="qty.{b.mug.id}"' in page and 'max="2"' in page and "Lamp" in page
    assert "Not as described" in page and "10.00 EUR of shipping" in page
    assert "3 refunds in the last 60 days" in page
    order_page = (await client.get(f"/orders/{b.order.id}", headers=as_staff_of(settings, SHOP_A))).text
    assert f'href="/orders/{b.order.id}/refund"' in order_page


@respx.mock
async def test_calculate_shows_the_platforms_amounts_and_writes_nothing(
    client: httpx.AsyncClient, settings: Settings, shopify: GraphQLRouter
) -> None:
    respx.post(GRAPHQL).mock(side_effect=shopify)
    b = await store(settings)

    response = await post(
        client, settings, f"/orders/{b.order.id}/refund", one_mug(b, shipping_amount="2.50")
    )

    assert response.status_code == 200
    page = response.text
    assert "5.70 EUR" in page and "38.20 EUR" in page and "shopify payments" in page
    assert 'name="action" value="confirm"' in page and 'name="quoted_amount" value="38.20"' in page
    assert shopify.variables_of("SuggestedRefund")[0]["shippingAmount"] == "2.50"
    assert await Refund.all().count() == 0


@respx.mock
async def test_confirm_writes_one_intent_and_goes_back_to_the_order(
    client: httpx.AsyncClient, settings: Settings, shopify: GraphQLRouter, queue: ArqRedis
) -> None:
    respx.post(GRAPHQL).mock(side_effect=shopify)
    b = await store(settings)
    quoted = (await post(client, settings, f"/orders/{b.order.id}/refund", one_mug(b))).text
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', quoted)
    assert nonce is not None
    confirm = one_mug(b, action="confirm", nonce=nonce.group(1), quoted_amount="35.70")

    first = await post(client, settings, f"/orders/{b.order.id}/refund", confirm)
    second = await post(client, settings, f"/orders/{b.order.id}/refund", confirm)

    assert first.status_code == second.status_code == 204
    assert first.headers["x-aftercare-location"] == f"/orders/{b.order.id}"
    refund = await Refund.get(order_id=b.order.id)
    assert refund.status == RefundStatus.QUEUED and refund.amount == Decimal("35.70")
    assert refund.tax_amount == Decimal("5.70") and refund.note == "Chipped"
    assert await Refund.all().count() == 1 and await AuditEvent.filter(action="refund.requested").count() == 1
    jobs = [j.decode() for j in await queue.zrange(default_queue_name, 0, -1)]
    assert jobs == [f"execute_refund:{refund.id}"]
    order_page = (await client.get(f"/orders/{b.order.id}", headers=as_staff_of(settings, SHOP_A))).text
    assert "queued" in order_page


@respx.mock
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"qty.MUG": "-1"}, 422),
        ({"qty.MUG": "3"}, 422),
        ({"qty.FOREIGN": "1"}, 422),
        ({"qty.MUG": "1", "shipping_amount": "11"}, 422),
        ({"reason": "i-say-so"}, 422),
        ({"action": "refund-everything"}, 400),
        ({"action": "confirm", "nonce": "x"}, 400),
        ({"action": "confirm", "nonce": "n" * 32, "quoted_amount": "0.01"}, 409),
    ],
)
async def test_bad_or_tampered_input_is_refused_and_writes_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    shopify: GraphQLRouter,
    change: dict[str, str],
    status: int,
) -> None:
    respx.post(GRAPHQL).mock(side_effect=shopify)
    b = await store(settings)
    other = await order_for(await installed(settings, SHOP_B), b.staff)
    names = {"MUG": str(b.mug.id), "FOREIGN": str(other.mug.id)}
    data = one_mug(b)
    data.update({re.sub(r"MUG|FOREIGN", lambda m: names[m.group(0)], k): v for k, v in change.items()})

    response = await post(client, settings, f"/orders/{b.order.id}/refund", data)

    assert response.status_code == status, response.text[-400:]
    assert "Nothing was refunded" in response.text or status == 400
    assert await Refund.all().count() == 0
    assert await AuditEvent.filter(action__startswith="refund.").count() == 0
    if status == 422:
        assert shopify.calls == [], "the platform is not asked about a form that does not check out"


async def test_an_approver_approves_a_refund_above_a_limit(
    client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    b = await store(settings)
    waiting = await Refund.create(
        shop=b.shop,
        order=b.order,
        status=RefundStatus.AWAITING_APPROVAL,
        idempotency_key="rf_" + "0" * 40,
        amount=90,
    )
    path = f"/refunds/{waiting.id}/approve"
    order_page = (await client.get(f"/orders/{b.order.id}", headers=as_staff_of(settings, SHOP_A))).text
    assert "waiting for an approver" in order_page and path not in order_page

    assert (await post(client, settings, path, {})).status_code == 403
    await StaffUser.filter(id=b.staff.id).update(can_approve_refunds=True)
    order_page = (await client.get(f"/orders/{b.order.id}", headers=as_staff_of(settings, SHOP_A))).text
    assert f'action="{path}"' in order_page

    response = await post(client, settings, path, {})

    assert response.status_code == 204 and response.headers["x-aftercare-location"] == f"/orders/{b.order.id}"
    assert (await Refund.get(id=waiting.id)).status == RefundStatus.QUEUED
    assert (await post(client, settings, path, {})).status_code == 409
