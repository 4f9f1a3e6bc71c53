"""Survey insights: the formulas, the grouped queries, the filters, the comments pages, the CSV."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from app.models import Customer, LineItem, Order, Platform, Shop, Survey, SurveyKind, SurveyResponse
from app.models.survey import SurveyStatus
from app.services.input import InvalidInput
from app.services.insights.comments import comments_page
from app.services.insights.export import csv_lines, safe_cell
from app.services.insights.filters import SurveyFilter, parse_filter
from app.services.insights.formulas import ces_average, ces_easy_percent, csat_percent, nps
from app.services.insights.stats import buckets, overview
from app.settings import Settings

DAY = datetime(2026, 3, 10, 12, tzinfo=UTC)
_serial = itertools.count(1)


async def a_shop(domain: str = "a.myshopify.com") -> Shop:
    return await Shop.create(platform=Platform.SHOPIFY, domain=domain)


async def survey(
    shop: Shop,
    score: int | None,
    *,
    kind: SurveyKind = SurveyKind.CSAT,
    at: datetime = DAY,
    comment: str = "",
    resolution: str = "none",
    skus: Sequence[tuple[str, str]] = (),
    customer: Customer | None = None,
) -> Survey:
    """A sent survey (answered when ``score`` is given) about a new order with ``skus`` lines."""
    n = next(_serial)
    order = await Order.create(shop=shop, platform_id=f"o{n}", number=f"#{1000 + n}", placed_at=at)
    for i, (sku, title) in enumerate(skus):
        await LineItem.create(
            shop=shop, order=order, platform_id=f"l{n}-{i}", sku=sku, title=title, quantity=1
        )
    row = await Survey.create(
        shop=shop,
        customer=customer,
        order=order,
        kind=kind,
        subject_key=f"order:{order.id}",
        resolution_type=resolution,
        status=SurveyStatus.SENT if score is None else SurveyStatus.ANSWERED,
        token=f"t{n}-{shop.id}",
        email=customer.email if customer else f"p{n}@example.com",
        due_at=at - timedelta(hours=1),
        sent_at=at - timedelta(hours=1),
        answered_at=None if score is None else at,
    )
    if score is not None:
        await SurveyResponse.create(shop=shop, survey=row, score=score, comment=comment, answered_at=at)
    return row


def march(shop: Shop, kind: str = "csat") -> SurveyFilter:
    return parse_filter(shop.id, {"kind": kind, "from": "2026-03-01", "to": "2026-03-31"})


def test_csat_is_the_share_of_four_and_five() -> None:
    assert csat_percent({1: 1, 2: 0, 3: 1, 4: 1, 5: 1}) == 50.0
    assert csat_percent({1: 0, 5: 0}) is None, "no answers is no figure, not 0 %"


def test_nps_is_promoters_minus_detractors() -> None:
    # 3 promoters (9, 10, 10), 1 passive (7), 2 detractors (0, 6) of 6: 50 % - 33.3 % = 16.7
    assert nps({0: 1, 6: 1, 7: 1, 9: 1, 10: 2}) == 16.7
    assert nps({0: 2}) == -100.0 and nps({}) is None


def test_ces_is_the_average_and_the_share_of_five_or_more() -> None:
    assert ces_average({1: 1, 7: 1, 4: 2}) == 4.0
    assert ces_easy_percent({1: 1, 5: 1, 7: 2}) == 75.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "not a real date"),
        ({"to": "yesterday"}, "must be a date"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "on or before"),
        ({"kind": "stars"}, "not a survey kind"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "at most"),
    ],
)
def test_bad_filters_are_invalid_input_with_a_message(params: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_filter(1, params)


def test_the_chart_goes_daily_then_weekly_then_monthly() -> None:
    def points(days: int) -> int:
        f = SurveyFilter(1, SurveyKind.CSAT, date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=days - 1))
        spans = buckets(f)
        assert spans[0][0] == f.first_day and spans[-1][1] == f.last_day
        return len(spans)

    assert (points(31), points(70), points(730)) == (31, 10, 25)


async def test_the_overview_of_a_month(db: Settings) -> None:
    shop = await a_shop()
    await survey(shop, 5, resolution="refund", skus=[("MUG-1", "Mug"), ("TEE-1", "Tee")])
    await survey(shop, 4, resolution="refund", skus=[("MUG-1", "Mug"), ("MUG-1", "Mug")])
    await survey(shop, 2, resolution="exchange", skus=[("TEE-1", "Tee")], at=DAY + timedelta(days=5))
    await survey(shop, 1, at=DAY + timedelta(days=5))
    await survey(shop, None)  # sent, never answered
    await survey(shop, 5, at=datetime(2026, 2, 20, tzinfo=UTC))  # answered before the range
    await survey(shop, 9, kind=SurveyKind.NPS)  # another kind
    await survey(await a_shop("b.myshopify.com"), 1)  # another shop

    view = await overview(march(shop))

    assert view.figure.value == 50.0 and view.answers == 4
    assert (view.sent, view.answered_of_sent, view.response_rate) == (5, 4, 80.0)
    assert view.distribution == [(1, 1), (2, 1), (3, 0), (4, 1), (5, 1)]
    by_resolution = {g.key: (g.answers, g.figure.value) for g in view.by_resolution}
    assert by_resolution == {
        "refund": (2, 100.0),
        "exchange": (1, 0.0),
        "store_credit": (0, None),
        "none": (1, 0.0),
    }
    by_sku = {g.key: (g.answers, g.figure.value, g.label) for g in view.by_product}
    assert by_sku == {"MUG-1": (2, 100.0, "Mug (MUG-1)"), "TEE-1": (2, 50.0, "Tee (TEE-1)")}
    trend = {p.first_day.day: (p.answers, p.value) for p in view.trend if p.answers}
    assert len(view.trend) == 31 and trend == {10: (2, 100.0), 15: (2, 0.0)}


async def test_nps_and_ces_overviews_use_their_own_formula(db: Settings) -> None:
    shop = await a_shop()
    for score in (10, 9, 7, 3):
        await survey(shop, score, kind=SurveyKind.NPS)
    for score in (7, 5, 2):
        await survey(shop, score, kind=SurveyKind.CES)

    nps_view, ces_view = await overview(march(shop, "nps")), await overview(march(shop, "ces"))

    assert nps_view.figure.value == 25.0 and len(nps_view.distribution) == 11
    assert ces_view.figure.value == 4.67 and ces_view.figure.detail == "66.7% answered 5 or more"


async def test_comments_are_newest_first_across_pages_and_only_the_shops(db: Settings) -> None:
    shop, other = await a_shop(), await a_shop("b.myshopify.com")
    for n in range(5):
        await survey(shop, 3, comment=f"comment {n}", at=DAY + timedelta(hours=n))
    await survey(shop, 5, at=DAY + timedelta(hours=9))  # no comment
    await survey(other, 1, comment="from shop b")

    first = await comments_page(march(shop), None, limit=3)
    rest = await comments_page(march(shop), first.next, limit=3)

    texts = [c.text for page in (first, rest) for c in page.items]
    assert texts == ["comment 4", "comment 3", "comment 2", "comment 1", "comment 0"]
    assert rest.next is None


async def test_the_csv_has_every_answer_quoted_and_formula_safe(db: Settings) -> None:
    shop = await a_shop()
    jane = await Customer.create(shop=shop, platform_id="c1", email="jane@example.com")
    await survey(shop, 1, comment='=HYPERLINK("http://evil")', customer=jane)
    await survey(shop, 5, comment='said "great",\nthen left', at=DAY + timedelta(hours=1))
    await survey(shop, 4, comment="+1 and -1", at=DAY + timedelta(hours=2))
    await survey(await a_shop("b.myshopify.com"), 2, comment="shop b secret")

    text = "".join([line async for line in csv_lines(march(shop), batch=2)])

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["score"] for r in rows] == ["1", "5", "4"]
    assert (
        rows[0]["comment"] == '\'=HYPERLINK("http://evil")'
        and rows[0]["customer_email"] == "jane@example.com"
    )
    assert rows[1]["comment"] == 'said "great",\nthen left'
    assert rows[2]["comment"] == "'+1 and -1"
    assert "shop b secret" not in text


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_cells_are_made_text(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("ok = fine") == "ok = fine"
