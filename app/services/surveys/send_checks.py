"""The send-time checks: the suppression rules again, just before sending, on facts read for a
whole batch in one query per table (the world may have changed since planning: an order
cancelled, a return opened, a customer unsubscribed, the app uninstalled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.models import (
    Customer,
    Order,
    Refund,
    RefundStatus,
    Return,
    ReturnStatus,
    Shop,
    Survey,
    SurveyStatus,
    SurveyTrigger,
)
from app.services.settings import SurveySettings, settings_of
from app.services.surveys import rules

Stop = tuple[SurveyStatus, str]  # the status a survey ends in instead of being sent, and why


@dataclass
class Facts:
    shops: dict[int, Shop] = field(default_factory=dict)
    settings: dict[int, SurveySettings] = field(default_factory=dict)  # by shop id
    orders: dict[int, Order] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    orders_with_open_returns: set[int] = field(default_factory=set)
    closed_returns: set[int] = field(default_factory=set)
    succeeded_refunds: set[int] = field(default_factory=set)


def _ids(values: Sequence[object]) -> set[int]:
    return {int(str(value)) for value in values}


async def facts_for(surveys: Sequence[Survey]) -> Facts:
    facts = Facts()
    if not surveys:
        return facts
    shop_ids = list({s.shop_id for s in surveys})  # type: ignore[attr-defined]
    facts.shops = {shop.id: shop for shop in await Shop.filter(id__in=shop_ids)}
    facts.settings = {shop_id: settings_of(shop).surveys for shop_id, shop in facts.shops.items()}
    order_ids = [s.order_id for s in surveys if s.order_id]  # type: ignore[attr-defined]
    customer_ids = [s.customer_id for s in surveys if s.customer_id]  # type: ignore[attr-defined]
    if order_ids:
        facts.orders = {o.id: o for o in await Order.filter(id__in=order_ids)}
        open_returns = Return.filter(order_id__in=order_ids, status__in=list(rules.OPEN_RETURN))
        facts.orders_with_open_returns = _ids(await open_returns.values_list("order_id", flat=True))
    if customer_ids:
        facts.customers = {c.id: c for c in await Customer.filter(id__in=customer_ids)}
    subjects: dict[str, list[int]] = {"return": [], "refund": []}
    for survey in surveys:
        kind, _, subject_id = survey.subject_key.partition(":")
        if kind in subjects:
            subjects[kind].append(int(subject_id))
    if subjects["return"]:
        closed = Return.filter(id__in=subjects["return"], status=ReturnStatus.CLOSED)
        facts.closed_returns = _ids(await closed.values_list("id", flat=True))
    if subjects["refund"]:
        succeeded = Refund.filter(id__in=subjects["refund"], status=RefundStatus.SUCCEEDED)
        facts.succeeded_refunds = _ids(await succeeded.values_list("id", flat=True))
    return facts


def send_time_stop(survey: Survey, facts: Facts, now: datetime) -> Stop | None:
    """Why ``survey`` must not be sent now, or None. The throttle is taken separately (it writes)."""
    shop = facts.shops[survey.shop_id]  # type: ignore[attr-defined]
    if not shop.is_active:
        return SurveyStatus.CANCELED, "canceled: the app was uninstalled"
    if not survey.email:
        return SurveyStatus.CANCELED, "canceled: no email address"
    order = facts.orders.get(survey.order_id) if survey.order_id else None  # type: ignore[attr-defined]
    if order is None:
        return SurveyStatus.CANCELED, "canceled: the order is gone"
    reason = rules.order_reason(order, now, facts.settings[shop.id], check_age=False)
    if reason:
        return SurveyStatus.SUPPRESSED, reason
    customer = facts.customers.get(survey.customer_id) if survey.customer_id else None  # type: ignore[attr-defined]
    if customer is not None and customer.unsubscribed_at is not None:
        return SurveyStatus.SUPPRESSED, "suppressed: the customer unsubscribed from surveys"
    if customer is not None and customer.redacted_at is not None:
        return SurveyStatus.CANCELED, "canceled: the customer's data was redacted"
    if survey.trigger == SurveyTrigger.DELIVERY:
        if order.id in facts.orders_with_open_returns:
            return SurveyStatus.SUPPRESSED, rules.OPEN_RETURN_REASON
        return None
    kind, _, subject_id = survey.subject_key.partition(":")
    if kind == "return" and int(subject_id) not in facts.closed_returns:
        return SurveyStatus.CANCELED, "canceled: the return was reopened"
    if kind == "refund" and int(subject_id) not in facts.succeeded_refunds:
        return SurveyStatus.CANCELED, "canceled: the refund did not go through"
    return None
