"""Store staff as the platform identifies them (a session token's ``sub``), created on first sight."""

from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError

from app.clock import utcnow
from app.models import Shop, StaffUser

# last_seen_at is for people, not audits: one write per user per few minutes is precise enough.
SEEN_PRECISION = timedelta(minutes=5)


async def staff_user_for(shop: Shop, platform_user_id: str) -> StaffUser:
    """The shop's staff user with this platform id, created if new (safe under concurrent loads)."""
    now = utcnow()
    staff = await StaffUser.get_or_none(shop_id=shop.id, platform_user_id=platform_user_id)
    if staff is None:
        try:
            return await StaffUser.create(shop=shop, platform_user_id=platform_user_id, last_seen_at=now)
        except IntegrityError:
            return await StaffUser.get(shop_id=shop.id, platform_user_id=platform_user_id)
    if staff.last_seen_at is None or now - staff.last_seen_at > SEEN_PRECISION:
        staff.last_seen_at = now
        await StaffUser.filter(id=staff.id).update(last_seen_at=now)
    return staff
