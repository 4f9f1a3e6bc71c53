"""Tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256) under ``TOKEN_ENCRYPTION_KEYS``.

The first key encrypts; every key decrypts, so a key is rotated by putting the new one first and
keeping the old one until ``reencrypt`` has been run over the stored tokens.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenCipher:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """Raises ``InvalidToken`` when no configured key can read it."""
        return self._fernet.decrypt(ciphertext.encode()).decode()

    def reencrypt(self, ciphertext: str) -> str:
        """The same secret under the current first key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


__all__ = ["InvalidToken", "TokenCipher"]
