"""A canned reply rendered for one customer: the locale's version, required variables, subject and body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.services.replies.context import missing_required
from app.services.replies.sandbox import RenderResult, check_template, render_template

MAX_SUBJECT = 255


@dataclass(frozen=True)
class Version:
    """One language version of a reply: the default one has ``locale=None``."""

    locale: str | None
    subject: str
    body: str


@dataclass(frozen=True)
class RenderedReply:
    ok: bool
    subject: str = ""
    body: str = ""
    error: str = ""  # "Line 3: …" or the empty required variables, shown as is
    locale: str | None = None


def pick_version(default: Version, translations: Sequence[Version], locale: str | None) -> Version:
    """The customer's exact locale (de-DE), else its language (de), else the default version."""
    if not locale:
        return default
    by_locale = {(t.locale or "").lower(): t for t in translations}
    wanted = locale.strip().lower().replace("_", "-")
    language = wanted.split("-")[0]
    return by_locale.get(wanted) or by_locale.get(language) or default


def render_reply(version: Version, context: dict[str, Any], required: Sequence[str]) -> RenderedReply:
    """Refuses (ok=False) when a required variable is empty or either template fails."""
    missing = missing_required(context, list(required))
    if missing:
        names = ", ".join(missing)
        return RenderedReply(
            ok=False, error=f"Required variable {names} is empty for this customer", locale=version.locale
        )
    subject = render_template(version.subject, context)
    if not subject.ok:
        return RenderedReply(ok=False, error=f"Subject: {subject.message}", locale=version.locale)
    body = render_template(version.body, context)
    if not body.ok:
        return RenderedReply(ok=False, error=body.message, locale=version.locale)
    return RenderedReply(ok=True, subject=one_line(subject.text), body=body.text, locale=version.locale)


def one_line(text: str) -> str:
    """A subject is one header line: no line breaks (header injection), at most 255 characters."""
    return " ".join(text.split())[:MAX_SUBJECT]


def check_sources(subject: str, body: str) -> dict[str, RenderResult]:
    """Compile-time errors of a reply's templates, by field (empty when both compile)."""
    errors = {}
    for field, source in (("subject", subject), ("body", body)):
        result = check_template(source)
        if not result.ok:
            errors[field] = result
    return errors
