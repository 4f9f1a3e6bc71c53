"""The devstore's web app: the shops page, the outbox pages and the JSON control endpoints."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
from starlette.applications import Starlette

from devstore.app import create_devstore_app
from devstore.mailsink import MailSink
from devstore.store import DevStore

DEMO = "demo.myshopify.com"
Running = Callable[[Starlette], AbstractAsyncContextManager[httpx.AsyncClient]]

HOSTILE_SUBJECT = "<script>alert('subject')</script> & more"
HOSTILE_HTML = '<p onclick="steal()">Hi "there"</p><script>alert("html")</script><img src="https://tracker.example/p.gif">'
HOSTILE_TEXT = "Plain <b>not bold</b> & </pre><script>alert('text')</script>"


def hostile_email() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Demo Store <hello@demo.example>"
    message["To"] = "ava.smith@example.com"
    message["Subject"] = HOSTILE_SUBJECT
    message.set_content(HOSTILE_TEXT)
    message.add_alternative(HOSTILE_HTML, subtype="html")
    return message


async def test_home_lists_the_demo_shop_with_its_counts(tmp_path: Path, running: Running) -> None:
    db = tmp_path / "devstore.sqlite3"
    store = DevStore(db)
    store.create_schema()
    store.seed(DEMO, "shopify", orders=40, customers=12, seed=1)
    store.seed("acme.mybigcommerce.com", "bigcommerce", orders=7, customers=3, seed=1)
    async with running(create_devstore_app(db, app_url="http://127.0.0.1:8000")) as client:
        response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    row = re.search(r'<tr data-shop="demo\.myshopify\.com">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "shopify" in row.group(1) and "Demo Store" in row.group(1)
    assert re.search(r'data-count="orders">40<', row.group(1))
    assert re.search(r'data-count="customers">12<', row.group(1))
    assert store.get_shop(DEMO) is not None
    assert f">{store.get_shop(DEMO).plan}<" in row.group(1)  # type: ignore[union-attr]
    bc_row = re.search(r'<tr data-shop="acme\.mybigcommerce\.com">(.*?)</tr>', page, re.S)
    assert bc_row is not None and "bigcommerce" in bc_row.group(1)
    assert 'href="http://127.0.0.1:8000"' in page
    # Nothing is loaded from elsewhere: no external scripts, styles or fonts.
    assert not re.search(r'(src|href)="(https?:)?//(?!127\.0\.0\.1:8000)', page)
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_home_on_an_empty_database_says_how_to_seed(tmp_path: Path, running: Running) -> None:
    async with running(create_devstore_app(tmp_path / "fresh" / "devstore.sqlite3")) as client:
        response = await client.get("/")
        shops = await client.get("/_devstore/shops")
    assert response.status_code == 200
    assert "No shops yet" in response.text
    assert shops.json() == []


async def test_shops_endpoint_returns_each_shop_with_counts(tmp_path: Path, running: Running) -> None:
    db = tmp_path / "devstore.sqlite3"
    store = DevStore(db)
    store.create_schema()
    store.seed(DEMO, "shopify", orders=25, customers=9, seed=2)
    async with running(create_devstore_app(db)) as client:
        response = await client.get("/_devstore/shops")
    assert response.status_code == 200
    [shop] = response.json()
    assert shop["domain"] == DEMO and shop["platform"] == "shopify"
    assert (shop["orders_count"], shop["customers_count"]) == (25, 9)
    assert shop["plan"] and shop["currency"] == "USD" and shop["created_at"].endswith("+00:00")


async def test_mail_sent_to_the_sink_shows_up_escaped(tmp_path: Path, running: Running) -> None:
    app = create_devstore_app(tmp_path / "devstore.sqlite3", smtp_port=0)
    async with running(app) as client:
        sink: MailSink = app.state.mail_sink
        await aiosmtplib.send(
            hostile_email(),
            hostname="127.0.0.1",
            port=sink.port,
            local_hostname="client.localhost",
            timeout=10,
        )

        listed = (await client.get("/_devstore/mail")).json()
        [message] = listed
        assert message["subject"] == HOSTILE_SUBJECT
        assert message["to"] == ["ava.smith@example.com"]
        assert message["html"].strip() == HOSTILE_HTML
        assert message["text"].strip() == HOSTILE_TEXT

        outbox = await client.get("/mail")
        assert outbox.status_code == 200
        assert html.escape(HOSTILE_SUBJECT, quote=False) in outbox.text.replace("&#39;", "'")
        assert "<script>" not in outbox.text
        assert f'href="/mail/{message["id"]}"' in outbox.text

        detail = await client.get(f"/mail/{message['id']}")
        assert detail.status_code == 200
        page = detail.text
        assert "<script>" not in page and 'onclick="steal' not in page
        srcdoc = re.search(r'<iframe sandbox="([^"]*)"[^>]* srcdoc="([^"]*)"', page)
        assert srcdoc is not None
        assert "allow-scripts" not in srcdoc.group(1) and "allow-same-origin" not in srcdoc.group(1)
        # The browser un-escapes the attribute back into the message's own HTML, inside the sandbox.
        assert html.unescape(srcdoc.group(2)).endswith(HOSTILE_HTML + "\n")
        pre = re.search(r"<pre>(.*?)</pre>", page, re.S)
        assert pre is not None and html.unescape(pre.group(1)).strip() == HOSTILE_TEXT
        assert "img-src data:" in detail.headers["content-security-policy"]

        raw = await client.get(f"/mail/{message['id']}/raw")
        assert raw.headers["content-type"].startswith("text/plain") and "Subject:" in raw.text


async def test_the_outbox_lists_newest_first_and_can_be_emptied(tmp_path: Path, running: Running) -> None:
    app = create_devstore_app(tmp_path / "devstore.sqlite3")
    store: DevStore = app.state.store
    async with running(app) as client:
        for subject in ("first", "second"):
            store.add_mail(
                mail_from="a@demo.example",
                to=["b@example.com"],
                subject=subject,
                date="",
                message_id="",
                text=subject,
                html="",
                raw=b"",
            )
        assert [m["subject"] for m in (await client.get("/_devstore/mail")).json()] == ["second", "first"]
        page = (await client.get("/mail")).text
        assert page.index("second") < page.index("first")

        deleted = await client.delete("/_devstore/mail")
        assert deleted.json() == {"deleted": 2}
        assert (await client.get("/_devstore/mail")).json() == []
        assert "No mail yet" in (await client.get("/mail")).text

        store.add_mail(
            mail_from="a@demo.example", to=[], subject="x", date="", message_id="", text="", html="", raw=b""
        )
        cleared = await client.post("/mail/clear")
        assert cleared.status_code == 303 and cleared.headers["location"] == "/mail"
        assert store.list_mail() == []


async def test_unknown_messages_are_404(tmp_path: Path, running: Running) -> None:
    async with running(create_devstore_app(tmp_path / "devstore.sqlite3")) as client:
        assert (await client.get("/mail/12345")).status_code == 404
        assert (await client.get("/_devstore/mail/12345")).status_code == 404
        assert (await client.get("/mail/not-a-number")).status_code == 404


async def test_platform_prefixes_are_left_free_for_the_api_emulation(
    tmp_path: Path, running: Running
) -> None:
    async with running(create_devstore_app(tmp_path / "devstore.sqlite3")) as client:
        assert (await client.get(f"/shopify/{DEMO}/admin/api/2026-10/graphql.json")).status_code == 404
        assert (await client.get("/bigcommerce/api/stores/abc/v3/orders")).status_code == 404


async def test_the_lifespan_starts_and_stops_the_sink(tmp_path: Path, running: Running) -> None:
    app = create_devstore_app(tmp_path / "devstore.sqlite3", smtp_port=0)
    async with running(app) as client:
        sink: MailSink = app.state.mail_sink
        assert sink.port != 0
        assert f"127.0.0.1:{sink.port}" in (await client.get("/mail")).text
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, local_hostname="client.localhost", timeout=2)
    try:
        await smtp.connect()
    except aiosmtplib.SMTPConnectError:
        pass
    else:  # pragma: no cover - only when the sink kept listening
        smtp.close()
        raise AssertionError("the sink still listens after the app stopped")
