"""What the Shopify emulation remembers of app installs: installations, issued tokens, codes.

Rows only; the rules (what is valid when) live in ``grants``. Writes that decide something
(spending a refresh token, using a code) are single conditional UPDATEs, so two requests racing
for the same token cannot both win.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from devstore.rows import ts
from devstore.store import DevStore


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _scopes(text: str) -> tuple[str, ...]:
    return tuple(s for s in text.split(",") if s)


@dataclass(frozen=True, slots=True)
class Installation:
    shop_id: int
    client_id: str
    scopes: tuple[str, ...]
    installed_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: int
    shop_id: int
    client_id: str
    access_mode: str  # offline | online
    grant_type: str
    access_token: str
    scopes: tuple[str, ...]
    user_id: int | None
    issued_at: datetime
    expires_at: datetime | None
    first_used_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None
    refresh_spent_at: datetime | None
    refresh_retired_at: datetime | None
    parent_id: int | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token about to be stored (``grants`` decides its values)."""

    access_mode: str
    grant_type: str
    access_token: str
    scopes: tuple[str, ...]
    user_id: int | None
    issued_at: datetime
    expires_at: datetime | None
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class AuthCode:
    code: str
    shop_id: int
    client_id: str
    scopes: tuple[str, ...]
    access_mode: str
    user_id: int
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None


def _installation_of(row: sqlite3.Row) -> Installation:
    installed_at = _dt(row["installed_at"])
    assert installed_at is not None
    return Installation(row["shop_id"], row["client_id"], _scopes(row["scopes"]), installed_at)


def _token_of(row: sqlite3.Row) -> IssuedToken:
    issued_at = _dt(row["issued_at"])
    assert issued_at is not None
    return IssuedToken(
        id=row["id"],
        shop_id=row["shop_id"],
        client_id=row["client_id"],
        access_mode=row["access_mode"],
        grant_type=row["grant_type"],
        access_token=row["access_token"],
        scopes=_scopes(row["scopes"]),
        user_id=row["user_id"],
        issued_at=issued_at,
        expires_at=_dt(row["expires_at"]),
        first_used_at=_dt(row["first_used_at"]),
        refresh_token=row["refresh_token"],
        refresh_expires_at=_dt(row["refresh_expires_at"]),
        refresh_spent_at=_dt(row["refresh_spent_at"]),
        refresh_retired_at=_dt(row["refresh_retired_at"]),
        parent_id=row["parent_id"],
        revoked_at=_dt(row["revoked_at"]),
    )


def _code_of(row: sqlite3.Row) -> AuthCode:
    issued_at, expires_at = _dt(row["issued_at"]), _dt(row["expires_at"])
    assert issued_at is not None and expires_at is not None
    return AuthCode(
        code=row["code"],
        shop_id=row["shop_id"],
        client_id=row["client_id"],
        scopes=_scopes(row["scopes"]),
        access_mode=row["access_mode"],
        user_id=row["user_id"],
        issued_at=issued_at,
        expires_at=expires_at,
        used_at=_dt(row["used_at"]),
    )


def _ts_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else ts(moment)


class GrantStore:
    def __init__(self, store: DevStore) -> None:
        self.store = store

    # -- installations ---------------------------------------------------------------------------

    def installation(self, shop_id: int, client_id: str) -> Installation | None:
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT * FROM shopify_installations WHERE shop_id = ? AND client_id = ?",
                (shop_id, client_id),
            ).fetchone()
        return None if row is None else _installation_of(row)

    def install(self, shop_id: int, client_id: str, scopes: tuple[str, ...], now: datetime) -> Installation:
        """Record the install, or the new scopes of an installed app (its tokens stay valid)."""
        with self.store.connect() as conn, conn:
            conn.execute(
                "INSERT INTO shopify_installations (shop_id, client_id, scopes, installed_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (shop_id, client_id) DO UPDATE SET scopes = excluded.scopes",
                (shop_id, client_id, ",".join(scopes), ts(now)),
            )
        installation = self.installation(shop_id, client_id)
        assert installation is not None
        return installation

    def uninstall(self, shop_id: int, client_id: str, now: datetime) -> bool:
        """Remove the install, revoke every token and code it had; False if it was not installed."""
        with self.store.connect() as conn, conn:
            removed = conn.execute(
                "DELETE FROM shopify_installations WHERE shop_id = ? AND client_id = ?", (shop_id, client_id)
            ).rowcount
            conn.execute(
                "UPDATE shopify_tokens SET revoked_at = ?"
                " WHERE shop_id = ? AND client_id = ? AND revoked_at IS NULL",
                (ts(now), shop_id, client_id),
            )
            conn.execute(
                "DELETE FROM shopify_auth_codes WHERE shop_id = ? AND client_id = ? AND used_at IS NULL",
                (shop_id, client_id),
            )
        return removed > 0

    # -- tokens ----------------------------------------------------------------------------------

    def add_token(self, shop_id: int, client_id: str, new: NewToken) -> IssuedToken:
        with self.store.connect() as conn, conn:
            token_id = self._insert_token(conn, shop_id, client_id, new)
        found = self.token_by_id(token_id)
        assert found is not None
        return found

    def spend_refresh_token(self, spent: IssuedToken, new: NewToken, now: datetime) -> IssuedToken | None:
        """Store ``new`` as the replacement of ``spent`` (whose refresh token pays for it), or None
        if ``spent`` was retired or revoked meanwhile. Spending it also uses the pair it belongs
        to, which retires the refresh token that pair replaced."""
        with self.store.connect() as conn, conn:
            claimed = conn.execute(
                "UPDATE shopify_tokens SET refresh_spent_at = coalesce(refresh_spent_at, ?),"
                " first_used_at = coalesce(first_used_at, ?)"
                " WHERE id = ? AND refresh_retired_at IS NULL AND revoked_at IS NULL",
                (ts(now), ts(now), spent.id),
            ).rowcount
            if not claimed:
                return None
            self._retire_parent(conn, spent, now)
            token_id = self._insert_token(conn, spent.shop_id, spent.client_id, new)
        return self.token_by_id(token_id)

    def mark_used(self, token: IssuedToken, now: datetime) -> None:
        """The app called the Admin API with ``token``: the refresh token it replaced is retired."""
        if token.first_used_at is not None:
            return
        with self.store.connect() as conn, conn:
            conn.execute(
                "UPDATE shopify_tokens SET first_used_at = ? WHERE id = ? AND first_used_at IS NULL",
                (ts(now), token.id),
            )
            self._retire_parent(conn, token, now)

    @staticmethod
    def _retire_parent(conn: sqlite3.Connection, token: IssuedToken, now: datetime) -> None:
        if token.parent_id is not None:
            conn.execute(
                "UPDATE shopify_tokens SET refresh_retired_at = ? WHERE id = ? AND refresh_retired_at IS NULL",
                (ts(now), token.parent_id),
            )

    @staticmethod
    def _insert_token(conn: sqlite3.Connection, shop_id: int, client_id: str, new: NewToken) -> int:
        cursor = conn.execute(
            "INSERT INTO shopify_tokens (shop_id, client_id, access_mode, grant_type, access_token, scopes,"
            " user_id, issued_at, expires_at, refresh_token, refresh_expires_at, parent_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                shop_id,
                client_id,
                new.access_mode,
                new.grant_type,
                new.access_token,
                ",".join(new.scopes),
                new.user_id,
                ts(new.issued_at),
                _ts_or_none(new.expires_at),
                new.refresh_token,
                _ts_or_none(new.refresh_expires_at),
                new.parent_id,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def token_by_id(self, token_id: int) -> IssuedToken | None:
        return self._one("SELECT * FROM shopify_tokens WHERE id = ?", (token_id,))

    def token_by_access_token(self, access_token: str) -> IssuedToken | None:
        return self._one("SELECT * FROM shopify_tokens WHERE access_token = ?", (access_token,))

    def token_by_refresh_token(self, refresh_token: str) -> IssuedToken | None:
        return self._one("SELECT * FROM shopify_tokens WHERE refresh_token = ?", (refresh_token,))

    def live_non_expiring_token(self, shop_id: int, client_id: str) -> IssuedToken | None:
        return self._one(
            "SELECT * FROM shopify_tokens WHERE shop_id = ? AND client_id = ? AND access_mode = 'offline'"
            " AND expires_at IS NULL AND revoked_at IS NULL ORDER BY id LIMIT 1",
            (shop_id, client_id),
        )

    def tokens(self, shop_id: int, client_id: str) -> list[IssuedToken]:
        """Every token issued to the app on the shop, newest first."""
        with self.store.connect() as conn:
            found = conn.execute(
                "SELECT * FROM shopify_tokens WHERE shop_id = ? AND client_id = ? ORDER BY id DESC",
                (shop_id, client_id),
            ).fetchall()
        return [_token_of(row) for row in found]

    def expire(self, shop_id: int, client_id: str, *, access: bool, refresh: bool, now: datetime) -> int:
        """Make the app's live tokens on the shop expire at ``now``; returns how many rows changed."""
        sets = []
        if access:
            sets.append(
                "expires_at = CASE WHEN expires_at IS NULL OR expires_at > :now THEN :now ELSE expires_at END"
            )
        if refresh:
            sets.append(
                "refresh_expires_at = CASE WHEN refresh_token IS NOT NULL"
                " AND (refresh_expires_at IS NULL OR refresh_expires_at > :now)"
                " THEN :now ELSE refresh_expires_at END"
            )
        if not sets:
            return 0
        with self.store.connect() as conn, conn:
            return conn.execute(
                f"UPDATE shopify_tokens SET {', '.join(sets)}"
                " WHERE shop_id = :shop AND client_id = :client AND revoked_at IS NULL",
                {"now": ts(now), "shop": shop_id, "client": client_id},
            ).rowcount

    def _one(self, sql: str, params: tuple[object, ...]) -> IssuedToken | None:
        with self.store.connect() as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else _token_of(row)

    # -- authorization codes ---------------------------------------------------------------------

    def add_code(self, code: AuthCode) -> None:
        with self.store.connect() as conn, conn:
            conn.execute(
                "INSERT INTO shopify_auth_codes (code, shop_id, client_id, scopes, access_mode, user_id,"
                " issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code.code,
                    code.shop_id,
                    code.client_id,
                    ",".join(code.scopes),
                    code.access_mode,
                    code.user_id,
                    ts(code.issued_at),
                    ts(code.expires_at),
                ),
            )

    def use_code(self, code: str, shop_id: int, client_id: str, now: datetime) -> AuthCode | None:
        """The code, marked used, if it is this shop's and app's and was never used before."""
        with self.store.connect() as conn, conn:
            claimed = conn.execute(
                "UPDATE shopify_auth_codes SET used_at = ?"
                " WHERE code = ? AND shop_id = ? AND client_id = ? AND used_at IS NULL",
                (ts(now), code, shop_id, client_id),
            ).rowcount
            row = conn.execute("SELECT * FROM shopify_auth_codes WHERE code = ?", (code,)).fetchone()
        return _code_of(row) if claimed and row is not None else None
