"""The store's webhooks (``/v3/hooks``): created on install, checked by the reconcile job.

    result = await ensure_hooks(rest, "https://app.example.com/webhooks/bigcommerce", secret_for=...)

Fact sheet 3.1: a hook is ``{scope, destination, is_active, headers}``; the ``headers`` map is sent
back on every delivery, so each hook carries its own secret there (``HOOK_SECRET_HEADER``; the app
derives one per store and scope) and a delivery proves it came through that hook. Hooks are visible only to the app that made them,
at most one per scope and destination; after about 48 h of failed deliveries (3.4) or 90 days
without events (3.1) BigCommerce sets ``is_active: false``. ``ensure_hooks`` makes every scope in
``SCOPES`` have one active hook for our destination: creating what is missing, reactivating
(``PUT {"is_active": true}``) what was deactivated, moving a hook left on an old destination, and
re-creating one that vanished between the listing and the update. Uninstalling deletes the
store's hooks (3.1); nothing to clean up here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.bigcommerce.dates import from_unix
from connectors.bigcommerce.errors import NotFound
from connectors.bigcommerce.listing import v3_all, v3_data
from connectors.bigcommerce.rest import BigCommerceREST, path_id
from connectors.errors import Permanent
from connectors.values import integer, mapping, text

HOOK_SECRET_HEADER = "X-Aftercare-Webhook-Token"  # noqa: S105 - a header name, not a secret

# Orders (``updated`` covers status changes, 3.1), refunds, customers, and the uninstall. The
# wildcards (``store/order/*``) would add messages, metafields and transactions we do not use.
SCOPES = (
    "store/order/created",
    "store/order/updated",
    "store/order/archived",
    "store/order/refund/created",
    "store/customer/created",
    "store/customer/updated",
    "store/customer/deleted",
    "store/app/uninstalled",
)


@dataclass(frozen=True, slots=True)
class Hook:
    id: str
    scope: str
    destination: str
    is_active: bool
    headers: Mapping[str, str] = field(repr=False)  # holds the secret
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def secret(self) -> str | None:
        for name, value in self.headers.items():
            if name.lower() == HOOK_SECRET_HEADER.lower():
                return value
        return None


@dataclass(frozen=True, slots=True)
class HookSync:
    """Every hook of ``SCOPES`` for the destination, active, and what it took to get there."""

    hooks: tuple[Hook, ...]
    created: tuple[str, ...]  # scopes
    reactivated: tuple[str, ...]  # hook ids (deactivated, or moved from another destination)


async def create_hook(rest: BigCommerceREST, scope: str, destination: str, secret: str) -> Hook:
    # Not repeated after a lost answer: the hook may exist, and a second POST would be refused as
    # a duplicate (one per scope and destination). The caller's next ensure_hooks lists it.
    body = {
        "scope": scope,
        "destination": destination,
        "is_active": True,
        "headers": {HOOK_SECRET_HEADER: secret},
    }
    return parse_hook(v3_data(await rest.post("v3/hooks", body), "the new hook"))


async def list_hooks(
    rest: BigCommerceREST, *, is_active: bool | None = None, scope: str | None = None
) -> list[Hook]:
    params: dict[str, str | int] = {}
    if is_active is not None:
        params["is_active"] = "true" if is_active else "false"
    if scope is not None:
        params["scope"] = scope
    items, _ = await v3_all(rest, "v3/hooks", "the hook list", params)
    return [parse_hook(item) for item in items]


async def update_hook(
    rest: BigCommerceREST,
    hook_id: str,
    *,
    is_active: bool | None = None,
    destination: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Hook:
    body: dict[str, Any] = {}
    if is_active is not None:
        body["is_active"] = is_active
    if destination is not None:
        body["destination"] = destination
    if headers is not None:
        body["headers"] = dict(headers)
    return parse_hook(v3_data(await rest.put(f"v3/hooks/{path_id(hook_id)}", body), "the updated hook"))


async def delete_hook(rest: BigCommerceREST, hook_id: str) -> None:
    try:
        await rest.delete(f"v3/hooks/{path_id(hook_id)}")
    except NotFound:
        return


async def ensure_hooks(
    rest: BigCommerceREST,
    destination: str,
    *,
    secret_for: Callable[[str], str],
    scopes: tuple[str, ...] = SCOPES,
) -> HookSync:
    """``secret_for(scope)`` is the secret the hook of that scope must carry: the app derives it
    (nothing to store), so a hook carrying any other (an older key's, none) is given it."""
    existing = await list_hooks(rest)
    hooks: list[Hook] = []
    created: list[str] = []
    reactivated: list[str] = []
    for scope in scopes:
        candidates = [hook for hook in existing if hook.scope == scope]
        # Ours at this destination first; else one left on an old destination is moved here.
        candidates.sort(key=lambda hook: (hook.destination != destination, not hook.is_active))
        hook = candidates[0] if candidates else None
        secret = secret_for(scope)
        if hook is not None and hook.is_active and hook.destination == destination and hook.secret == secret:
            hooks.append(hook)
            continue
        if hook is not None:
            try:
                hooks.append(
                    await update_hook(
                        rest,
                        hook.id,
                        is_active=True,
                        destination=destination,
                        headers=None
                        if hook.secret == secret
                        else {**hook.headers, HOOK_SECRET_HEADER: secret},
                    )
                )
                reactivated.append(hook.id)
                continue
            except NotFound:
                pass  # deleted since the listing: made anew below
        hooks.append(await create_hook(rest, scope, destination, secret))
        created.append(scope)
    return HookSync(hooks=tuple(hooks), created=tuple(created), reactivated=tuple(reactivated))


def parse_hook(data: Mapping[str, Any]) -> Hook:
    hook_id = integer(data.get("id"))
    scope = text(data.get("scope"))
    if hook_id <= 0 or not scope:
        raise Permanent("BigCommerce sent a hook without an id or scope", status=200)
    return Hook(
        id=str(hook_id),
        scope=scope,
        destination=text(data.get("destination")),
        is_active=data.get("is_active") is True,
        headers={str(k): v for k, v in mapping(data.get("headers")).items() if isinstance(v, str)},
        created_at=from_unix(data.get("created_at")),
        updated_at=from_unix(data.get("updated_at")),
    )
