"""Tokens at rest: unreadable without a key, readable across a key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.crypto import InvalidToken, TokenCipher


def test_a_token_round_trips_and_is_not_stored_in_clear() -> None:
    cipher = TokenCipher((Fernet.generate_key().decode(),))
    stored = cipher.encrypt("shpat_secret")
    assert "shpat_secret" not in stored
    assert cipher.decrypt(stored) == "shpat_secret"


def test_another_key_cannot_read_it() -> None:
    stored = TokenCipher((Fernet.generate_key().decode(),)).encrypt("shpat_secret")
    with pytest.raises(InvalidToken):
        TokenCipher((Fernet.generate_key().decode(),)).decrypt(stored)


def test_rotation_new_key_first_still_reads_old_tokens_and_reencrypts() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenCipher((old,)).encrypt("shpat_secret")
    rotated = TokenCipher((new, old))
    assert rotated.decrypt(stored) == "shpat_secret"
    reencrypted = rotated.reencrypt(stored)
    assert TokenCipher((new,)).decrypt(reencrypted) == "shpat_secret"
