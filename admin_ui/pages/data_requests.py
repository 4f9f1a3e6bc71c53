"""Privacy data requests (GDPR ``customers/data_request``): the list, and each export as a download."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from admin_ui.templating import render
from app.auth.embedded import embedded_session
from app.errors import error_response
from app.models import DataRequest, DataRequestStatus
from app.services import audit
from app.services.input import InvalidInput, row_id
from app.services.keyset import Cursor, Page, take

PAGE_SIZE = 50


async def data_request_list(request: Request) -> Response:
    session = embedded_session(request)
    try:
        cursor = Cursor.decode(request.query_params.get("before"))
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    # Newest first by id (ids grow with time); the export itself is not loaded for the list.
    query = DataRequest.filter(shop_id=session.shop.id)
    if cursor is not None:
        query = query.filter(id__lt=cursor.id)
    page: Page[DataRequest] = await take(
        query.order_by("-id").only(
            "id", "platform_request_id", "customer_email", "status", "created_at", "completed_at"
        ),
        PAGE_SIZE,
        lambda r: "",
    )
    return render(request, "data_requests/list.html", {"page": page})


async def data_request_download(request: Request) -> Response:
    session = embedded_session(request)
    try:
        request_id = row_id(request.path_params["request_id"])
    except InvalidInput as exc:
        return error_response(request, 400, str(exc))
    found = await DataRequest.get_or_none(id=request_id, shop_id=session.shop.id)
    if found is None:
        return error_response(request, 404, "No such data request in this store.")
    if found.status != DataRequestStatus.READY or found.export is None:
        return error_response(request, 409, "This export is not ready yet.")
    # Personal data leaving the app: who downloaded which export is on the audit log.
    await audit.record(
        "data_request.downloaded",
        shop_id=session.shop.id,
        actor=f"staff:{session.staff.email or session.staff.platform_user_id}",
        staff_id=session.staff.id,
        subject_type="data_request",
        subject_id=str(found.id),
    )
    filename = f"data-request-{found.id}.json"
    return JSONResponse(found.export, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
