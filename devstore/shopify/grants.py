"""The token endpoint's rules: token exchange, rotating refresh, the authorization-code grant,
and which access tokens the Admin API accepts.

Lifetimes and rotation follow Shopify's expiring offline tokens (fact sheet §1.3): access tokens
last an hour, refresh tokens 90 days, and every refresh returns a new pair. The refresh token
that was spent stays usable until its replacement pair is used (an Admin API call with the new
access token, or a refresh with the new refresh token), for at most 30 days after it was first
spent: so an app that lost a refresh answer can retry, and one that moved on cannot go back.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from devstore.models import Shop
from devstore.shopify.grant_store import AuthCode, GrantStore, Installation, IssuedToken, NewToken
from devstore.shopify.registration import AppRegistration
from devstore.shopify.session_tokens import verify_session_token
from devstore.shopify.staff import StaffUser, owner_of
from devstore.store import DevStore

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
ONLINE_TOKEN_LIFETIME = timedelta(seconds=86399)  # what Shopify's online tokens report
REFRESH_TOKEN_LIFETIME = timedelta(days=90)
REFRESH_RECOVERY_WINDOW = timedelta(days=30)
CODE_LIFETIME = timedelta(minutes=10)

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105 - a URN, not a secret
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105
ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"  # noqa: S105
ACCESS_MODES = {OFFLINE_TOKEN_TYPE: "offline", ONLINE_TOKEN_TYPE: "online"}
TRUE_VALUES = {"1", "true"}


@dataclass(frozen=True, slots=True)
class OAuthError:
    """A refused token request, answered as ``{"error", "error_description"}`` with ``status``."""

    status: int
    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def invalid_request(description: str) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


NOT_INSTALLED = OAuthError(401, "invalid_client", "The app is not installed on this shop.")
BAD_CODE = invalid_request("The authorization code was not found or was already used.")


@dataclass(frozen=True, slots=True)
class Granted:
    token: IssuedToken
    user: StaffUser | None  # online tokens: the staff user they act for

    def body(self) -> dict[str, Any]:
        """The token endpoint's answer for this token (lifetimes counted from its issue)."""
        token = self.token
        body: dict[str, Any] = {"access_token": token.access_token, "scope": ",".join(token.scopes)}
        if token.expires_at is not None:
            body["expires_in"] = _seconds_between(token.issued_at, token.expires_at)
        if token.refresh_token is not None and token.refresh_expires_at is not None:
            body["refresh_token"] = token.refresh_token
            body["refresh_token_expires_in"] = _seconds_between(token.issued_at, token.refresh_expires_at)
        if token.access_mode == "online" and self.user is not None:
            body["associated_user_scope"] = body["scope"]
            body["associated_user"] = self.user.associated_user()
        return body


def _seconds_between(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


class Grants:
    """The app's grants on devstore shops. ``now`` is always passed in: the caller's clock."""

    def __init__(self, store: DevStore, app: AppRegistration) -> None:
        self.rows = GrantStore(store)
        self.app = app

    def authenticate_client(self, client_id: str, client_secret: str) -> OAuthError | None:
        if client_id != self.app.client_id or not secrets.compare_digest(
            client_secret.encode(), self.app.client_secret.encode()
        ):
            return OAuthError(
                401,
                "invalid_client",
                "Client authentication failed: unknown client_id or wrong client_secret.",
            )
        return None

    # -- installs --------------------------------------------------------------------------------

    def installation(self, shop: Shop) -> Installation | None:
        return self.rows.installation(shop.id, self.app.client_id)

    def install(self, shop: Shop, now: datetime, scopes: tuple[str, ...] | None = None) -> Installation:
        """Shopify-managed installation: the scopes ``shopify.app.toml`` declares, unless given."""
        return self.rows.install(shop.id, self.app.client_id, scopes or self.app.scopes, now)

    def uninstall(self, shop: Shop, now: datetime) -> bool:
        return self.rows.uninstall(shop.id, self.app.client_id, now)

    def expire(self, shop: Shop, now: datetime, *, access: bool, refresh: bool) -> int:
        return self.rows.expire(shop.id, self.app.client_id, access=access, refresh=refresh, now=now)

    def tokens(self, shop: Shop) -> list[IssuedToken]:
        return self.rows.tokens(shop.id, self.app.client_id)

    # -- grants ----------------------------------------------------------------------------------

    def token_exchange(self, shop: Shop, params: Mapping[str, str], now: datetime) -> Granted | OAuthError:
        subject_token = params.get("subject_token", "")
        if not subject_token:
            return invalid_request("Missing required parameter: subject_token.")
        if params.get("subject_token_type") != ID_TOKEN_TYPE:
            return invalid_request(f"subject_token_type must be {ID_TOKEN_TYPE}.")
        access_mode = ACCESS_MODES.get(params.get("requested_token_type", ""))
        if access_mode is None:
            return invalid_request(
                f"requested_token_type must be {OFFLINE_TOKEN_TYPE} or {ONLINE_TOKEN_TYPE}."
            )
        verified = verify_session_token(subject_token, shop.domain, self.app, now)
        if isinstance(verified, str):
            return OAuthError(400, "invalid_subject_token", f"The subject token is invalid: {verified}.")
        installation = self.installation(shop)
        if installation is None:
            return NOT_INSTALLED
        user = owner_of(shop) if access_mode == "online" else None
        return self._issue(
            shop,
            installation.scopes,
            access_mode,
            "token_exchange",
            user=user,
            expiring=params.get("expiring", "").lower() in TRUE_VALUES,
            now=now,
        )

    def refresh(self, shop: Shop, params: Mapping[str, str], now: datetime) -> Granted | OAuthError:
        refresh_token = params.get("refresh_token", "")
        if not refresh_token:
            return invalid_request("Missing required parameter: refresh_token.")
        installation = self.installation(shop)
        if installation is None:
            return NOT_INSTALLED
        spent = self.rows.token_by_refresh_token(refresh_token)
        refused = _refresh_refusal(spent, shop, self.app.client_id, now)
        if refused is not None or spent is None:
            return OAuthError(400, "invalid_grant", refused or "The refresh token is invalid.")
        new = self._new_token(
            installation.scopes, "offline", "refresh_token", None, True, now, parent=spent.id
        )
        replacement = self.rows.spend_refresh_token(spent, new, now)
        if replacement is None:  # retired or revoked by a concurrent request
            return OAuthError(
                400, "invalid_grant", "The refresh token was revoked or its replacement is in use."
            )
        return Granted(replacement, None)

    def authorization_code(
        self, shop: Shop, params: Mapping[str, str], now: datetime
    ) -> Granted | OAuthError:
        code_value = params.get("code", "")
        if not code_value:
            return invalid_request("Missing required parameter: code.")
        code = self.rows.use_code(code_value, shop.id, self.app.client_id, now)
        if code is None or code.expires_at <= now:
            return BAD_CODE
        if self.installation(shop) is None:
            return NOT_INSTALLED
        user = owner_of(shop) if code.access_mode == "online" else None
        return self._issue(
            shop,
            code.scopes,
            code.access_mode,
            "authorization_code",
            user=user,
            expiring=params.get("expiring", "").lower() in TRUE_VALUES,
            now=now,
        )

    def issue_code(self, shop: Shop, scopes: tuple[str, ...], access_mode: str, now: datetime) -> str:
        """A code for the authorize page's redirect, good once within ``CODE_LIFETIME``."""
        code = secrets.token_hex(16)
        self.rows.add_code(
            AuthCode(
                code=code,
                shop_id=shop.id,
                client_id=self.app.client_id,
                scopes=scopes,
                access_mode=access_mode,
                user_id=owner_of(shop).id,
                issued_at=now,
                expires_at=now + CODE_LIFETIME,
                used_at=None,
            )
        )
        return code

    # -- the Admin API's check -------------------------------------------------------------------

    def authenticate(self, shop: Shop, access_token: str, now: datetime) -> IssuedToken | str:
        """The token behind ``X-Shopify-Access-Token``, now marked used, or why it is refused."""
        token = self.rows.token_by_access_token(access_token) if access_token else None
        if token is None or token.shop_id != shop.id:
            return "unknown access token"
        if token.revoked_at is not None:
            return "the access token was revoked (the app was uninstalled)"
        if token.expires_at is not None and token.expires_at <= now:
            return "the access token has expired"
        self.rows.mark_used(token, now)
        return token

    # -- issuing ---------------------------------------------------------------------------------

    def _issue(
        self,
        shop: Shop,
        scopes: tuple[str, ...],
        access_mode: str,
        grant_type: str,
        *,
        user: StaffUser | None,
        expiring: bool,
        now: datetime,
    ) -> Granted:
        if access_mode == "offline" and not expiring:
            # A non-expiring offline token is one per app and shop: asking again returns it.
            existing = self.rows.live_non_expiring_token(shop.id, self.app.client_id)
            if existing is not None:
                return Granted(existing, None)
        new = self._new_token(scopes, access_mode, grant_type, user, expiring, now)
        return Granted(self.rows.add_token(shop.id, self.app.client_id, new), user)

    @staticmethod
    def _new_token(
        scopes: tuple[str, ...],
        access_mode: str,
        grant_type: str,
        user: StaffUser | None,
        expiring: bool,
        now: datetime,
        parent: int | None = None,
    ) -> NewToken:
        if access_mode == "online":
            return NewToken(
                access_mode,
                grant_type,
                _new_secret("shpua_"),
                scopes,
                user.id if user else None,
                now,
                now + ONLINE_TOKEN_LIFETIME,
            )
        if not expiring:
            return NewToken(access_mode, grant_type, _new_secret("shpat_"), scopes, None, now, None)
        return NewToken(
            access_mode,
            grant_type,
            _new_secret("shpat_"),
            scopes,
            None,
            now,
            now + ACCESS_TOKEN_LIFETIME,
            refresh_token=_new_secret("shprt_"),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME,
            parent_id=parent,
        )


def _refresh_refusal(token: IssuedToken | None, shop: Shop, client_id: str, now: datetime) -> str | None:
    """Why ``token``'s refresh token cannot be spent now, or None if it can."""
    if token is None or token.shop_id != shop.id or token.client_id != client_id:
        return "The refresh token is invalid."
    if token.revoked_at is not None:
        return "The refresh token was revoked."
    if token.refresh_retired_at is not None:
        return "The refresh token was already used, and its replacement is in use."
    if token.refresh_expires_at is None or token.refresh_expires_at <= now:
        return "The refresh token has expired."
    if token.refresh_spent_at is not None and now - token.refresh_spent_at > REFRESH_RECOVERY_WINDOW:
        return "The refresh token was already used, and its recovery window is over."
    return None
