"""The survey email: HTML with one link per score (a click records it), a plain-text twin, and the
unsubscribe link both in the body and as ``List-Unsubscribe`` (+ RFC 8058 one-click POST)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from jinja2 import Environment

from app.models import Shop, Survey, SurveyTrigger
from app.services.mail import address, build_email
from app.services.settings import settings_of
from app.services.surveys.kinds import scale_of
from app.services.surveys.texts import text

# Autoescaped: the shop's name is merchant data and goes into the HTML.
_HTML = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="{{ locale }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ subject }}</title></head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;background:#ffffff">
<p>{{ greeting }}</p>
<p style="font-size:18px;font-weight:bold">{{ question }}</p>
<p>{{ click }}</p>
<table role="presentation" cellspacing="0" cellpadding="0"><tr>
{% for score, url in links %}<td style="padding:4px"><a href="{{ url }}" style="display:inline-block;min-width:40px;padding:12px 0;text-align:center;border:2px solid #1a5fb4;border-radius:6px;color:#1a5fb4;font-weight:bold;text-decoration:none">{{ score }}</a></td>
{% endfor %}</tr></table>
<p style="font-size:14px">{{ low_label }} ({{ low }}) &ndash; {{ high_label }} ({{ high }})</p>
<p style="font-size:13px;color:#444">{{ sent_by }}<br><a href="{{ unsubscribe_url }}" style="color:#444">{{ unsubscribe }}</a></p>
</body></html>
"""
)


@dataclass(frozen=True)
class SurveyLinks:
    ratings: list[tuple[int, str]]
    unsubscribe: str


def links_for(survey: Survey, app_url: str) -> SurveyLinks:
    base = f"{app_url.rstrip('/')}/s/{survey.token}"
    return SurveyLinks(
        ratings=[(score, f"{base}?score={score}") for score in scale_of(survey.kind).scores],
        unsubscribe=f"{base}/unsubscribe",
    )


def sender_for(shop: Shop, app_url: str) -> str:
    """The shop's sender setting, else noreply@ our own host under the shop's name."""
    sender = settings_of(shop).sender
    name = sender.name or shop.name
    if sender.email:
        return address(sender.email, name)
    return address(f"noreply@{urlsplit(app_url).hostname or 'localhost'}", name)


def message_id_for(survey: Survey, app_url: str, *, reminder: bool) -> str:
    """Stable per survey (and reminder): a re-send after a crash is the same message to providers."""
    suffix = ".reminder" if reminder else ""
    return f"<survey.{survey.shop_id}.{survey.id}{suffix}@{urlsplit(app_url).hostname or 'localhost'}>"  # type: ignore[attr-defined]


def build_survey_email(shop: Shop, survey: Survey, app_url: str, *, reminder: bool = False) -> Message:
    assert survey.email, "only surveys with an address are sent"
    locale, shop_name = survey.locale, shop.name or shop.domain
    scale = scale_of(survey.kind)
    links = links_for(survey, app_url)
    support = survey.trigger == SurveyTrigger.RESOLUTION
    subject_key = "reminder_subject" if reminder else ("support_subject" if support else "subject")
    subject = text(locale, subject_key, shop=shop_name)
    question = text(locale, "question.support" if support else f"question.{survey.kind}", shop=shop_name)
    low_label, high_label = text(locale, f"low.{survey.kind}"), text(locale, f"high.{survey.kind}")
    plain = "\n".join(
        [
            text(locale, "greeting"),
            "",
            question,
            text(locale, "click"),
            "",
            *(f"{score}: {url}" for score, url in links.ratings),
            "",
            f"{scale.low} = {low_label}, {scale.high} = {high_label}",
            "",
            text(locale, "sent_by", shop=shop_name),
            f"{text(locale, 'unsubscribe')}: {links.unsubscribe}",
        ]
    )
    html = _HTML.render(
        locale=locale,
        subject=subject,
        greeting=text(locale, "greeting"),
        question=question,
        click=text(locale, "click"),
        links=links.ratings,
        low=scale.low,
        high=scale.high,
        low_label=low_label,
        high_label=high_label,
        sent_by=text(locale, "sent_by", shop=shop_name),
        unsubscribe=text(locale, "unsubscribe"),
        unsubscribe_url=links.unsubscribe,
    )
    message = build_email(
        sender=sender_for(shop, app_url),
        to=survey.email,
        subject=subject,
        text=plain,
        html=html,
        message_id=message_id_for(survey, app_url, reminder=reminder),
    )
    message["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    return message
