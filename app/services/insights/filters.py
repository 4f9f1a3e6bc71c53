"""What the dashboard is asked for: a shop, a survey kind and an answered-at date range."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.clock import utcnow
from app.models import SurveyKind
from app.services.input import InvalidInput

DEFAULT_DAYS = 90
# A longer range is still fine to query (the (shop, answered_at) index bounds it), but a chart of
# more than a few hundred weeks says nothing; ten years is a generous cap.
MAX_DAYS = 3660
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class SurveyFilter:
    shop_id: int
    kind: SurveyKind
    first_day: date
    last_day: date  # inclusive, as typed

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)

    def query_string(self) -> str:
        return f"kind={self.kind.value}&from={self.first_day.isoformat()}&to={self.last_day.isoformat()}"


def parse_filter(shop_id: int, params: Mapping[str, str]) -> SurveyFilter:
    """The filter from a page's query string; ``InvalidInput`` with a message for anything wrong.

    Empty values take the defaults (the last 90 days, CSAT) so a bare ``/surveys`` works."""
    kind_text = params.get("kind", "") or SurveyKind.CSAT.value
    try:
        kind = SurveyKind(kind_text)
    except ValueError:
        raise InvalidInput(f"{kind_text[:20]!r} is not a survey kind: choose csat, nps or ces.") from None
    today = utcnow().date()
    last = _day(params.get("to", ""), "to") or today
    first = _day(params.get("from", ""), "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("The 'from' date must be on or before the 'to' date.")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Choose a range of at most {MAX_DAYS} days.")
    return SurveyFilter(shop_id, kind, first, last)


def _day(text: str, name: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    if not DAY.fullmatch(text):
        raise InvalidInput(f"'{name}' must be a date like 2026-01-31.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{name}' is not a real date: {text}.") from None
