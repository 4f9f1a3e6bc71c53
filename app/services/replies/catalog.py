"""A shop's canned replies: find, save (with translations, in one transaction), delete, count uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from app.clock import utcnow
from app.models import CannedReply, CannedReplyTranslation, Customer, TimelineEntry
from app.services.replies.forms import ReplyDraft, TranslationDraft
from app.services.replies.rendering import Version

LIST_LIMIT = 200
DUPLICATE_SHORT_CODE = "Another reply already uses this short code."


@dataclass(frozen=True)
class SaveOutcome:
    reply: CannedReply | None
    errors: dict[str, str]


async def find_replies(shop_id: int, query: str = "", folder: str | None = None) -> list[CannedReply]:
    """Matches on short code, title or body; ranked as Chatwoot does: short-code prefix first, then
    any other match in short code or title, then matches in the body only."""
    rows = CannedReply.filter(shop_id=shop_id)
    if folder is not None:
        rows = rows.filter(folder=folder)
    query = query.strip()[:200]
    if query:
        rows = rows.filter(
            Q(short_code__icontains=query) | Q(title__icontains=query) | Q(body__icontains=query)
        )
    replies = await rows.order_by("folder", "title", "id").limit(LIST_LIMIT)
    if not query:
        return replies
    needle = query.lower()

    def rank(reply: CannedReply) -> int:
        if reply.short_code.startswith(needle):
            return 0
        if needle in reply.short_code or needle in reply.title.lower():
            return 1
        return 2

    return sorted(replies, key=rank)


async def folders_of(shop_id: int) -> list[str]:
    rows = (
        await CannedReply.filter(shop_id=shop_id)
        .exclude(folder="")
        .distinct()
        .values_list("folder", flat=True)
    )
    return sorted({str(name) for name in rows})


async def get_reply(shop_id: int, reply_id: int) -> CannedReply | None:
    return await CannedReply.get_or_none(id=reply_id, shop_id=shop_id)


async def translations_of(reply: CannedReply) -> list[CannedReplyTranslation]:
    return await CannedReplyTranslation.filter(shop_id=reply.shop_id, reply_id=reply.id).order_by("locale")  # type: ignore[attr-defined]


async def versions_of(reply: CannedReply) -> tuple[Version, list[Version]]:
    """The default version and the translations, ready for ``pick_version``."""
    translations = await translations_of(reply)
    return (
        Version(None, reply.subject, reply.body),
        [Version(t.locale, t.subject, t.body) for t in translations],
    )


def draft_of(reply: CannedReply, translations: list[CannedReplyTranslation]) -> ReplyDraft:
    return ReplyDraft(
        short_code=reply.short_code,
        title=reply.title,
        folder=reply.folder,
        subject=reply.subject,
        body=reply.body,
        required_variables=list(reply.required_variables),
        translations=[TranslationDraft(t.locale, t.subject, t.body) for t in translations],
    )


async def save_reply(shop_id: int, draft: ReplyDraft, reply_id: int | None = None) -> SaveOutcome:
    """Create (``reply_id=None``) or replace a reply and its translations; a valid ``draft`` only.
    A duplicate short code is a form error and nothing is written."""
    clash = CannedReply.filter(shop_id=shop_id, short_code=draft.short_code)
    if reply_id is not None:
        clash = clash.exclude(id=reply_id)
    if await clash.exists():
        return SaveOutcome(None, {"short_code": DUPLICATE_SHORT_CODE})
    fields: dict[str, Any] = {
        "short_code": draft.short_code,
        "title": draft.title,
        "folder": draft.folder,
        "subject": draft.subject,
        "body": draft.body,
        "required_variables": draft.required_variables,
    }
    try:
        async with in_transaction():
            if reply_id is None:
                reply = await CannedReply.create(shop_id=shop_id, **fields)
            else:
                found = await CannedReply.select_for_update().get_or_none(id=reply_id, shop_id=shop_id)
                if found is None:
                    return SaveOutcome(None, {"form": "This reply no longer exists."})
                reply = found
                await CannedReply.filter(id=reply.id, shop_id=shop_id).update(**fields)
                await CannedReplyTranslation.filter(shop_id=shop_id, reply_id=reply.id).delete()
            for translation in draft.translations:
                await CannedReplyTranslation.create(
                    shop_id=shop_id,
                    reply_id=reply.id,
                    locale=translation.locale,
                    subject=translation.subject,
                    body=translation.body,
                )
    except IntegrityError:
        # Two saves raced past the check above: the unique (shop, short_code) index decided.
        return SaveOutcome(None, {"short_code": DUPLICATE_SHORT_CODE})
    return SaveOutcome(reply, {})


async def delete_reply(shop_id: int, reply_id: int) -> bool:
    return await CannedReply.filter(id=reply_id, shop_id=shop_id).delete() > 0


async def record_use(
    shop_id: int, reply: CannedReply, *, customer_id: int | None, use_id: str, staff_name: str = ""
) -> None:
    """Counts a copy/insert of the reply and, with a customer of this shop, writes "reply.used" on
    their timeline. ``use_id`` (the page's nonce) makes a double click count once."""
    if customer_id is not None:
        customer = await Customer.get_or_none(id=customer_id, shop_id=shop_id)
        if customer is not None:
            _, created = await TimelineEntry.get_or_create(
                shop_id=shop_id,
                kind="reply.used",
                subject_type="reply_use",
                subject_id=f"{reply.id}:{use_id}"[:64],
                defaults={
                    "customer_id": customer.id,
                    "summary": f"Canned reply “{reply.title}” used{f' by {staff_name}' if staff_name else ''}"[
                        :512
                    ],
                    "data": {"reply_id": reply.id, "short_code": reply.short_code},
                    "occurred_at": utcnow(),
                },
            )
            if not created:
                return
    await CannedReply.filter(id=reply.id, shop_id=shop_id).update(usage_count=F("usage_count") + 1)
