"""Settings: the merchant's return policy, surveys, sender, languages and staff refund limits."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.models import StaffUser
from app.services.settings import (
    RESOLUTIONS,
    SUPPORTED_LOCALES,
    SURVEY_KINDS,
    MerchantSettings,
    parse_settings_form,
    save_settings,
    settings_of,
)

# admin.js follows this header after a successful fetch-post (a redirect would be followed by
# fetch itself, without the session token).
NEXT_HEADER = "X-Aftercare-Location"


async def settings_page(request: Request) -> Response:
    session = embedded_session(request)
    saved = request.query_params.get("saved")
    return await _form(request, settings_of(session.shop), {}, {}, saved=saved is not None)


async def save_settings_page(request: Request) -> Response:
    session = embedded_session(request)
    async with request.form(max_files=0, max_fields=500) as form:
        single = {name: value for name, value in form.items() if isinstance(value, str)}
        lists = {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in form}
    staff_ids = [m.id for m in await StaffUser.filter(shop_id=session.shop.id, removed_at=None).only("id")]
    checked = parse_settings_form(single, lists, settings_of(session.shop), staff_ids)
    if not checked.ok:
        return await _form(request, checked.settings, checked.errors, single, status_code=422)
    changed = await save_settings(session.shop, session.staff, checked)
    return Response(status_code=204, headers={NEXT_HEADER: f"/settings?saved={changed}"})


async def _form(
    request: Request,
    settings: MerchantSettings,
    errors: dict[str, str],
    typed: dict[str, str],
    *,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    session = embedded_session(request)
    staff = await StaffUser.filter(shop_id=session.shop.id, removed_at=None).order_by("id")
    context: dict[str, Any] = {
        "settings": settings,
        "errors": errors,
        "typed": typed,
        "saved": saved,
        "staff_members": staff,
        "resolutions": RESOLUTIONS,
        "survey_kinds": SURVEY_KINDS,
        "supported_locales": SUPPORTED_LOCALES,
    }
    return render(request, "settings/form.html", context, status_code=status_code)
