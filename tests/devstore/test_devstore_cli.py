"""``python -m devstore``: seed without serving, or serve (seeding the demo shop) until SIGTERM."""

from __future__ import annotations

import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import httpx

from devstore.store import DevStore

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def devstore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devstore", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_seed_command_seeds_once(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    args = [
        "seed",
        "--orders",
        "40",
        "--customers",
        "10",
        "--seed",
        "3",
        "--db",
        str(db),
        "--shop",
        "cli.myshopify.com",
    ]
    first = devstore(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("seeded: cli.myshopify.com (shopify)")
    again = devstore(*args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("already seeded")
    assert DevStore(db).counts("cli.myshopify.com").orders == 40

    clash = devstore(*args[:-2], "--seed", "4", "--shop", "cli.myshopify.com")
    assert clash.returncode == 2 and "already seeded" in clash.stderr


def test_seed_command_infers_bigcommerce_from_the_domain(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    result = devstore(
        "seed", "--orders", "5", "--customers", "2", "--db", str(db), "--shop", "acme.mybigcommerce.com"
    )
    assert result.returncode == 0, result.stderr
    [summary] = DevStore(db).list_shops()
    assert summary.shop.platform.value == "bigcommerce"


def test_serve_seeds_the_demo_shop_receives_mail_and_stops_on_sigterm(tmp_path: Path) -> None:
    port, smtp_port = free_port(), free_port()
    db = tmp_path / "serve.sqlite3"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstore",
            "--port",
            str(port),
            "--smtp-port",
            str(smtp_port),
            "--db",
            str(db),
            "--seed-orders",
            "30",
            "--seed-customers",
            "10",
            "--now",
            "fixed",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                shops = httpx.get(f"{base}/_devstore/shops", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "devstore did not start"
                time.sleep(0.1)
        # The Shopify demo shop and the BigCommerce demo store (named by its store hash).
        assert {
            (s["domain"], s["platform"], s["orders_count"], s["customers_count"]) for s in shops.json()
        } == {
            ("demo.myshopify.com", "shopify", 30, 10),
            ("demobc", "bigcommerce", 30, 10),
        }

        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            "a@demo.example",
            "b@example.com",
            "Through the CLI",
        )
        message.set_content("hello")
        with smtplib.SMTP("127.0.0.1", smtp_port, local_hostname="client.localhost", timeout=10) as smtp:
            smtp.send_message(message)
        assert [m["subject"] for m in httpx.get(f"{base}/_devstore/mail", timeout=5).json()] == [
            "Through the CLI"
        ]

        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
        assert process.returncode == 0, output
        assert "mail sink stopped" in output and "Traceback" not in output
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
