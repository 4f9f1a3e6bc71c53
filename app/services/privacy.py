"""Privacy-law requests: export what we hold on a customer, redact a customer, erase a shop.

Each is one transaction (all or nothing) and idempotent, and leaves an audit event without
personal data in it. A customer is matched by platform id and/or email; "their" orders are the
orders linked to them, sent with the same email, or named by the request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import (
    Customer,
    DataRequest,
    DataRequestStatus,
    Fulfillment,
    LineItem,
    Order,
    OutboundMessage,
    Refund,
    RefundLine,
    Return,
    ReturnItem,
    Shop,
    Survey,
    SurveyResponse,
    SurveyStatus,
    TimelineEntry,
    WebhookEvent,
    WebhookStatus,
)
from app.services import audit

REDACTED = "[redacted]"
# Not the customer's data but ours: survey tokens are bearer credentials for the survey page.
NOT_EXPORTED = {"shop_id", "token", "idempotency_key"}
SCAN_BATCH = 500


@dataclass(frozen=True)
class CustomerRef:
    """Who a request is about, from a compliance payload (``customer{id,email,phone}``)."""

    platform_id: str | None
    email: str | None
    order_ids: tuple[str, ...] = ()

    @classmethod
    def from_payload(cls, payload: dict[str, Any], orders_key: str) -> CustomerRef:
        customer = payload.get("customer") or {}
        customer_id = customer.get("id") if isinstance(customer, dict) else None
        email = customer.get("email") if isinstance(customer, dict) else None
        orders = payload.get(orders_key) or []
        return cls(
            platform_id=str(customer_id) if customer_id not in (None, "") else None,
            email=email.strip() if isinstance(email, str) and email.strip() else None,
            order_ids=tuple(str(o) for o in orders if isinstance(o, (int, str)) and str(o)),
        )


@dataclass(frozen=True)
class _Found:
    customer_ids: list[int]
    order_ids: list[int]


async def _find(shop_id: int, ref: CustomerRef) -> _Found:
    who = []
    if ref.platform_id:
        who.append(Q(platform_id=ref.platform_id))
    if ref.email:
        who.append(Q(email__iexact=ref.email))
    customer_ids: list[int] = []
    if who:
        customer_ids = await _column(Customer.filter(Q(*who, join_type="OR"), shop_id=shop_id), "id")
    whose = []
    if customer_ids:
        whose.append(Q(customer_id__in=customer_ids))
    if ref.email:
        whose.append(Q(email__iexact=ref.email))
    if ref.order_ids:
        whose.append(Q(platform_id__in=list(ref.order_ids)))
    order_ids: list[int] = []
    if whose:
        order_ids = await _column(Order.filter(Q(*whose, join_type="OR"), shop_id=shop_id), "id")
    return _Found(sorted(customer_ids), sorted(order_ids))


async def _column(query: Any, field: str) -> list[Any]:
    return list(await query.values_list(field, flat=True))


def _surveys(shop_id: int, ref: CustomerRef, found: _Found) -> Any:
    about = [Q(customer_id__in=found.customer_ids or [0]), Q(order_id__in=found.order_ids or [0])]
    if ref.email:
        about.append(Q(email__iexact=ref.email))
    return Survey.filter(Q(*about, join_type="OR"), shop_id=shop_id)


def _messages(shop_id: int, ref: CustomerRef, found: _Found) -> Any:
    to = [Q(customer_id__in=found.customer_ids or [0]), Q(order_id__in=found.order_ids or [0])]
    if ref.email:
        to.append(Q(to_email__iexact=ref.email))
    return OutboundMessage.filter(Q(*to, join_type="OR"), shop_id=shop_id)


# --- customers/data_request -------------------------------------------------------------------


async def export_customer_data(shop_id: int, ref: CustomerRef, request_id: str | None) -> DataRequest:
    """Build the export and keep it as a READY ``DataRequest`` for the merchant; a request id
    seen before returns the existing one unchanged."""
    if request_id is not None:
        existing = await DataRequest.get_or_none(shop_id=shop_id, platform_request_id=request_id)
        if existing is not None and existing.status == DataRequestStatus.READY:
            return existing
    found = await _find(shop_id, ref)
    export = await _build_export(shop_id, ref, found)
    fields: dict[str, Any] = {
        "customer_platform_id": ref.platform_id,
        "customer_email": ref.email,
        "status": DataRequestStatus.READY,
        "export": export,
        "completed_at": utcnow(),
    }
    try:
        async with in_transaction():
            if request_id is None:
                # Without the platform's id there is nothing to match on: the job runs once per
                # recorded delivery, which is what keeps this from repeating.
                request = await DataRequest.create(shop_id=shop_id, **fields)
            else:
                request, _ = await DataRequest.update_or_create(
                    shop_id=shop_id, platform_request_id=request_id, defaults=fields
                )
            await audit.record(
                "privacy.data_request",
                shop_id=shop_id,
                actor=audit.PLATFORM,
                subject_type="data_request",
                subject_id=str(request.id),
                data={"customer_platform_id": ref.platform_id, **export["counts"]},
            )
    except IntegrityError:
        # Another worker recorded the same request id in the meantime: theirs stands.
        return await DataRequest.get(shop_id=shop_id, platform_request_id=request_id)
    return request


async def _build_export(shop_id: int, ref: CustomerRef, found: _Found) -> dict[str, Any]:
    order_ids = found.order_ids or [0]
    orders = await _rows(Order.filter(id__in=order_ids).order_by("placed_at"))
    line_items = await _rows(LineItem.filter(order_id__in=order_ids))
    fulfillments = await _rows(Fulfillment.filter(order_id__in=order_ids))
    refunds = await _rows(Refund.filter(order_id__in=order_ids))
    refund_lines = await _rows(RefundLine.filter(refund_id__in=[r["id"] for r in refunds] or [0]))
    returns = await _rows(Return.filter(order_id__in=order_ids))
    return_items = await _rows(ReturnItem.filter(return_request_id__in=[r["id"] for r in returns] or [0]))
    surveys = await _rows(_surveys(shop_id, ref, found))
    responses = await _rows(SurveyResponse.filter(survey_id__in=[s["id"] for s in surveys] or [0]))
    _nest(refunds, "lines", refund_lines, "refund_id")
    _nest(returns, "items", return_items, "return_request_id")
    for key, children, link in (
        ("line_items", line_items, "order_id"),
        ("fulfillments", fulfillments, "order_id"),
        ("refunds", refunds, "order_id"),
        ("returns", returns, "order_id"),
    ):
        _nest(orders, key, children, link)
    by_survey = {r["survey_id"]: r for r in responses}
    for survey in surveys:
        survey["response"] = by_survey.get(survey["id"])
    sections = {
        "customers": await _rows(Customer.filter(id__in=found.customer_ids or [0])),
        "orders": orders,
        "surveys": surveys,
        "messages": await _rows(_messages(shop_id, ref, found)),
        "timeline": await _rows(
            TimelineEntry.filter(customer_id__in=found.customer_ids or [0]).order_by("occurred_at")
        ),
    }
    return {
        "generated_at": utcnow().isoformat(),
        "request": {
            "customer_id": ref.platform_id,
            "email": ref.email,
            "orders_requested": list(ref.order_ids),
        },
        "counts": {name: len(rows) for name, rows in sections.items()},
        **sections,
    }


async def _rows(query: Any) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items() if k not in NOT_EXPORTED} for row in await query.values()]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _nest(parents: list[dict[str, Any]], key: str, children: Iterable[dict[str, Any]], link: str) -> None:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for child in children:
        grouped[child[link]].append(child)
    for parent in parents:
        parent[key] = grouped.get(parent["id"], [])


# --- customers/redact -------------------------------------------------------------------------


@dataclass(frozen=True)
class Redaction:
    customers: int
    orders: int
    surveys: int
    messages: int
    timeline: int
    webhook_payloads: int


async def redact_customer(shop_id: int, ref: CustomerRef) -> Redaction:
    """Anonymise the customer; keep their orders (the merchant's records) without personal data."""
    now = utcnow()
    async with in_transaction():
        found = await _find(shop_id, ref)
        customers = await Customer.filter(id__in=found.customer_ids or [0]).update(
            email=None,
            first_name="",
            last_name="",
            name_key="",
            phone=None,
            tags="",
            accepts_marketing=False,
            redacted_at=now,
        )
        orders = await Order.filter(id__in=found.order_ids or [0]).update(email=None)
        survey_ids = await _column(_surveys(shop_id, ref, found), "id")
        await Survey.filter(id__in=survey_ids or [0]).update(email=None)
        # Sent but unanswered links stop too: the survey page must not take a redacted customer's answer.
        open_statuses = [SurveyStatus.SCHEDULED, SurveyStatus.SENDING, SurveyStatus.SENT]
        await Survey.filter(id__in=survey_ids or [0], status__in=open_statuses).update(
            status=SurveyStatus.CANCELED, decision="canceled: the customer's data was redacted"
        )
        await SurveyResponse.filter(survey_id__in=survey_ids or [0]).update(comment="")
        messages = await _messages(shop_id, ref, found).update(
            to_email="", subject=REDACTED, body_text=REDACTED
        )
        timeline = await TimelineEntry.filter(customer_id__in=found.customer_ids or [0]).update(
            summary=REDACTED, data={}
        )
        returns = Return.filter(order_id__in=found.order_ids or [0])
        await ReturnItem.filter(return_request_id__in=await _column(returns, "id") or [0]).update(note="")
        await returns.update(note="", decline_note=None)
        await _forget_exports(shop_id, ref)
        payloads = await _scrub_webhook_payloads(shop_id, ref, found)
        result = Redaction(customers, orders, len(survey_ids), messages, timeline, payloads)
        await audit.record(
            "privacy.customer_redacted",
            shop_id=shop_id,
            actor=audit.PLATFORM,
            subject_type="customer",
            subject_id=ref.platform_id or "",
            data={"orders_to_redact": list(ref.order_ids), **asdict(result)},
        )
    return result


async def _forget_exports(shop_id: int, ref: CustomerRef) -> None:
    """An earlier export is a copy of the data being erased."""
    who = []
    if ref.platform_id:
        who.append(Q(customer_platform_id=ref.platform_id))
    if ref.email:
        who.append(Q(customer_email__iexact=ref.email))
    if who:
        await DataRequest.filter(Q(*who, join_type="OR"), shop_id=shop_id).update(
            customer_email=None, export={"redacted_at": utcnow().isoformat()}
        )


async def _scrub_webhook_payloads(shop_id: int, ref: CustomerRef, found: _Found) -> int:
    """Stored deliveries that carry the customer's data (orders, customers, this request itself)
    keep only their ids; ones not processed yet are not processed at all."""
    order_platform_ids = set(ref.order_ids) | set(
        await _column(Order.filter(id__in=found.order_ids or [0]), "platform_id")
    )
    email = ref.email.casefold() if ref.email else None
    scrubbed = 0
    after = 0
    while True:
        batch = (
            await WebhookEvent.filter(shop_id=shop_id, id__gt=after)
            .order_by("id")
            .limit(SCAN_BATCH)
            .values("id", "topic", "payload", "status")
        )
        if not batch:
            return scrubbed
        after = batch[-1]["id"]
        for row in batch:
            payload = row["payload"]
            if not isinstance(payload, dict) or not _mentions(
                row["topic"], payload, ref.platform_id, email, order_platform_ids
            ):
                continue
            changes: dict[str, Any] = {"payload": _ids_only(payload)}
            if row["status"] == WebhookStatus.RECEIVED and row["topic"] != "customers/redact":
                changes |= {"status": WebhookStatus.IGNORED, "error": "customer redacted before processing"}
            await WebhookEvent.filter(id=row["id"]).update(**changes)
            scrubbed += 1


def _mentions(
    topic: str, payload: dict[str, Any], customer_id: str | None, email: str | None, order_ids: set[str]
) -> bool:
    own_id = str(payload.get("id", ""))
    if topic.startswith("orders/") and own_id in order_ids:
        return True
    if str(payload.get("order_id", "")) in order_ids:
        return True
    if customer_id and topic.startswith("customers/") and own_id == customer_id:
        return True
    customer = payload.get("customer")
    if customer_id and isinstance(customer, dict) and str(customer.get("id", "")) == customer_id:
        return True
    return email is not None and _has_string(payload, email)


def _has_string(value: Any, wanted: str) -> bool:
    if isinstance(value, str):
        return value.casefold() == wanted
    if isinstance(value, dict):
        return any(_has_string(v, wanted) for v in value.values())
    if isinstance(value, list):
        return any(_has_string(v, wanted) for v in value)
    return False


def _ids_only(payload: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"redacted": True}
    for key in ("id", "order_id", "shop_id", "shop_domain", "orders_to_redact", "orders_requested"):
        if key in payload:
            kept[key] = payload[key]
    customer = payload.get("customer")
    if isinstance(customer, dict) and "id" in customer:
        kept["customer"] = {"id": customer["id"]}
    return kept


# --- shop/redact ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopErasure:
    erased: bool
    reason: str


# Shopify sends shop/redact 48 hours after the uninstall (fact sheet 3.2); BigCommerce stores are
# erased by our own cron after the same delay.
REDACT_DELAY = timedelta(hours=48)


async def erase_shop(shop_id: int) -> ShopErasure:
    """Delete the shop and, through the foreign keys' ON DELETE CASCADE, every row it owns."""
    async with in_transaction():
        shop = await Shop.get_or_none(id=shop_id)
        if shop is None:
            return ShopErasure(False, "already erased")
        if _installed_again(shop):
            # shop/redact follows an uninstall by 48 h; a merchant who came back meanwhile is a
            # customer again, and erasing their data would break the app under them.
            return ShopErasure(False, "installed again after the uninstall: data kept")
        platform, domain, platform_id = shop.platform, shop.domain, shop.platform_id
        await Shop.filter(id=shop_id).delete()
        await audit.record(
            "privacy.shop_erased",
            shop_id=None,
            actor=audit.PLATFORM,
            subject_type="shop",
            subject_id=platform_id or "",
            data={"platform": str(platform), "domain": domain},
        )
    return ShopErasure(True, "erased")


def _installed_again(shop: Shop) -> bool:
    """A reinstall clears ``uninstalled_at``, so "installed since the uninstall" is also an active
    shop installed within the redact delay; an active shop installed long before it only missed
    its app/uninstalled delivery, and is erased."""
    if not shop.is_active or shop.installed_at is None:
        return False
    if shop.uninstalled_at is not None:
        return shop.installed_at > shop.uninstalled_at
    return shop.installed_at > utcnow() - REDACT_DELAY
