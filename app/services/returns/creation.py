"""Writing a requested return: checked again under the order's lock, written whole or not at all.

Two staff members starting returns for the same units at once cannot both succeed: the second
sees the first's units as no longer returnable. A return the policy refuses is written only with
a staff member's reason, and the override is audited with the problems it set aside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from arq import ArqRedis
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import ItemState, Order, Resolution, Return, ReturnItem, ReturnStatus, Shop, StaffUser
from app.services import audit
from app.services.returns.eligibility import Eligibility, check_return, order_facts
from app.services.returns.fees import restocking_fee
from app.services.returns.form import ReturnForm, parse_return_form
from app.services.returns.records import (
    ReturnActionRefused,
    actor_of,
    label_of,
    mirror_state_for,
    queue_mirror,
    write_timeline,
)
from app.services.settings import settings_of


@dataclass(frozen=True)
class Created:
    form: ReturnForm
    eligibility: Eligibility
    return_request: Return | None = None  # None: nothing written (see the eligibility's problems)


async def create_return(
    shop: Shop, staff: StaffUser, order_id: int, fields: Mapping[str, str], queue: ArqRedis | None
) -> Created:
    """``ReturnActionRefused`` (404) for an order not in the shop; otherwise what was written, or why not."""
    settings = settings_of(shop)
    policy = settings.return_policy
    form = parse_return_form(fields, policy.reasons)
    async with in_transaction():
        order = await Order.select_for_update().get_or_none(id=order_id, shop_id=shop.id, deleted_at=None)
        if order is None:
            raise ReturnActionRefused("No such order in this store.", 404)
        facts = await order_facts(order)
        eligibility = check_return(form, facts, policy, settings.surveys.transit_buffer_days, utcnow())
        if not eligibility.allows(form.override_reason):
            return Created(form, eligibility)
        units = [(facts.lines[row], quantity) for row, quantity in sorted(form.quantities.items())]
        override = form.override_reason if eligibility.policy else None
        now = utcnow()
        row = await Return.create(
            shop_id=shop.id,
            order_id=order.id,
            customer_id=order.customer_id,  # type: ignore[attr-defined]
            status=ReturnStatus.REQUESTED,
            item_state=ItemState.AWAITING,
            resolution=Resolution(form.resolution),
            reason=form.reason[:64],
            note=form.note,
            restocking_fee_percent=policy.restocking_fee_percent,
            restocking_fee=restocking_fee(units, policy.restocking_fee_percent),
            eligibility_override=override,
            requested_by_id=staff.id,
            requested_at=now,
            platform_updated_at=now,  # see lifecycle: older platform news cannot undo our steps
            mirror_state=mirror_state_for(shop),
        )
        await ReturnItem.bulk_create(
            [
                ReturnItem(
                    shop_id=shop.id,
                    return_request_id=row.id,
                    line_item_id=line.id,
                    quantity=quantity,
                    reason=form.reason[:64],
                    note=form.note,
                )
                for line, quantity in units
            ]
        )
        data = {
            "order": order.id,
            "items": [{"line_item": line.id, "quantity": quantity} for line, quantity in units],
            "resolution": form.resolution,
            "reason": form.reason,
            "restocking_fee": str(row.restocking_fee),
        }
        await audit.record(
            "return.requested",
            shop_id=shop.id,
            actor=actor_of(staff),
            staff_id=staff.id,
            subject_type="return",
            subject_id=str(row.id),
            data=data,
        )
        if override is not None:
            await audit.record(
                "return.eligibility_overridden",
                shop_id=shop.id,
                actor=actor_of(staff),
                staff_id=staff.id,
                subject_type="return",
                subject_id=str(row.id),
                data={"problems": [p.message for p in eligibility.policy], "reason": override},
            )
        await write_timeline(row, order, "return.requested", f"Return {label_of(row, order)} requested")
    await queue_mirror(queue, row)
    return Created(form, eligibility, row)
