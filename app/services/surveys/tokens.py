"""Survey tokens (bearer credentials in the emailed link) and the per-survey form token.

The survey token is 192 random bits, url-safe. The form token is an HMAC of the survey token
under ``SECRET_KEY``: it needs no storage, and a form posted from another site cannot know it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
TOKEN_BYTES = 24  # 192 bits → 32 url-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(token: str) -> bool:
    return TOKEN.fullmatch(token) is not None


def form_token(secret_key: str, survey_token: str) -> str:
    return hmac.new(secret_key.encode(), f"survey-form:{survey_token}".encode(), hashlib.sha256).hexdigest()


def form_token_valid(secret_key: str, survey_token: str, given: str) -> bool:
    return hmac.compare_digest(form_token(secret_key, survey_token), given)


def fingerprint(value: str) -> str:
    """A short digest for rate-limit keys and logs, so the bearer token itself is never stored."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]
