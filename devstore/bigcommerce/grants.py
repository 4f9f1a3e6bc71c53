"""Install codes and access tokens: what the token endpoint and the API's door check.

BigCommerce's token is one per store and app, with no expiry and no refresh (fact sheet §1.2).
A new auth (a re-install, or a re-authorization after the app's scopes changed) issues a new token
and the old one stops working. Codes are good once, for ``CODE_LIFETIME`` (INFERENCE: BigCommerce
does not document a code lifetime; OAuth servers use minutes).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from devstore.bigcommerce.registration import BigCommerceApp
from devstore.bigcommerce.users import owner_of, user_of
from devstore.models import Shop
from devstore.rows import ts
from devstore.store import DevStore

CODE_LIFETIME = timedelta(minutes=10)
GRANT_TYPE = "authorization_code"
# BigCommerce's codes and tokens are lowercase alphanumerics (tokens 31 of them).
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True, slots=True)
class TokenError:
    """A refused token request (INFERENCE: BigCommerce's error body is undocumented; this is OAuth's)."""

    status: int
    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    shop_id: int
    access_token: str
    scopes: tuple[str, ...]
    user_id: int
    issued_at: datetime
    revoked_at: datetime | None


def _token_of(row: sqlite3.Row) -> Token:
    return Token(
        id=row["id"],
        shop_id=row["shop_id"],
        access_token=row["access_token"],
        scopes=tuple(row["scope"].split()),
        user_id=row["user_id"],
        issued_at=datetime.fromisoformat(row["issued_at"]),
        revoked_at=None if row["revoked_at"] is None else datetime.fromisoformat(row["revoked_at"]),
    )


def context_of(shop: Shop) -> str:
    return f"stores/{shop.domain}"


class Grants:
    def __init__(self, store: DevStore, app: BigCommerceApp) -> None:
        self.store = store
        self.app = app

    # -- codes -----------------------------------------------------------------------------------

    def issue_code(self, shop: Shop, user_id: int, scopes: tuple[str, ...], now: datetime) -> str:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        with self.store.connect() as conn, conn:
            conn.execute(
                "INSERT INTO bigcommerce_auth_codes VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    code,
                    shop.id,
                    self.app.client_id,
                    " ".join(scopes),
                    user_id,
                    ts(now),
                    ts(now + CODE_LIFETIME),
                ),
            )
        return code

    def exchange(self, params: Mapping[str, str], now: datetime) -> dict[str, Any] | TokenError:
        """The token endpoint's answer for ``params``, or why it is refused (blocking: SQLite)."""
        missing = [
            name
            for name in (
                "client_id",
                "client_secret",
                "code",
                "scope",
                "grant_type",
                "redirect_uri",
                "context",
            )
            if not params.get(name)
        ]
        if missing:
            return TokenError(400, "invalid_request", f"Missing required parameter(s): {', '.join(missing)}.")
        if params["client_id"] != self.app.client_id or not secrets.compare_digest(
            params["client_secret"].encode(), self.app.client_secret.encode()
        ):
            return TokenError(401, "invalid_client", "Invalid client id or client secret.")
        if params["grant_type"] != GRANT_TYPE:
            return TokenError(400, "unsupported_grant_type", f"grant_type must be {GRANT_TYPE}.")
        if params["redirect_uri"] != self.app.redirect_uri:
            return TokenError(
                400, "invalid_grant", "redirect_uri does not match the app's auth callback URL."
            )
        with self.store.connect() as conn, conn:
            # One UPDATE claims the code, so two exchanges of one code cannot both win.
            claimed = conn.execute(
                "UPDATE bigcommerce_auth_codes SET used_at = ? WHERE code = ? AND client_id = ?"
                " AND used_at IS NULL AND expires_at > ? RETURNING *",
                (ts(now), params["code"], self.app.client_id, ts(now)),
            ).fetchone()
            if claimed is None:
                return TokenError(400, "invalid_grant", "The code is invalid, expired or already used.")
            shop_row = conn.execute("SELECT domain FROM shops WHERE id = ?", (claimed["shop_id"],)).fetchone()
            if params["context"] != f"stores/{shop_row['domain']}":
                return TokenError(
                    400, "invalid_grant", "The context is not the store the code was issued for."
                )
            if set(params["scope"].split()) != set(claimed["scope"].split()):
                return TokenError(400, "invalid_scope", "The scope is not the one the code was issued for.")
            conn.execute(
                "UPDATE bigcommerce_tokens SET revoked_at = ? WHERE shop_id = ? AND client_id = ?"
                " AND revoked_at IS NULL",
                (ts(now), claimed["shop_id"], self.app.client_id),
            )
            access_token = "".join(secrets.choice(_ALPHABET) for _ in range(31))
            conn.execute(
                "INSERT INTO bigcommerce_tokens (shop_id, client_id, access_token, scope, user_id, issued_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    claimed["shop_id"],
                    self.app.client_id,
                    access_token,
                    claimed["scope"],
                    claimed["user_id"],
                    ts(now),
                ),
            )
        shop = self.store.get_shop(shop_row["domain"])
        assert shop is not None
        user = user_of(shop, claimed["user_id"]) or owner_of(shop)
        return {
            "access_token": access_token,
            "scope": claimed["scope"],
            "user": user.token_json(),
            "owner": owner_of(shop).token_json(),
            "context": context_of(shop),
            "account_uuid": self.app.account_uuid,
        }

    # -- tokens ----------------------------------------------------------------------------------

    def live_token(self, shop: Shop) -> Token | None:
        """The app's token on ``shop``: present exactly while the app is installed."""
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT * FROM bigcommerce_tokens WHERE shop_id = ? AND client_id = ? AND revoked_at IS NULL"
                " ORDER BY id DESC LIMIT 1",
                (shop.id, self.app.client_id),
            ).fetchone()
        return None if row is None else _token_of(row)

    def tokens(self, shop: Shop) -> list[Token]:
        with self.store.connect() as conn:
            found = conn.execute(
                "SELECT * FROM bigcommerce_tokens WHERE shop_id = ? AND client_id = ? ORDER BY id",
                (shop.id, self.app.client_id),
            ).fetchall()
        return [_token_of(row) for row in found]

    def authenticate(self, shop: Shop, access_token: str) -> Token | None:
        if not access_token:
            return None
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT * FROM bigcommerce_tokens WHERE access_token = ?", (access_token,)
            ).fetchone()
        token = None if row is None else _token_of(row)
        if token is None or token.shop_id != shop.id or token.revoked_at is not None:
            return None
        return token

    def revoke(self, shop: Shop, now: datetime) -> bool:
        """Uninstall: the token stops working. False if the app was not installed."""
        with self.store.connect() as conn, conn:
            return (
                conn.execute(
                    "UPDATE bigcommerce_tokens SET revoked_at = ? WHERE shop_id = ? AND client_id = ?"
                    " AND revoked_at IS NULL",
                    (ts(now), shop.id, self.app.client_id),
                ).rowcount
                > 0
            )
