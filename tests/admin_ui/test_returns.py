"""The return pages: the form from an order, the return's page and its steps, the review queue.
Bad or tampered input is a 4xx with a message and writes nothing; another shop's ids are 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from arq import ArqRedis

from app.clock import utcnow
from app.models import AuditEvent, ItemState, Return, ReturnItem, ReturnStatus, StaffUser
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, SHOP_B, as_staff_of, installed
from tests.app.services.returns.support import Store, order_in, queued_jobs, request


async def store(settings: Settings, domain: str = SHOP_A) -> Store:
    shop = await installed(settings, domain)
    staff = await StaffUser.create(shop=shop, platform_user_id="42", email="sam@example.com")
    return await order_in(shop, staff, delivered_at=utcnow())


async def get(client: httpx.AsyncClient, settings: Settings, path: str) -> httpx.Response:
    return await client.get(path, headers=as_staff_of(settings, SHOP_A))


async def post(
    client: httpx.AsyncClient, settings: Settings, path: str, data: dict[str, str]
) -> httpx.Response:
    return await client.post(path, data=data, headers=as_staff_of(settings, SHOP_A))


async def rows() -> list[dict[str, Any]]:
    return [
        *await Return.all().order_by("id").values(),
        *await ReturnItem.all().order_by("id").values(),
        *await AuditEvent.all().order_by("id").values("action"),
    ]


async def test_the_form_offers_the_fulfilled_items_and_the_policy(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    order_page = (await get(client, settings, f"/orders/{s.order.id}")).text
    assert f'href="/orders/{s.order.id}/return"' in order_page

    response = await get(client, settings, f"/orders/{s.order.id}/return")

    assert response.status_code == 200
    page = response.text
    assert f'name="qty.{s.mug.id}" min="0" max="2"' in page
    assert f'name="qty.{s.lamp.id}" min="0" max="0" value="0" disabled' in page, "the lamp never shipped"
    assert "Changed mind" in page and "Store credit" in page
    assert "30 days from delivery" in page


async def test_creating_a_return_writes_it_and_goes_to_its_page(
    client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    s = await store(settings)

    response = await post(
        client,
        settings,
        f"/orders/{s.order.id}/return",
        request(**{f"qty.{s.mug.id}": "2", "note": "Chipped"}),
    )

    assert response.status_code == 204
    row = await Return.get(order_id=s.order.id)
    assert response.headers["x-aftercare-location"] == f"/returns/{row.id}"
    assert (row.status, row.note) == (ReturnStatus.REQUESTED, "Chipped")
    assert await queued_jobs(queue) == [f"mirror_return:{row.id}:REQUESTED:awaiting"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"qty.MUG": "-1"}, "A quantity cannot be negative."),
        ({"qty.MUG": "3"}, "Only 2 of Mug can be returned."),
        ({"qty.MUG": "1e3"}, "Enter a whole number of units."),
        ({"qty.MUG": "0"}, "Choose at least one item to return."),
        ({"qty.LAMP": "1"}, "Lamp has not been fulfilled"),
        ({"qty.FOREIGN": "1"}, "This is not an item of the order."),
        ({"qty.MUG": "1", "reason": "<script>"}, "Choose a reason from the list."),
        ({"qty.MUG": "1", "resolution": "cash"}, "Choose a resolution from the list."),
        ({"qty.MUG": "1", "override_reason": "x" * 501}, "Keep the reason under 500 characters."),
    ],
    ids=[
        "negative",
        "over",
        "not-a-number",
        "nothing",
        "unfulfilled",
        "foreign",
        "reason",
        "resolution",
        "long",
    ],
)
async def test_bad_input_is_a_422_with_its_message_and_writes_nothing(
    client: httpx.AsyncClient, settings: Settings, fields: dict[str, str], message: str
) -> None:
    s = await store(settings)
    foreign = await store(settings, SHOP_B)  # shop B's line item id sent in shop A's form
    names = {"MUG": s.mug.id, "LAMP": s.lamp.id, "FOREIGN": foreign.mug.id}
    data = request(**{_named(name, names): value for name, value in fields.items()})
    before = await rows()

    response = await post(client, settings, f"/orders/{s.order.id}/return", data)

    assert response.status_code == 422
    assert message in response.text
    assert "Nothing was created." in response.text
    assert await rows() == before


def _named(name: str, names: dict[str, int]) -> str:
    prefix, _, key = name.partition(".")
    return f"{prefix}.{names[key]}" if prefix == "qty" else name


async def test_outside_the_policy_the_form_says_why_and_an_override_goes_ahead(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    s.scarf.product_tags = "final-sale"
    await s.scarf.save()
    data = request(**{f"qty.{s.scarf.id}": "1"})

    refused = await post(client, settings, f"/orders/{s.order.id}/return", data)

    assert refused.status_code == 422
    assert "Not eligible under the return policy: Scarf is final sale" in refused.text
    assert await Return.all().count() == 0
    allowed = await post(client, settings, f"/orders/{s.order.id}/return", {**data, "override_reason": "VIP"})
    assert allowed.status_code == 204
    assert (await Return.get()).eligibility_override == "VIP"


async def test_the_return_page_offers_the_steps_its_state_allows(
    client: httpx.AsyncClient, settings: Settings, queue: ArqRedis
) -> None:
    s = await store(settings)
    await post(client, settings, f"/orders/{s.order.id}/return", request(**{f"qty.{s.mug.id}": "1"}))
    row = await Return.get()
    path = f"/returns/{row.id}"

    requested = (await get(client, settings, path)).text
    assert f'action="{path}/approve"' in requested and f'action="{path}/decline"' in requested
    assert f'action="{path}/receive"' not in requested and "Refund this return" not in requested

    approved = await post(client, settings, f"{path}/approve", {})
    assert approved.status_code == 204 and approved.headers["x-aftercare-location"] == path
    opened = (await get(client, settings, path)).text
    assert f'action="{path}/receive"' in opened and f'action="{path}/close"' in opened
    assert f'href="/orders/{s.order.id}/refund?return={row.id}"' in opened
    assert f'action="{path}/approve"' not in opened

    assert (await post(client, settings, f"{path}/receive", {})).status_code == 204
    assert (await Return.get(id=row.id)).item_state == ItemState.RECEIVED


async def test_a_step_the_state_does_not_allow_is_a_409_with_the_reason_and_changes_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    await post(client, settings, f"/orders/{s.order.id}/return", request(**{f"qty.{s.mug.id}": "1"}))
    row = await Return.get()
    before = await rows()

    response = await post(client, settings, f"/returns/{row.id}/close", {})

    assert response.status_code == 409
    assert "Nothing was changed. A requested return cannot be closed." in response.text
    assert await rows() == before


async def test_a_decline_without_a_known_reason_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    await post(client, settings, f"/orders/{s.order.id}/return", request(**{f"qty.{s.mug.id}": "1"}))
    row = await Return.get()
    before = await rows()

    response = await post(client, settings, f"/returns/{row.id}/decline", {"decline_reason": "BECAUSE"})

    assert response.status_code == 422 and "Choose why the return is declined." in response.text
    assert await rows() == before
    declined = await post(
        client,
        settings,
        f"/returns/{row.id}/decline",
        {"decline_reason": "RETURN_PERIOD_ENDED", "decline_note": "Late"},
    )
    assert declined.status_code == 204
    assert (await Return.get(id=row.id)).decline_reason == "RETURN_PERIOD_ENDED"


@pytest.mark.parametrize("step", ["", "/approve", "/decline", "/receive", "/cancel", "/close"])
async def test_another_shops_return_is_not_found(
    client: httpx.AsyncClient, settings: Settings, step: str
) -> None:
    await store(settings)
    b = await store(settings, SHOP_B)
    foreign = await Return.create(shop=b.shop, order=b.order, requested_at=utcnow())
    before = await rows()

    path = f"/returns/{foreign.id}{step}"
    response = await (
        get(client, settings, path) if not step else post(client, settings, path, {"decline_reason": "OTHER"})
    )

    assert response.status_code == 404
    assert await rows() == before


async def test_creating_a_return_on_another_shops_order_is_not_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await store(settings)
    b = await store(settings, SHOP_B)
    response = await post(
        client, settings, f"/orders/{b.order.id}/return", request(**{f"qty.{b.mug.id}": "1"})
    )
    assert response.status_code == 404
    assert await Return.all().count() == 0


async def test_the_review_queue_and_home_show_the_requested_returns(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    b = await store(settings, SHOP_B)
    for number in ("R-old", "R-new"):
        await Return.create(shop=s.shop, order=s.order, name=number, requested_at=utcnow())
    await Return.create(
        shop=s.shop, order=s.order, name="R-open", status=ReturnStatus.OPEN, requested_at=utcnow()
    )
    await Return.create(shop=b.shop, order=b.order, name="R-shop-b", requested_at=utcnow())

    queue_page = (await get(client, settings, "/returns")).text
    home = (await get(client, settings, "/")).text

    assert queue_page.index("R-old") < queue_page.index("R-new")
    assert "R-open" not in queue_page and "R-shop-b" not in queue_page
    assert '<s-badge tone="warning">2</s-badge>' in home and "Review all 2" in home


async def test_refund_this_return_fills_in_its_items_and_restock(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    await post(client, settings, f"/orders/{s.order.id}/return", request(**{f"qty.{s.mug.id}": "2"}))
    row = await Return.get()
    await post(client, settings, f"/returns/{row.id}/approve", {})
    await post(client, settings, f"/returns/{row.id}/receive", {})

    page = (await get(client, settings, f"/orders/{s.order.id}/refund?return={row.id}")).text

    assert f'name="qty.{s.mug.id}" min="0" max="2" value="2"' in page
    assert '<input type="checkbox" name="restock" checked>' in page
    assert f'<input type="hidden" name="return_id" value="{row.id}">' in page
    assert '<option value="damaged" selected>' in page


async def test_refunding_a_return_of_another_shop_or_order_is_not_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await store(settings)
    b = await store(settings, SHOP_B)
    foreign = await Return.create(shop=b.shop, order=b.order, requested_at=utcnow(), status=ReturnStatus.OPEN)

    response = await get(client, settings, f"/orders/{s.order.id}/refund?return={foreign.id}")
    posted = await post(
        client,
        settings,
        f"/orders/{s.order.id}/refund",
        {"action": "calculate", "return_id": str(foreign.id)},
    )

    assert response.status_code == posted.status_code == 404
