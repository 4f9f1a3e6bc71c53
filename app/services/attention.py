"""What needs a merchant's attention now: the admin home page's one query per concern."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import MirrorState, Refund, RefundStatus, Return, ReturnStatus, SurveyResponse, SyncRun

LOW_SCORE = 2
LIST_LIMIT = 5


@dataclass(frozen=True)
class SyncProgress:
    resource: str
    status: str
    done: int
    total: int | None
    finished_at: datetime | None
    error: str | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


@dataclass(frozen=True)
class Attention:
    returns_awaiting_review: list[Return]
    returns_awaiting_count: int
    failed_mirrors: list[Return]  # the store's own return could not be brought to ours
    failed_refunds: list[Refund]
    failed_refunds_count: int
    low_scores: list[SurveyResponse]
    sync: list[SyncProgress]


async def attention_for(shop_id: int) -> Attention:
    awaiting = Return.filter(shop_id=shop_id, status=ReturnStatus.REQUESTED)
    unmirrored = Return.filter(shop_id=shop_id, mirror_state=MirrorState.FAILED)
    failed = Refund.filter(shop_id=shop_id, status=RefundStatus.FAILED)
    low = SurveyResponse.filter(shop_id=shop_id, score__lte=LOW_SCORE).exclude(comment="")
    latest_runs: dict[str, SyncRun] = {}
    for run in await SyncRun.filter(shop_id=shop_id).order_by("-created_at").limit(20):
        latest_runs.setdefault(run.resource, run)
    return Attention(
        returns_awaiting_review=await awaiting.order_by("requested_at")
        .limit(LIST_LIMIT)
        .prefetch_related("order"),
        returns_awaiting_count=await awaiting.count(),
        failed_mirrors=await unmirrored.order_by("-updated_at").limit(LIST_LIMIT).prefetch_related("order"),
        failed_refunds=await failed.order_by("-updated_at").limit(LIST_LIMIT).prefetch_related("order"),
        failed_refunds_count=await failed.count(),
        low_scores=await low.order_by("-answered_at").limit(LIST_LIMIT).prefetch_related("survey__customer"),
        sync=[
            SyncProgress(r.resource, r.status, r.done, r.total, r.finished_at, r.error)
            for r in latest_runs.values()
        ],
    )
