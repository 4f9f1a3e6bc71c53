"""Surveys: the CSAT/NPS/CES dashboard, its CSV export, and the outgoing-webhook setting."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.errors import error_response
from app.models import SurveyKind
from app.services.input import InvalidInput
from app.services.insights.comments import comments_page
from app.services.insights.export import csv_lines, filename
from app.services.insights.filters import parse_filter
from app.services.insights.stats import TrendPoint, overview
from app.services.keyset import Cursor
from app.services.outgoing_webhooks import configure_endpoint, endpoint_of
from app.services.shops import token_cipher

# admin.js follows this header after a successful fetch-post (see admin_ui.pages.settings).
NEXT_HEADER = "X-Aftercare-Location"
# The chart's value axis per kind: CSAT is a %, NPS runs -100…100, CES is a 1-7 average.
AXES: dict[SurveyKind, tuple[float, float]] = {
    SurveyKind.CSAT: (0, 100),
    SurveyKind.NPS: (-100, 100),
    SurveyKind.CES: (1, 7),
}
WIDTH, HEIGHT, PAD = 640, 200, 28


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    point: TrendPoint


@dataclass(frozen=True)
class Chart:
    """The trend as SVG coordinates; gaps (no answers) break the line rather than drop to 0."""

    width: int
    height: int
    low: float
    high: float
    segments: list[str]  # polyline "x,y x,y" runs between gaps
    points: list[ChartPoint]
    gridlines: list[tuple[float, float]]  # (y, value)


def trend_chart(trend: list[TrendPoint], kind: SurveyKind) -> Chart:
    low, high = AXES[kind]
    step = (WIDTH - 2 * PAD) / max(len(trend) - 1, 1)

    def y_of(value: float) -> float:
        return round(HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD), 1)

    points: list[ChartPoint] = []
    segments: list[str] = []
    run: list[str] = []
    for i, point in enumerate(trend):
        if point.value is None:
            if run:
                segments.append(" ".join(run))
            run = []
            continue
        chart_point = ChartPoint(round(PAD + i * step, 1), y_of(point.value), point)
        points.append(chart_point)
        run.append(f"{chart_point.x},{chart_point.y}")
    if run:
        segments.append(" ".join(run))
    grid = [(y_of(low + (high - low) * n / 4), round(low + (high - low) * n / 4, 1)) for n in range(5)]
    return Chart(WIDTH, HEIGHT, low, high, segments, points, grid)


async def survey_dashboard(request: Request) -> Response:
    session = embedded_session(request)
    try:
        selected = parse_filter(session.shop.id, request.query_params)
        comments = await comments_page(selected, Cursor.decode(request.query_params.get("before")))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    view = await overview(selected)
    context = {
        "view": view,
        "f": selected,
        "kinds": list(SurveyKind),
        "chart": trend_chart(view.trend, selected.kind),
        "comments": comments,
        "max_score": max(n for _, n in view.distribution) if view.answers else 0,
    }
    return render(request, "surveys/dashboard.html", context)


async def survey_csv(request: Request) -> Response:
    session = embedded_session(request)
    try:
        selected = parse_filter(session.shop.id, request.query_params)
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    return StreamingResponse(
        csv_lines(selected),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename(selected)}"',
            "Cache-Control": "no-store",  # personal data: not for shared caches
        },
    )


async def webhook_page(request: Request) -> Response:
    session = embedded_session(request)
    endpoint = endpoint_of(session.shop, token_cipher(request.state.settings))
    saved = request.query_params.get("saved") is not None
    return render(
        request, "surveys/webhook.html", {"endpoint": endpoint, "saved": saved, "error": "", "typed": None}
    )


async def save_webhook_page(request: Request) -> Response:
    session = embedded_session(request)
    settings = request.state.settings
    async with request.form(max_files=0, max_fields=10) as form:
        url = form.get("url")
        rotate = form.get("rotate") in {"on", "1", "true"}
    typed = url if isinstance(url, str) else ""
    try:
        await configure_endpoint(
            session.shop.id,
            typed,
            token_cipher(settings),
            production=settings.production,
            rotate=rotate,
            actor=f"staff:{session.staff.email or session.staff.platform_user_id}",
            staff_id=session.staff.id,
        )
    except InvalidInput as exc:
        endpoint = endpoint_of(session.shop, token_cipher(settings))
        context = {"endpoint": endpoint, "saved": False, "error": str(exc), "typed": typed}
        return render(request, "surveys/webhook.html", context, status_code=422)
    return Response(status_code=204, headers={NEXT_HEADER: "/surveys/webhook?saved=1"})
