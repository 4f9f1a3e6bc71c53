"""The control-panel users of each devstore store: its owner, an authorized user, and a plain user.

BigCommerce's multi-user apps (fact sheet §1.5) see the acting user in every ``signed_payload_jwt``;
owners and authorized users may install and uninstall, plain users may only load an installed app.
The ids derive from the store so that every run agrees, and are BigCommerce-sized (7 digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from devstore.models import Shop


class Role(StrEnum):
    OWNER = "owner"
    AUTHORIZED = "authorized"
    USER = "user"


@dataclass(frozen=True, slots=True)
class StoreUser:
    id: int
    email: str
    locale: str
    role: Role

    @property
    def username(self) -> str:
        return self.email

    @property
    def may_install(self) -> bool:
        return self.role is not Role.USER

    def claims(self) -> dict[str, Any]:
        """``user`` of a ``signed_payload_jwt``."""
        return {"id": self.id, "email": self.email, "locale": self.locale}

    def token_json(self) -> dict[str, Any]:
        """``user`` / ``owner`` of the token endpoint's answer."""
        return {"id": self.id, "username": self.username, "email": self.email}


def users_of(shop: Shop) -> tuple[StoreUser, ...]:
    """The owner first."""
    base = 1_000_000 + (shop.id % 8_000_000)
    domain = shop.email.partition("@")[2]
    return (
        StoreUser(base, shop.email, "en-US", Role.OWNER),
        StoreUser(base + 1, f"manager@{domain}", "en-GB", Role.AUTHORIZED),
        StoreUser(base + 2, f"support@{domain}", "de-DE", Role.USER),
    )


def owner_of(shop: Shop) -> StoreUser:
    return users_of(shop)[0]


def user_of(shop: Shop, user_id: int | None) -> StoreUser | None:
    """The user with ``user_id`` (the owner when None); None for someone not on the store."""
    if user_id is None:
        return owner_of(shop)
    return next((u for u in users_of(shop) if u.id == user_id), None)
