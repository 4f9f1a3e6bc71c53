"""Who an admin request is from, whichever platform authenticated it (``app.auth.embedded``)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from app.models import Shop, StaffUser

# Sec-Fetch-Dest of a navigation: the app is loaded in the admin's iframe.
NAVIGATION_DESTINATIONS = frozenset({"document", "iframe", "frame"})


@dataclass(frozen=True)
class EmbeddedSession:
    """Who is asking: the authenticated shop (scope every query by ``shop.id``) and staff user."""

    shop: Shop
    staff: StaffUser
    session_id: str | None


def is_document_request(request: Request) -> bool:
    """A page load (top-level or in the admin's iframe), as opposed to a fetch from the page."""
    if "authorization" in request.headers or request.method not in {"GET", "HEAD"}:
        return False
    destination = request.headers.get("sec-fetch-dest")
    if destination:
        return destination in NAVIGATION_DESTINATIONS
    return "text/html" in request.headers.get("accept", "")
