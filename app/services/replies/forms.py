"""The canned-reply editor's input: parsed and checked before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.services.replies.context import is_known_variable
from app.services.replies.rendering import check_sources
from app.services.replies.sandbox import MAX_SOURCE

SHORT_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
LOCALE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
MAX_TRANSLATIONS = 20


class FormLike(Protocol):
    """What the parser needs of a submitted form (Starlette's ``FormData`` is one)."""

    def getlist(self, key: Any) -> list[Any]: ...


def _field(form: FormLike, key: str) -> str:
    values = form.getlist(key)
    return _text(values[0]) if values else ""


@dataclass
class TranslationDraft:
    locale: str
    subject: str
    body: str


@dataclass
class ReplyDraft:
    short_code: str = ""
    title: str = ""
    folder: str = ""
    subject: str = ""
    body: str = ""
    required_variables: list[str] = field(default_factory=list)
    translations: list[TranslationDraft] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def split_variables(text: str) -> list[str]:
    names = [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]
    return list(dict.fromkeys(names))


def parse_reply_form(form: FormLike) -> tuple[ReplyDraft, dict[str, str]]:
    """The draft as typed (to show the form again) and the errors by field name (empty when valid)."""
    draft = ReplyDraft(
        short_code=_field(form, "short_code").strip().lower(),
        title=_field(form, "title").strip(),
        folder=_field(form, "folder").strip(),
        subject=_field(form, "subject").strip(),
        body=_field(form, "body"),
        required_variables=split_variables(_field(form, "required_variables")),
    )
    locales, subjects, bodies = (form.getlist(f"translation_{k}") for k in ("locale", "subject", "body"))
    for locale, subject, body in zip(locales, subjects, bodies, strict=False):
        if _text(locale).strip() or _text(body).strip():
            draft.translations.append(
                TranslationDraft(
                    _text(locale).strip().lower().replace("_", "-"), _text(subject).strip(), _text(body)
                )
            )
    return draft, validate(draft)


def validate(draft: ReplyDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SHORT_CODE.fullmatch(draft.short_code):
        errors["short_code"] = (
            "Use 1 to 64 lowercase letters, digits, - or _, starting with a letter or digit."
        )
    if not draft.title:
        errors["title"] = "Give the reply a title."
    elif len(draft.title) > 255:
        errors["title"] = "At most 255 characters."
    if len(draft.folder) > 128:
        errors["folder"] = "At most 128 characters."
    if len(draft.subject) > 255:
        errors["subject"] = "At most 255 characters."
    if not draft.body.strip():
        errors["body"] = "Write the reply's text."
    elif len(draft.body.encode()) > MAX_SOURCE:
        errors["body"] = f"At most {MAX_SOURCE // 1000} KB."
    unknown = [name for name in draft.required_variables if not is_known_variable(name)]
    if unknown:
        errors["required_variables"] = f"Unknown variable: {', '.join(unknown)}."
    for name, result in check_sources(draft.subject, draft.body).items():
        errors.setdefault(name, result.message)
    errors.update(_translation_errors(draft.translations))
    return errors


def _translation_errors(translations: list[TranslationDraft]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(translations) > MAX_TRANSLATIONS:
        errors["translations"] = f"At most {MAX_TRANSLATIONS} languages."
    seen: set[str] = set()
    for index, translation in enumerate(translations):
        key = f"translation_{index}"
        if not LOCALE.fullmatch(translation.locale):
            errors[key] = "Give a language code such as de or de-de."
        elif translation.locale in seen:
            errors[key] = f"{translation.locale} is listed twice."
        elif not translation.body.strip():
            errors[key] = "Write this language's text."
        elif len(translation.subject) > 255 or len(translation.body.encode()) > MAX_SOURCE:
            errors[key] = f"Subject at most 255 characters, text at most {MAX_SOURCE // 1000} KB."
        else:
            problems = check_sources(translation.subject, translation.body)
            if problems:
                field_name, result = next(iter(problems.items()))
                errors[key] = f"{field_name.capitalize()}: {result.message}"
        seen.add(translation.locale)
    return errors
