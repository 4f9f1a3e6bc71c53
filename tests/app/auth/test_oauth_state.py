"""The signed OAuth state cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.auth.oauth_state import MAX_AGE_SECONDS, OAuthState, new_state, read_state, sign_state, states_match

KEY = "k" * 48
NOW = datetime(2030, 1, 1, tzinfo=UTC)
STATE = OAuthState(state="nonce-1", shop="test-shop.myshopify.com")


def test_round_trip() -> None:
    assert read_state(sign_state(STATE, key=KEY, now=NOW), key=KEY, now=NOW) == STATE


def test_another_key_or_a_tampered_cookie_reads_as_nothing() -> None:
    cookie = sign_state(STATE, key=KEY, now=NOW)
    assert read_state(cookie, key="other" * 10, now=NOW) is None
    payload, mac = cookie.split(".")
    forged = sign_state(OAuthState(state="nonce-1", shop="evil-shop.myshopify.com"), key="x" * 40, now=NOW)
    assert read_state(f"{forged.split('.')[0]}.{mac}", key=KEY, now=NOW) is None
    assert read_state(f"{payload}.{mac[:-2]}", key=KEY, now=NOW) is None
    for junk in (None, "", "no-dot", "a.b.c", "!!!.???"):
        assert read_state(junk, key=KEY, now=NOW) is None


def test_it_expires() -> None:
    cookie = sign_state(STATE, key=KEY, now=NOW)
    assert read_state(cookie, key=KEY, now=NOW + timedelta(seconds=MAX_AGE_SECONDS)) == STATE
    assert read_state(cookie, key=KEY, now=NOW + timedelta(seconds=MAX_AGE_SECONDS + 1)) is None
    assert read_state(cookie, key=KEY, now=NOW - timedelta(seconds=5)) is None


def test_states_are_fresh_and_compared_exactly() -> None:
    assert new_state() != new_state()
    assert len(new_state()) >= 40
    assert states_match("abc", "abc")
    assert not states_match("abc", "abd")
