"""Survey kinds and their scales: CSAT 1-5 (default), NPS 0-10, CES 1-7."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import SurveyKind


@dataclass(frozen=True)
class Scale:
    low: int
    high: int
    # At or below this score the page asks what went wrong (a follow-up reason).
    unhappy_at_most: int

    @property
    def scores(self) -> range:
        return range(self.low, self.high + 1)

    def accepts(self, score: int) -> bool:
        return self.low <= score <= self.high

    def unhappy(self, score: int) -> bool:
        return score <= self.unhappy_at_most


SCALES: dict[SurveyKind, Scale] = {
    SurveyKind.CSAT: Scale(1, 5, 2),
    SurveyKind.NPS: Scale(0, 10, 6),  # 0-6 are NPS "detractors"
    SurveyKind.CES: Scale(1, 7, 2),
}


def kind_from_setting(value: str) -> SurveyKind:
    """The merchant's chosen kind; anything unknown falls back to CSAT."""
    try:
        return SurveyKind(value)
    except ValueError:
        return SurveyKind.CSAT


def scale_of(kind: SurveyKind | str) -> Scale:
    return SCALES[kind_from_setting(str(kind))]


def parse_score(raw: str | None, kind: SurveyKind | str) -> int | None:
    """A score from a link or form, or None when it is not a whole number on this kind's scale."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 2:
        return None
    score = int(raw)
    return score if scale_of(kind).accepts(score) else None


FOLLOW_UP_REASONS = ("delivery", "quality", "not_as_described", "service", "price", "other")
