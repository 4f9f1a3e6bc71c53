"""The server-to-server callbacks: ``uninstall`` and ``remove_user``, each a GET with a
``signed_payload_jwt`` (fact sheet §1.1). BigCommerce goes ahead whatever the app answers; the
outcome is reported to the caller (the control panel or a test), not retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from devstore.bigcommerce.registration import BigCommerceApp
from devstore.bigcommerce.signed_payload import signed_payload_jwt
from devstore.bigcommerce.users import StoreUser
from devstore.models import Shop

TIMEOUT = httpx.Timeout(10.0, connect=2.0)


@dataclass(frozen=True, slots=True)
class CallbackOutcome:
    url: str
    status: int | None
    error: str | None

    def json(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "error": self.error}


async def call_back(
    client: httpx.AsyncClient, app: BigCommerceApp, path: str, shop: Shop, user: StoreUser, now: datetime
) -> CallbackOutcome:
    url = app.callback_url(path)
    token = signed_payload_jwt(app, shop, user, now)
    try:
        response = await client.get(url, params={"signed_payload_jwt": token}, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return CallbackOutcome(url, None, type(exc).__name__)
    return CallbackOutcome(url, response.status_code, None)
