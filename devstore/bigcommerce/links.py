"""The URLs the control panel sends the merchant's browser to: the app's auth and load callbacks."""

from __future__ import annotations

from urllib.parse import urlencode

from devstore.bigcommerce.registration import AUTH_PATH, LOAD_PATH, BigCommerceApp
from devstore.models import Shop


def auth_callback_url(app: BigCommerceApp, shop: Shop, code: str, scopes: tuple[str, ...]) -> str:
    """``{app}/bigcommerce/auth?account_uuid=…&code=…&context=stores%2F{hash}&scope=a+b`` (auth.mdx)."""
    query = urlencode(
        [
            ("account_uuid", app.account_uuid),
            ("code", code),
            ("context", f"stores/{shop.domain}"),
            ("scope", " ".join(scopes)),
        ]
    )
    return f"{app.callback_url(AUTH_PATH)}?{query}"


def load_callback_url(app: BigCommerceApp, signed_payload_jwt: str) -> str:
    return f"{app.callback_url(LOAD_PATH)}?{urlencode([('signed_payload_jwt', signed_payload_jwt)])}"
