"""The admin session of a BigCommerce staff user inside the control-panel iframe.

After a verified ``load`` (or the install) the app holds a *session*: a random id naming a shop,
a staff user and when they were authenticated, good for ``SESSION_MAX_AGE``. It travels three ways:

- a cookie ``aftercare_bc_{shop id}``: ``SameSite=None; Secure; HttpOnly; Partitioned``, because
  the app is a third party inside ``store-{hash}.mybigcommerce.com`` (one cookie per shop, so two
  stores open in two tabs of one browser do not overwrite each other's session);
- a URL token ``?bc_session=`` (or the ``X-Aftercare-Session`` header), short-lived, for browsers
  that block third-party cookies (Safari; Chrome with 3PC off). It is a bearer credential, so it
  lives at most ``URL_TOKEN_TTL`` and is renewed while the session lasts;
- its CSRF token ``?bc_csrf=`` / ``X-Aftercare-CSRF``: HMAC(SECRET_KEY, session id). It marks
  the page as a BigCommerce one (admin.js carries it on every link and sends it on every post) and
  must accompany every non-GET request: a cross-site form can send the cookie but not this.

Everything is signed with ``SECRET_KEY`` (``app.auth.signed_values``); nothing is stored server-side,
so every web process can read every session. Revocation is by the rows the session names: an
uninstalled shop or a removed staff user ends it at the next request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import Response

from app.auth.signed_values import b64url, mac, sign, unsign

COOKIE_PREFIX = "aftercare_bc_"
SESSION_PARAM = "bc_session"
CSRF_PARAM = "bc_csrf"
SESSION_HEADER = "X-Aftercare-Session"
CSRF_HEADER = "X-Aftercare-CSRF"
# A working day in the control panel; then the user opens the app again (a new load).
SESSION_MAX_AGE = timedelta(hours=12)
URL_TOKEN_TTL = timedelta(hours=1)
_COOKIE_PURPOSE = "aftercare.bc-session.cookie.v1"
_URL_PURPOSE = "aftercare.bc-session.url.v1"
_CSRF_PURPOSE = "aftercare.bc-session.csrf.v1"


@dataclass(frozen=True)
class BigCommerceSession:
    sid: str
    shop_id: int
    staff_id: int
    authenticated_at: int  # UNIX time of the load (or install) that started the session
    expires_at: int  # of the value it was read from (cookie or URL token)

    @property
    def ends_at(self) -> int:
        return self.authenticated_at + int(SESSION_MAX_AGE.total_seconds())


def new_session(shop_id: int, staff_id: int, now: datetime, *, sid: str | None = None) -> BigCommerceSession:
    """A session starting ``now``; ``sid`` keeps an existing session's id (a second tab's load
    must not invalidate the first tab's CSRF token)."""
    started = int(now.timestamp())
    return BigCommerceSession(
        sid=sid or secrets.token_urlsafe(18),
        shop_id=shop_id,
        staff_id=staff_id,
        authenticated_at=started,
        expires_at=started + int(SESSION_MAX_AGE.total_seconds()),
    )


def cookie_name(shop_id: int) -> str:
    return f"{COOKIE_PREFIX}{shop_id}"


def set_session_cookie(response: Response, session: BigCommerceSession, *, key: str, now: datetime) -> None:
    """Written by hand: the attributes are the contract (``Partitioned`` needs ``Secure``, and a
    cross-site iframe only gets ``SameSite=None`` cookies)."""
    max_age = max(0, session.ends_at - int(now.timestamp()))
    value = sign(_claims(session, session.ends_at), key=key, purpose=_COOKIE_PURPOSE)
    response.headers.append(
        "set-cookie",
        f"{cookie_name(session.shop_id)}={value}; Max-Age={max_age}; Path=/; "
        "Secure; HttpOnly; SameSite=None; Partitioned",
    )


def url_token(session: BigCommerceSession, *, key: str, now: datetime) -> str:
    expires = min(int((now + URL_TOKEN_TTL).timestamp()), session.ends_at)
    return sign(_claims(session, expires), key=key, purpose=_URL_PURPOSE)


def csrf_token(session: BigCommerceSession, *, key: str) -> str:
    return b64url(mac(session.sid.encode(), key=key, purpose=_CSRF_PURPOSE))


def csrf_matches(session: BigCommerceSession, presented: str | None, *, key: str) -> bool:
    return bool(presented) and hmac.compare_digest(
        csrf_token(session, key=key).encode(), (presented or "").encode()
    )


def read_url_token(token: str | None, *, key: str, now: datetime) -> BigCommerceSession | None:
    return _read(unsign(token, key=key, purpose=_URL_PURPOSE), now)


def cookie_sessions(request: Request, *, key: str, now: datetime) -> list[BigCommerceSession]:
    """Every live session in the request's cookies (one per shop the browser has open)."""
    sessions = []
    for name, value in request.cookies.items():
        if not name.startswith(COOKIE_PREFIX):
            continue
        session = _read(unsign(value, key=key, purpose=_COOKIE_PURPOSE), now)
        # The name is not signed; a session filed under another shop's name was moved by hand.
        if session is not None and name == cookie_name(session.shop_id):
            sessions.append(session)
    return sessions


def admin_url(path: str, session: BigCommerceSession, *, key: str, now: datetime, with_token: bool) -> str:
    """``path`` (a path on this app) with the session's CSRF token, and its URL token if asked."""
    parts = urlsplit(path)
    params = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in {SESSION_PARAM, CSRF_PARAM}
    ]
    params.append((CSRF_PARAM, csrf_token(session, key=key)))
    if with_token:
        params.append((SESSION_PARAM, url_token(session, key=key, now=now)))
    return urlunsplit(("", "", parts.path or "/", urlencode(params), ""))


def _claims(session: BigCommerceSession, expires: int) -> dict[str, Any]:
    return {
        "sid": session.sid,
        "shop": session.shop_id,
        "staff": session.staff_id,
        "auth": session.authenticated_at,
        "exp": expires,
    }


def _read(value: dict[str, Any] | None, now: datetime) -> BigCommerceSession | None:
    if value is None:
        return None
    sid = value.get("sid")
    shop, staff, auth, exp = (_whole(value.get(k)) for k in ("shop", "staff", "auth", "exp"))
    if not isinstance(sid, str) or not sid or shop is None or staff is None or auth is None or exp is None:
        return None
    session = BigCommerceSession(sid=sid, shop_id=shop, staff_id=staff, authenticated_at=auth, expires_at=exp)
    timestamp = now.timestamp()
    if timestamp >= session.expires_at or timestamp >= session.ends_at:
        return None
    return session


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
