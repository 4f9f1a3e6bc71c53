"""The app as BigCommerce knows it from the Developer Portal: credentials, callback URLs, scopes.

The callback paths are the app's contract (issue 8): ``/bigcommerce/auth``, ``/bigcommerce/load``,
``/bigcommerce/uninstall`` and ``/bigcommerce/remove-user`` under the app's URL. The auth callback's
URL is also the ``redirect_uri`` the token request must repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

# The app's development defaults (app/settings.py): the devstore is told them, never imports them.
DEV_CLIENT_ID = "aftercare-dev-bc-client-id"
DEV_CLIENT_SECRET = "aftercare-dev-bc-client-secret"  # noqa: S105 - a dev-only default
# What the app's Developer Portal profile would ask for: orders (and their refunds), customers, store info.
DEFAULT_SCOPES = (
    "store_v2_orders",
    "store_v2_customers_read_only",
    "store_v2_transactions",
    "store_v2_information_read_only",
)
# The Developer Portal account that registered the app (the same for every store).
DEFAULT_ACCOUNT_UUID = "6e0b9a2c-5d1f-4c3e-9a7b-2f4d8c1e0a55"

AUTH_PATH = "/bigcommerce/auth"
LOAD_PATH = "/bigcommerce/load"
UNINSTALL_PATH = "/bigcommerce/uninstall"
REMOVE_USER_PATH = "/bigcommerce/remove-user"


@dataclass(frozen=True)
class BigCommerceApp:
    client_id: str
    client_secret: str = field(repr=False)
    app_url: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    account_uuid: str = DEFAULT_ACCOUNT_UUID
    name: str = "Aftercare"

    @property
    def app_origin(self) -> str:
        parts = urlsplit(self.app_url)
        return f"{parts.scheme}://{parts.netloc}"

    def callback_url(self, path: str) -> str:
        return self.app_url.rstrip("/") + path

    @property
    def redirect_uri(self) -> str:
        return self.callback_url(AUTH_PATH)
