"""Privacy data requests: the list, and the export as a JSON attachment (audited)."""

from __future__ import annotations

import httpx
import pytest

from app.models import AuditEvent, DataRequest, DataRequestStatus
from app.settings import Settings
from tests.admin_ui.test_home import SHOP_A, as_staff_of, installed


async def test_data_requests_list_and_download(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await installed(settings, SHOP_A)
    ready = await DataRequest.create(
        shop=shop, customer_email="jane@example.com", status=DataRequestStatus.READY, export={"orders": [1]}
    )
    await DataRequest.create(shop=shop, customer_email="joe@example.com")
    headers = as_staff_of(settings, SHOP_A)

    page = (await client.get("/data-requests", headers=headers)).text
    download = await client.get(f"/data-requests/{ready.id}.json", headers=headers)

    assert "jane@example.com" in page and "joe@example.com" in page and "being prepared" in page
    assert f'href="/data-requests/{ready.id}.json"' in page
    assert download.status_code == 200 and download.json() == {"orders": [1]}
    assert download.headers["content-disposition"] == f'attachment; filename="data-request-{ready.id}.json"'
    assert await AuditEvent.filter(shop_id=shop.id, action="data_request.downloaded").count() == 1


async def test_a_pending_export_is_not_downloadable(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await installed(settings, SHOP_A)
    pending = await DataRequest.create(shop=shop)
    response = await client.get(f"/data-requests/{pending.id}.json", headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 409


@pytest.mark.parametrize(
    "path", ["/data-requests/x.json", "/data-requests/12345678901.json", "/data-requests?before=!"]
)
async def test_bad_ids_and_cursors_are_400s(client: httpx.AsyncClient, settings: Settings, path: str) -> None:
    await installed(settings, SHOP_A)
    response = await client.get(path, headers=as_staff_of(settings, SHOP_A))
    assert response.status_code == 400
