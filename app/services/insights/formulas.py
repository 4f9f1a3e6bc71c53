"""The score formulas, one per survey kind, over a distribution (score → count). Pure functions.

CSAT % = answers of 4-5 / answers (Gorgias' definition, PRODUCT.md §5); NPS = % promoters (9-10)
- % detractors (0-6); CES = the average effort score (1-7) and the share of 5 or more ("easy").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.models import SurveyKind

SCALES: dict[SurveyKind, range] = {
    SurveyKind.CSAT: range(1, 6),
    SurveyKind.NPS: range(0, 11),
    SurveyKind.CES: range(1, 8),
}
CSAT_GOOD = 4
NPS_PROMOTER = 9
NPS_DETRACTOR = 6  # and below
CES_EASY = 5


@dataclass(frozen=True)
class Headline:
    """The one number a kind is judged by, plus the kind's second figure where it has one."""

    label: str
    value: float | None  # None when there are no answers (shown as "-", never as 0)
    unit: str  # "%", "" (NPS points) or "/ 7"
    detail: str = ""


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def csat_percent(distribution: Mapping[int, int]) -> float | None:
    total = sum(distribution.values())
    return share(sum(n for score, n in distribution.items() if score >= CSAT_GOOD), total)


def nps(distribution: Mapping[int, int]) -> float | None:
    total = sum(distribution.values())
    if total == 0:
        return None
    promoters = sum(n for score, n in distribution.items() if score >= NPS_PROMOTER)
    detractors = sum(n for score, n in distribution.items() if score <= NPS_DETRACTOR)
    return round(100.0 * (promoters - detractors) / total, 1)


def ces_average(distribution: Mapping[int, int]) -> float | None:
    total = sum(distribution.values())
    return None if total == 0 else round(sum(s * n for s, n in distribution.items()) / total, 2)


def ces_easy_percent(distribution: Mapping[int, int]) -> float | None:
    total = sum(distribution.values())
    return share(sum(n for score, n in distribution.items() if score >= CES_EASY), total)


def headline(kind: SurveyKind, distribution: Mapping[int, int]) -> Headline:
    if kind is SurveyKind.NPS:
        return Headline("NPS", nps(distribution), "", "% promoters (9-10) - % detractors (0-6)")
    if kind is SurveyKind.CES:
        easy = ces_easy_percent(distribution)
        detail = "no answers" if easy is None else f"{easy}% answered 5 or more"
        return Headline("Average effort", ces_average(distribution), "/ 7", detail)
    return Headline("CSAT", csat_percent(distribution), "%", "share of 4-5 among answers")


def main_figure(kind: SurveyKind, distribution: Mapping[int, int]) -> float | None:
    """What the trend chart plots for a kind (the headline value)."""
    return headline(kind, distribution).value
