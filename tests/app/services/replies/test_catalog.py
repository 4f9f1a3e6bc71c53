"""Saving replies: validation before any write, short codes unique per shop, translations replaced
with the reply in one transaction; search ranks short-code prefixes first."""

from __future__ import annotations

from app.models import CannedReply, CannedReplyTranslation, Shop
from app.services.replies.catalog import find_replies, save_reply
from app.services.replies.forms import ReplyDraft, TranslationDraft, parse_reply_form, validate
from app.settings import Settings


class Form(dict[str, list[str]]):
    def getlist(self, key: object) -> list[str]:
        return self.get(str(key), [])


def draft(short_code: str = "where", **changes: object) -> ReplyDraft:
    values: dict[str, object] = {
        "short_code": short_code,
        "title": "Where is my order",
        "body": "Hi {{ customer.first_name | default('there') }}",
        **changes,
    }
    return ReplyDraft(**values)  # type: ignore[arg-type]


def test_the_form_is_parsed_and_checked() -> None:
    form = Form(
        short_code=[" Where "],
        title=["Where is it"],
        body=["Hi\r\n{{ customer.first_name"],
        required_variables=["order.tracking_url, customer.nope"],
        translation_locale=["DE", ""],
        translation_subject=["", ""],
        translation_body=["", ""],
    )
    parsed, errors = parse_reply_form(form)
    assert parsed.short_code == "where" and parsed.body == "Hi\n{{ customer.first_name"
    assert errors["body"].startswith("Line 2: ")
    assert errors["required_variables"] == "Unknown variable: customer.nope."
    assert errors["translation_0"] == "Write this language's text."
    assert len(parsed.translations) == 1, "an empty row is ignored"
    assert "short_code" in validate(draft("has space"))


async def test_a_duplicate_short_code_is_a_form_error_and_writes_nothing(db: Settings) -> None:
    shop = await Shop.create(platform="shopify", domain="a.myshopify.com")
    other = await Shop.create(platform="shopify", domain="b.myshopify.com")
    first = await save_reply(shop.id, draft(translations=[TranslationDraft("de", "", "Hallo")]))
    assert first.reply is not None and not first.errors

    again = await save_reply(
        shop.id, draft(title="Other", translations=[TranslationDraft("fr", "", "Salut")])
    )

    assert again.reply is None and "short_code" in again.errors
    assert await CannedReply.filter(shop_id=shop.id).count() == 1
    assert await CannedReplyTranslation.filter(shop_id=shop.id).values_list("locale", flat=True) == ["de"]
    assert (await save_reply(other.id, draft())).reply is not None, "unique per shop, not globally"


async def test_editing_replaces_the_translations(db: Settings) -> None:
    shop = await Shop.create(platform="shopify", domain="a.myshopify.com")
    saved = await save_reply(shop.id, draft(translations=[TranslationDraft("de", "", "Hallo")]))
    assert saved.reply is not None
    edited = await save_reply(
        shop.id,
        draft("where-2", title="New", translations=[TranslationDraft("fr", "", "Salut")]),
        saved.reply.id,
    )
    assert edited.reply is not None
    reply = await CannedReply.get(id=saved.reply.id)
    assert (reply.short_code, reply.title) == ("where-2", "New")
    assert await CannedReplyTranslation.filter(reply_id=reply.id).values_list("locale", flat=True) == ["fr"]


async def test_search_ranks_short_code_prefix_then_title_then_body(db: Settings) -> None:
    shop = await Shop.create(platform="shopify", domain="a.myshopify.com")
    await save_reply(shop.id, draft("z-body", title="Zeta", body="about refund timing"))
    await save_reply(shop.id, draft("a-title", title="Refund policy", body="text"))
    await save_reply(shop.id, draft("refund", title="Money back", body="text"))
    await save_reply(shop.id, draft("other", title="Other", body="text"))
    found = await find_replies(shop.id, "refund")
    assert [r.short_code for r in found] == ["refund", "a-title", "z-body"]
