"""Orders v2 and Customers v3 on seeded data: the token is checked, v2 pages end with a 204 and an
empty body (no pagination metadata), dates are RFC 2822, v3 customers carry meta.pagination."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from pathlib import Path

from tests.devstore.test_bigcommerce_support import (
    API,
    CONTROL,
    OTHER_STORE,
    Receiver,
    auth,
    devstore,
    install,
)
from tests.devstore.test_bigcommerce_webhooks import create_hook


async def test_the_api_wants_the_stores_token(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        token = await install(client)
        missing = await client.get(f"{API}/v2/orders")
        wrong = await client.get(f"{API}/v2/orders", headers=auth("not-a-token"))
        other_store = await client.get(
            f"/bigcommerce/api/stores/{OTHER_STORE}/v2/orders", headers=auth(token)
        )
        unknown_store = await client.get(
            "/bigcommerce/api/stores/nosuchstore/v3/customers", headers=auth(token)
        )
    assert missing.status_code == wrong.status_code == other_store.status_code == 401
    assert missing.json() == [{"status": 401, "message": missing.json()[0]["message"]}]
    assert unknown_store.status_code == 404


async def test_orders_are_paged_until_a_204_with_an_empty_body(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        pages = []
        for page in range(1, 5):
            pages.append(
                await client.get(f"{API}/v2/orders", params={"page": page, "limit": 5}, headers=headers)
            )
    assert [p.status_code for p in pages] == [200, 200, 200, 204]
    assert [len(p.json()) for p in pages[:3]] == [5, 5, 2]
    assert pages[3].content == b""
    ids = [order["id"] for p in pages[:3] for order in p.json()]
    assert ids == list(range(1001, 1013))  # BigCommerce orders are numbered by id, oldest first
    assert all(not p.headers.get("link") and "x-total-count" not in p.headers for p in pages)


async def test_min_date_modified_and_sort_by_date_modified(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        everything = (await client.get(f"{API}/v2/orders", params={"limit": 250}, headers=headers)).json()
        modified = sorted(parsedate_to_datetime(o["date_modified"]) for o in everything)
        since = modified[6]
        response = await client.get(
            f"{API}/v2/orders",
            params={
                "min_date_modified": since.strftime("%a, %d %b %Y %H:%M:%S +0000"),
                "sort": "date_modified:asc",
            },
            headers=headers,
        )
        iso = await client.get(
            f"{API}/v2/orders", params={"min_date_modified": since.isoformat(), "limit": 250}, headers=headers
        )
        bad = await client.get(f"{API}/v2/orders", params={"min_date_modified": "yesterday"}, headers=headers)
        too_many = await client.get(f"{API}/v2/orders", params={"limit": 251}, headers=headers)
    dates = [parsedate_to_datetime(o["date_modified"]) for o in response.json()]
    assert dates == sorted(dates) and dates[0] == since and len(dates) == 6
    assert {o["id"] for o in iso.json()} == {o["id"] for o in response.json()}
    assert bad.status_code == 400 and too_many.status_code == 413


async def test_an_order_and_its_sub_resources(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        order = (await client.get(f"{API}/v2/orders/1010", headers=headers)).json()
        products = (await client.get(f"{API}/v2/orders/1010/products", headers=headers)).json()
        addresses = (await client.get(f"{API}/v2/orders/1010/shipping_addresses", headers=headers)).json()
        shipments = (await client.get(f"{API}/v2/orders/1010/shipments", headers=headers)).json()
        missing = await client.get(f"{API}/v2/orders/99999", headers=headers)

    assert order["id"] == 1010 and order["customer_id"] == 3
    assert (order["status_id"], order["status"]) in {(2, "Shipped"), (10, "Completed")}
    assert parsedate_to_datetime(order["date_created"]).utcoffset() is not None
    assert order["date_created"].endswith(" +0000")
    assert order["total_inc_tax"] == "90.9000" and order["refunded_amount"] == "0.0000"
    assert order["products"]["resource"] == "/orders/1010/products"
    assert [(p["id"], p["quantity"]) for p in products] == [(30, 2), (31, 1)]
    assert {p["order_address_id"] for p in products} == {addresses[0]["id"]}
    assert addresses[0]["id"] != order["id"] and addresses[0]["cost_inc_tax"] == "7.9500"
    assert shipments and shipments[0]["tracking_number"] and shipments[0]["items"]
    assert missing.status_code == 404


async def test_a_status_set_through_put_is_kept_and_moves_date_modified(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        before = (await client.get(f"{API}/v2/orders/1006", headers=headers)).json()
        put = await client.put(f"{API}/v2/orders/1006", json={"status_id": 9}, headers=headers)
        after = (await client.get(f"{API}/v2/orders/1006", headers=headers)).json()
        bad = await client.put(f"{API}/v2/orders/1006", json={"status_id": 99}, headers=headers)
    assert before["status_id"] == 11 and before["status"] == "Awaiting Fulfillment"
    assert put.status_code == 200 and (after["status_id"], after["status"]) == (9, "Awaiting Shipment")
    assert parsedate_to_datetime(after["date_modified"]) > parsedate_to_datetime(before["date_modified"])
    assert bad.status_code == 400


async def test_shipping_from_the_control_panel_makes_one_shipment_of_what_was_left(tmp_path: Path) -> None:
    receiver = Receiver()
    async with devstore(tmp_path, receiver) as client:
        headers = auth(await install(client))
        await client.put(f"{API}/v2/orders/1006", json={"status_id": 9}, headers=headers)
        await create_hook(client, headers, "store/order/statusUpdated")
        shipped = await client.post(f"{CONTROL}/orders/1006", json={"ship": True, "wait": True})
        again = await client.post(f"{CONTROL}/orders/1006", json={"ship": True, "wait": True})
        order = (await client.get(f"{API}/v2/orders/1006", headers=headers)).json()
        products = (await client.get(f"{API}/v2/orders/1006/products", headers=headers)).json()
        shipments = (await client.get(f"{API}/v2/orders/1006/shipments", headers=headers)).json()
    assert shipped.status_code == again.status_code == 200
    # The status set earlier gives way to the one the shipment brings.
    assert (order["status_id"], order["status"]) == (2, "Shipped")
    assert order["items_shipped"] == order["items_total"] > 0
    [shipment] = shipments
    assert {(i["order_product_id"], i["quantity"]) for i in shipment["items"]} == {
        (p["id"], p["quantity"]) for p in products
    }
    [announced] = [d["payload"]["data"] for d in shipped.json()["deliveries"]]
    assert announced["status"] == {"previous_status_id": 9, "new_status_id": 2}
    assert again.json() == {"deliveries": []}  # nothing was left to ship


async def test_the_count_adds_up(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        counted = (await client.get(f"{API}/v2/orders/count", headers=auth(await install(client)))).json()
    assert counted["count"] == 12 and sum(s["count"] for s in counted["statuses"]) == 12
    assert {s["id"]: s["count"] for s in counted["statuses"]}[14] == 2  # the two seeded partial refunds


async def test_customers_have_pagination_meta(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        first = (
            await client.get(f"{API}/v3/customers", params={"page": 1, "limit": 2}, headers=headers)
        ).json()
        last = (
            await client.get(f"{API}/v3/customers", params={"page": 3, "limit": 2}, headers=headers)
        ).json()
    assert first["meta"]["pagination"] == {
        "total": 5,
        "count": 2,
        "per_page": 2,
        "current_page": 1,
        "total_pages": 3,
        "links": {"current": "?page=1&limit=2", "next": "?page=2&limit=2"},
    }
    assert last["meta"]["pagination"]["count"] == 1 and "next" not in last["meta"]["pagination"]["links"]
    customer = first["data"][0]
    assert customer["date_modified"].endswith("Z") and customer["channel_ids"] == [1]
    assert {"id", "email", "first_name", "last_name", "phone", "date_created"} <= set(customer)


async def test_customers_filter_by_date_modified_min_and_refuse_unknown_filters(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        everyone = (await client.get(f"{API}/v3/customers", params={"limit": 250}, headers=headers)).json()[
            "data"
        ]
        since = sorted(c["date_modified"] for c in everyone)[3]
        recent = await client.get(
            f"{API}/v3/customers", params={"date_modified:min": since.removesuffix("Z")}, headers=headers
        )
        unknown = await client.get(f"{API}/v3/customers", params={"colour:in": "red"}, headers=headers)
        bad_date = await client.get(
            f"{API}/v3/customers", params={"date_modified:min": "soon"}, headers=headers
        )
    assert [c["date_modified"] >= since for c in recent.json()["data"]] == [True, True]
    assert recent.json()["meta"]["pagination"]["total"] == 2
    assert unknown.status_code == bad_date.status_code == 422
    assert unknown.json()["status"] == 422 and "title" in unknown.json()


async def test_a_changed_customer_moves_past_the_high_water_mark(tmp_path: Path) -> None:
    async with devstore(tmp_path) as client:
        headers = auth(await install(client))
        everyone = (await client.get(f"{API}/v3/customers", headers=headers)).json()["data"]
        newest = max(c["date_modified"] for c in everyone)
        oldest = min(everyone, key=lambda c: c["date_modified"])
        changed = await client.post(f"{CONTROL}/customers/{oldest['id']}", json={"first_name": "Renamed"})
        since = await client.get(
            f"{API}/v3/customers", params={"date_modified:min": newest.removesuffix("Z")}, headers=headers
        )
    assert changed.status_code == 200
    assert oldest["id"] in [c["id"] for c in since.json()["data"]]
    assert next(c for c in since.json()["data"] if c["id"] == oldest["id"])["first_name"] == "Renamed"
