"""The dashboard's aggregate queries. Each is one grouped query over the shop's answers in range
(the ``(shop, answered_at)`` index bounds it), so the page costs the same however old the shop is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Max

from app.models import Survey, SurveyKind, SurveyResponse
from app.services.insights.filters import SurveyFilter
from app.services.insights.formulas import SCALES, Headline, headline

RESOLUTION_TYPES = ("refund", "store_credit", "exchange", "none")
MAX_PRODUCTS = 20
# Daily points up to a month, weekly up to a year, then 30-day points: at most ~120 columns.
DAILY_UP_TO = 31
WEEKLY_UP_TO = 366


@dataclass(frozen=True)
class Group:
    """One row of a breakdown: a name, its answer count and the kind's headline figure."""

    key: str
    label: str
    answers: int
    figure: Headline


@dataclass(frozen=True)
class TrendPoint:
    first_day: date
    last_day: date
    answers: int
    value: float | None


@dataclass(frozen=True)
class Overview:
    filter: SurveyFilter
    figure: Headline
    answers: int
    sent: int
    answered_of_sent: int
    distribution: list[tuple[int, int]]  # (score, count) over the whole scale, zeros included
    trend: list[TrendPoint]
    by_resolution: list[Group]
    by_product: list[Group]

    @property
    def response_rate(self) -> float | None:
        return None if self.sent == 0 else round(100.0 * self.answered_of_sent / self.sent, 1)


def answers_in(f: SurveyFilter) -> Any:
    """The shop's answers of the kind, answered within the range (the base of every figure)."""
    return SurveyResponse.filter(
        shop_id=f.shop_id, survey__kind=f.kind, answered_at__gte=f.start, answered_at__lt=f.end
    )


def _distribution(counts: dict[int, int], kind: SurveyKind) -> dict[int, int]:
    # Only scores on the kind's scale count: a stray value (a bad import) never skews a formula.
    return {score: counts.get(score, 0) for score in SCALES[kind]}


async def distribution_of(f: SurveyFilter) -> dict[int, int]:
    rows = await answers_in(f).annotate(n=Count("id")).group_by("score").values("score", "n")
    return _distribution({int(r["score"]): int(r["n"]) for r in rows}, f.kind)


async def response_rate_counts(f: SurveyFilter) -> tuple[int, int]:
    """(sent, answered): surveys sent within the range, and how many of those have an answer."""
    sent_in = {"shop_id": f.shop_id, "kind": f.kind, "sent_at__gte": f.start, "sent_at__lt": f.end}
    sent = await Survey.filter(**sent_in).count()
    answered = await SurveyResponse.filter(
        shop_id=f.shop_id, survey__kind=f.kind, survey__sent_at__gte=f.start, survey__sent_at__lt=f.end
    ).count()
    return sent, answered


def buckets(f: SurveyFilter) -> list[tuple[date, date]]:
    """The chart's points as inclusive (first day, last day) ranges covering the filter."""
    days = (f.last_day - f.first_day).days + 1
    width = 1 if days <= DAILY_UP_TO else 7 if days <= WEEKLY_UP_TO else 30
    points = []
    first = f.first_day
    while first <= f.last_day:
        last = min(first + timedelta(days=width - 1), f.last_day)
        points.append((first, last))
        first = last + timedelta(days=1)
    return points


async def trend_of(f: SurveyFilter) -> list[TrendPoint]:
    """Per point, the kind's figure. One query: a count per (score, point) as conditional
    aggregates grouped by score — never one query per point."""
    points = buckets(f)
    columns: dict[str, Any] = {}
    for i, (first, last) in enumerate(points):
        window = SurveyFilter(f.shop_id, f.kind, first, last)
        columns[f"p{i}"] = Count("id", _filter=Q(answered_at__gte=window.start, answered_at__lt=window.end))
    rows = await answers_in(f).annotate(**columns).group_by("score").values("score", *columns)
    trend = []
    for i, (first, last) in enumerate(points):
        counts = _distribution({int(r["score"]): int(r[f"p{i}"] or 0) for r in rows}, f.kind)
        answers = sum(counts.values())
        trend.append(TrendPoint(first, last, answers, headline(f.kind, counts).value))
    return trend


def _groups(rows: list[dict[str, Any]], key: str, kind: SurveyKind) -> dict[str, dict[int, int]]:
    grouped: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        grouped[str(row[key] or "")][int(row["score"])] = int(row["n"])
    return {name: _distribution(counts, kind) for name, counts in grouped.items()}


async def by_resolution(f: SurveyFilter) -> list[Group]:
    rows = (
        await answers_in(f)
        .annotate(n=Count("id"))
        .group_by("survey__resolution_type", "score")
        .values("survey__resolution_type", "score", "n")
    )
    grouped = _groups(rows, "survey__resolution_type", f.kind)
    empty = _distribution({}, f.kind)
    return [
        _group(name, name.replace("_", " ").capitalize(), grouped.get(name, empty), f.kind)
        for name in RESOLUTION_TYPES
    ]


async def by_product(f: SurveyFilter) -> list[Group]:
    """Per SKU of the surveyed order's line items (an order with three SKUs counts for each).
    Distinct answers, so two lines of one SKU in an order count once. The busiest SKUs first."""
    sku = "survey__order__line_items__sku"
    rows = (
        await answers_in(f)
        .filter(survey__order__line_items__id__isnull=False)
        .annotate(n=Count("id", distinct=True), title=Max("survey__order__line_items__title"))
        .group_by(sku, "score")
        .values(sku, "score", "n", "title")
    )
    titles = {str(r[sku] or ""): str(r["title"] or "") for r in rows}
    grouped = _groups(rows, sku, f.kind)
    groups = [
        _group(name, f"{titles[name]} ({name})" if name else f"{titles[name]} (no SKU)", counts, f.kind)
        for name, counts in grouped.items()
    ]
    groups.sort(key=lambda g: (-g.answers, g.key))
    return groups[:MAX_PRODUCTS]


def _group(key: str, label: str, counts: dict[int, int], kind: SurveyKind) -> Group:
    return Group(key, label, sum(counts.values()), headline(kind, counts))


async def overview(f: SurveyFilter) -> Overview:
    counts = await distribution_of(f)
    sent, answered = await response_rate_counts(f)
    return Overview(
        filter=f,
        figure=headline(f.kind, counts),
        answers=sum(counts.values()),
        sent=sent,
        answered_of_sent=answered,
        distribution=sorted(counts.items()),
        trend=await trend_of(f),
        by_resolution=await by_resolution(f),
        by_product=await by_product(f),
    )
