"""Writing the audit trail: who did what, when — without personal data in ``data``."""

from __future__ import annotations

from typing import Any

from app.models import AuditEvent

PLATFORM = "platform"  # actor for what the platform asked us to do (webhooks)
SYSTEM = "system"


async def record(
    action: str,
    *,
    shop_id: int | None,
    actor: str = SYSTEM,
    subject_type: str = "",
    subject_id: str = "",
    staff_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """``shop_id=None`` is for events that outlive their shop (its erasure)."""
    return await AuditEvent.create(
        shop_id=shop_id,
        staff_id=staff_id,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data or {},
    )
