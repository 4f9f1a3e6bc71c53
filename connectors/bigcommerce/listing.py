"""Reading whole lists from the two API generations, which page differently.

- v2 lists (orders, an order's products and shipments) carry no paging metadata: ask page after
  page until one comes back short, or empty as ``204 No Content`` (fact sheet 2.1, 2.3).
- v3 lists answer ``{"data": [...], "meta": {"pagination": {...}}}`` with ``current_page`` and
  ``total_pages`` (fact sheet 2.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.bigcommerce.rest import BigCommerceREST, Params
from connectors.errors import Permanent
from connectors.values import integer, mapping, mappings

PAGE_LIMIT = 250  # the most BigCommerce returns per page
# A bound on pages of one child list (250 x 40 = 10 000 products on one order), so a store that
# ignored ``page`` could not keep us reading the same page for ever.
MAX_CHILD_PAGES = 40


def v2_items(body: object, what: str) -> list[Mapping[str, Any]]:
    """A v2 list answer: a JSON array, or None for 204."""
    if body is None:
        return []
    if not isinstance(body, list):
        raise Permanent(f"BigCommerce answered {what} with something other than a list", status=200)
    return mappings(body)


async def v2_all(rest: BigCommerceREST, path: str, what: str) -> tuple[list[Mapping[str, Any]], bool]:
    """Every item of a v2 child list, and whether the list was read to its end."""
    items: list[Mapping[str, Any]] = []
    for page in range(1, MAX_CHILD_PAGES + 1):
        batch = v2_items(await rest.get(path, {"page": page, "limit": PAGE_LIMIT}), what)
        items.extend(batch)
        if len(batch) < PAGE_LIMIT:
            return items, True
    return items, False


@dataclass(frozen=True, slots=True)
class V3Page:
    items: list[Mapping[str, Any]]
    total: int | None
    current_page: int
    total_pages: int | None

    @property
    def has_next(self) -> bool:
        if self.total_pages is not None:
            return self.current_page < self.total_pages
        # No pagination meta (an endpoint that does not page): this is all there is.
        return False


def v3_page(body: object, what: str) -> V3Page:
    envelope = mapping(body)
    data = envelope.get("data") if body is not None else []
    if not isinstance(data, list):
        raise Permanent(f"BigCommerce answered {what} without a data list", status=200)
    pagination = mapping(mapping(envelope.get("meta")).get("pagination"))
    total_pages = pagination.get("total_pages")
    total = pagination.get("total")
    return V3Page(
        items=mappings(data),
        total=total if isinstance(total, int) and not isinstance(total, bool) else None,
        current_page=integer(pagination.get("current_page"), default=1),
        total_pages=total_pages
        if isinstance(total_pages, int) and not isinstance(total_pages, bool)
        else None,
    )


async def v3_all(
    rest: BigCommerceREST,
    path: str,
    what: str,
    params: Params | None = None,
    *,
    documents_paging: bool = True,
) -> tuple[list[Mapping[str, Any]], bool]:
    """Every item of a v3 list, and whether it was read to its end.

    ``documents_paging`` False: the reference lists no ``page``/``limit`` for this endpoint (an
    order's refunds), and v3 may answer unknown parameters with 422, so the first request goes
    without them; ``page`` is sent only if the answer's meta says there is more."""
    items: list[Mapping[str, Any]] = []
    for page in range(1, MAX_CHILD_PAGES + 1):
        paging: dict[str, str | int] = {"page": page, "limit": PAGE_LIMIT} if documents_paging else {}
        if not documents_paging and page > 1:
            paging = {"page": page}
        answer = v3_page(await rest.get(path, {**(params or {}), **paging}), what)
        items.extend(answer.items)
        if not answer.has_next:
            return items, True
    return items, False


def v3_data(body: object, what: str) -> Mapping[str, Any]:
    """The ``data`` object of a v3 answer; a bare object is accepted too (some guides show
    responses unwrapped, fact sheet 3.1)."""
    envelope = mapping(body)
    data = envelope.get("data", envelope)
    if not isinstance(data, Mapping) or not data:
        raise Permanent(f"BigCommerce answered {what} without data", status=200)
    return data
