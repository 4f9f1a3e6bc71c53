"""The survey pages: ``/s/{token}`` (one-click rating, comment form) and its unsubscribe page.

A GET that records a rating is what one-click email ratings need; it is kept safe by accepting
only scores on the survey's scale, being idempotent per value (the same click changes nothing),
and being rate limited. The comment form POST carries an HMAC form token and is refused from
another origin. The unsubscribe POST takes no form token on purpose: RFC 8058 one-click POSTs
come from mail providers, and all it can do is stop surveys for the link's own customer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from app.models import SurveyResponse
from app.public import ratelimit
from app.services.outgoing_webhooks import queue_survey_answer_webhook
from app.services.surveys import answering
from app.services.surveys.answering import Found, Lookup
from app.services.surveys.kinds import FOLLOW_UP_REASONS, parse_score, scale_of
from app.services.surveys.texts import text, texts_for
from app.services.surveys.tokens import fingerprint, form_token, form_token_valid

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
)
CSS = (HERE / "static" / "survey.css").read_bytes()
MAX_BODY = 16 * 1024  # a 2000-character comment in any script fits with room to spare
CSP = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


def _page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("locale", "en")
    values.setdefault("shop_name", "")
    body = TEMPLATES.get_template(template).render(**values)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _not_found() -> HTMLResponse:
    # One body for every token that leads nowhere: nothing tells which surveys exist.
    return _page("base.html", 404, title=text("en", "not_found_title"), message=text("en", "not_found"))


def _message(lookup: Lookup, status: int, title_key: str, message_key: str) -> HTMLResponse:
    assert lookup.survey is not None and lookup.shop is not None
    locale, shop = lookup.survey.locale, lookup.shop.name
    return _page(
        "base.html",
        status,
        locale=locale,
        shop_name=shop,
        title=text(locale, title_key, shop=shop),
        message=text(locale, message_key, shop=shop),
    )


async def _limited(request: Request, token: str) -> bool:
    queue = request.state.queue
    ip = request.client.host if request.client else "unknown"
    by_ip = await ratelimit.allow(queue, f"rl:survey:ip:{fingerprint(ip)}", ratelimit.PER_IP)
    by_token = await ratelimit.allow(queue, f"rl:survey:token:{fingerprint(token)}", ratelimit.PER_TOKEN)
    return not (by_ip and by_token)


def _too_many() -> HTMLResponse:
    response = _page(
        "base.html", 429, title=text("en", "rate_limited_title"), message=text("en", "rate_limited")
    )
    response.headers["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
    return response


def _same_origin(request: Request) -> bool:
    """Origin (or, without it, Referer) must be this site; a browser that sends neither is left
    to the form token."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return True
    parts = urlsplit(claimed)
    origin = f"{parts.scheme}://{parts.netloc}"
    app_url = urlsplit(request.app.state.settings.app_url)
    allowed = {f"{app_url.scheme}://{app_url.netloc}", f"{request.url.scheme}://{request.url.netloc}"}
    return origin in allowed


def _survey_form(
    request: Request,
    lookup: Lookup,
    *,
    status: int = 200,
    score: int | None,
    comment: str,
    reason: str | None,
    saved: bool = False,
    error: str = "",
    items: list[str] | None = None,
) -> HTMLResponse:
    survey, shop = lookup.survey, lookup.shop
    assert survey is not None and shop is not None
    locale, kind = survey.locale, survey.kind.value
    scale = scale_of(survey.kind)
    question_key = "question.support" if survey.trigger.value == "resolution" else f"question.{kind}"
    return _page(
        "survey.html",
        status,
        locale=locale,
        shop_name=shop.name,
        title=text(locale, "your_rating"),
        t=texts_for(locale),
        token=survey.token,
        form_token=form_token(str(request.app.state.settings.secret_key), survey.token),
        question=text(locale, question_key, shop=shop.name),
        scores=list(scale.scores),
        current=score,
        low_label=text(locale, f"low.{kind}"),
        high_label=text(locale, f"high.{kind}"),
        unhappy=score is None or scale.unhappy(score),
        reasons=FOLLOW_UP_REASONS,
        reason=reason,
        comment=comment,
        items=items,
        saved=saved,
        error=text(locale, error) if error else "",
    )


async def survey_page(request: Request) -> Response:
    token = request.path_params["token"]
    if await _limited(request, token):
        return _too_many()
    lookup = await answering.find_survey(token)
    if lookup.found == Found.UNKNOWN or lookup.survey is None:
        return _not_found()
    if lookup.found == Found.EXPIRED:
        return _message(lookup, 410, "expired_title", "expired")
    survey = lookup.survey
    if request.method == "POST":
        return await _save(request, lookup)
    items = await answering.item_titles(survey)
    current = await answering.response_of(survey)
    raw = request.query_params.get("score")
    saved = False
    if raw is not None:
        score = parse_score(raw, survey.kind)
        if score is None:
            return _survey_form(
                request,
                lookup,
                status=400,
                score=current.score if current else None,
                comment=current.comment if current else "",
                reason=None,
                error="bad_score",
                items=items,
            )
        await _announce(request, await answering.record_answer(survey, answering.Answer(score)))
        current = await answering.response_of(survey)
        saved = True
    return _survey_form(
        request,
        lookup,
        score=current.score if current else None,
        comment=current.comment if current else "",
        reason=current.follow_up_reason if current else None,
        saved=saved,
        items=items,
    )


async def _announce(request: Request, changed: SurveyResponse | None) -> None:
    """Queue the merchant's outgoing webhook for a changed answer. The answer is already saved;
    if Redis is down the shopper still gets their page (the webhook is the part that waits)."""
    if changed is None:
        return
    try:
        await queue_survey_answer_webhook(request.state.queue, changed.id, changed.answered_at)
    except Exception:
        logger.warning("could not queue the survey answer webhook", extra={"response_id": changed.id})


async def _save(request: Request, lookup: Lookup) -> Response:
    survey = lookup.survey
    assert survey is not None
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        return _survey_form(
            request, lookup, status=413, score=None, comment="", reason=None, error="too_long"
        )
    form = await request.form(max_files=0, max_fields=8)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    finally:
        await form.close()
    secret = str(request.app.state.settings.secret_key)
    if not _same_origin(request) or not form_token_valid(secret, survey.token, fields.get("form_token", "")):
        return _survey_form(
            request, lookup, status=403, score=None, comment="", reason=None, error="bad_form"
        )
    score = parse_score(fields.get("score"), survey.kind)
    comment = fields.get("comment", "")
    answer, problem = answering.check_answer(survey, score, comment, fields.get("follow_up_reason", ""))
    if answer is None:
        return _survey_form(
            request,
            lookup,
            status=400,
            score=score,
            comment=comment[: answering.MAX_COMMENT],
            reason=None,
            error=problem,
        )
    await _announce(request, await answering.record_answer(survey, answer))
    return _message(lookup, 200, "thanks_title", "thanks")


async def unsubscribe_page(request: Request) -> Response:
    token = request.path_params["token"]
    if await _limited(request, token):
        return _too_many()
    lookup = await answering.find_survey(token)
    # An expired survey's link still unsubscribes: opting out must not expire.
    if lookup.survey is None or lookup.shop is None:
        return _not_found()
    locale, shop = lookup.survey.locale, lookup.shop.name
    done = request.method == "POST"
    if done:
        await answering.unsubscribe(lookup.survey)
    return _page(
        "unsubscribe.html",
        locale=locale,
        shop_name=shop,
        token=lookup.survey.token,
        done=done,
        title=text(locale, "unsubscribe_title"),
        message=text(locale, "unsubscribed" if done else "unsubscribe_confirm", shop=shop),
        button=text(locale, "unsubscribe_button"),
    )


async def stylesheet(request: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


routes: list[BaseRoute] = [
    Route("/s/static/survey.css", stylesheet, methods=["GET"]),
    Route("/s/{token}", survey_page, methods=["GET", "POST"]),
    Route("/s/{token}/unsubscribe", unsubscribe_page, methods=["GET", "POST"]),
]
