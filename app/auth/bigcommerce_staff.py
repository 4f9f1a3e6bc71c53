"""BigCommerce control-panel users as staff of their store: provisioned on install and on each
``load`` (a new ``user.id`` is a new staff user), marked removed by ``remove_user``.

One token per store, none per user (BigCommerce's multi-user rule): a staff row is who, not access.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import Shop, StaffUser
from app.services import audit
from connectors.bigcommerce.signed_payload import BigCommerceUser

_LOCALE_LENGTH = 16


async def provision_staff(shop: Shop, user: BigCommerceUser, *, is_owner: bool) -> StaffUser:
    """The store's staff user for ``user``, created if new (safe under concurrent loads) and
    brought up to date: a load is BigCommerce's word that this user may use the app now, so a
    user removed earlier and authorized again is active again."""
    now = utcnow()
    fields: dict[str, Any] = {"last_seen_at": now, "removed_at": None}
    if user.email:
        fields["email"] = user.email
    if user.username:
        fields["name"] = user.username
    if user.locale:
        fields["locale"] = user.locale[:_LOCALE_LENGTH]
    if is_owner:
        fields["is_owner"] = True
    staff = await StaffUser.get_or_none(shop_id=shop.id, platform_user_id=user.id)
    if staff is None:
        try:
            return await StaffUser.create(shop=shop, platform_user_id=user.id, **fields)
        except IntegrityError:
            staff = await StaffUser.get(shop_id=shop.id, platform_user_id=user.id)
    await StaffUser.filter(id=staff.id).update(**fields)
    await staff.refresh_from_db()
    return staff


async def remove_staff(shop: Shop, user_id: str) -> bool:
    """Mark the store's user removed (their sessions end at their next request). False when we
    never saw that user or they were removed already."""
    async with in_transaction():
        removed = await StaffUser.filter(shop_id=shop.id, platform_user_id=user_id, removed_at=None).update(
            removed_at=utcnow()
        )
        if removed:
            await audit.record(
                "staff.removed",
                shop_id=shop.id,
                actor=audit.PLATFORM,
                subject_type="staff_user",
                subject_id=user_id,
            )
    return bool(removed)
