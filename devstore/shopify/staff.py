"""The one staff member of each devstore shop: its owner, signed in to the admin.

Shopify puts the staff user's id in a session token's ``sub`` and an online token's
``associated_user``; the devstore derives a stable one from the shop so that every run agrees.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from devstore.models import Shop


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: int
    first_name: str
    last_name: str
    email: str
    locale: str
    account_owner: bool

    @property
    def session_id(self) -> str:
        """The admin login session's id (a session token's ``sid``): one per user per devstore."""
        return hashlib.sha256(f"devstore-session:{self.id}".encode()).hexdigest()[:32]

    def associated_user(self) -> dict[str, Any]:
        """``associated_user`` of an online token response."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "account_owner": self.account_owner,
            "locale": self.locale,
            "collaborator": False,
            "email_verified": True,
        }


def owner_of(shop: Shop) -> StaffUser:
    # Shopify's staff ids are 11-12 digit numbers.
    user_id = 70_000_000_000 + shop.id % 10_000_000_000
    return StaffUser(
        id=user_id,
        first_name="Devstore",
        last_name="Owner",
        email=shop.email,
        locale="en",
        account_owner=True,
    )
