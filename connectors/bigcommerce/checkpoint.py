"""Checkpointed paging by modification time, for lists that only page by number.

BigCommerce pages orders (v2) and customers (v3) by ``page``/``limit`` over a filter
``date_modified >= since``, sorted by ``date_modified`` ascending. Plain page numbers are not
safe while the store is busy: a record modified during the read jumps to the end of the sort,
everything after it shifts one place forward, and the record that slides from page N+1 onto the
page N already read is never seen.

So the position is re-anchored after every page: the next request asks for records modified at
or after the last modification time read, from page 1, and skips the ones already yielded at that
exact time (``seen``; the filter is inclusive, and times have whole seconds). A record modified
during the read then comes back later with its new time, and nothing can slide past the anchor.
Only when a whole page shares one modification time (a bulk update) does the anchor not move;
then the page number advances under the same anchor, where a shift can still skip a record that
is modified again while that one second is being paged — it comes back with its new time anyway.

The checkpoint (``Page.next_cursor``) is ``v1|<anchor ISO 8601>|<page>|<ids seen at anchor>``:
storing it after a page has been written resumes exactly after that page. When a checkpoint is
given, it wins over ``updated_since`` (its anchor is at or after it).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import Permanent

VERSION = "v1"

Resource = Mapping[str, Any]
# (anchor, page) -> (the page's records in the store's order, whether more pages follow)
FetchPage = Callable[[datetime | None, int], Awaitable[tuple[Sequence[Resource], bool]]]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    since: datetime | None
    page: int = 1
    seen: frozenset[str] = field(default_factory=frozenset)

    def encode(self) -> str:
        since = self.since.isoformat() if self.since is not None else ""
        return f"{VERSION}|{since}|{self.page}|{','.join(sorted(self.seen, key=_id_order))}"

    @classmethod
    def decode(cls, value: str) -> Checkpoint:
        parts = value.split("|")
        if len(parts) != 4 or parts[0] != VERSION:
            raise Permanent("not a BigCommerce sync checkpoint")
        _, since_text, page_text, seen_text = parts
        try:
            since = datetime.fromisoformat(since_text) if since_text else None
            page = int(page_text)
        except ValueError:
            raise Permanent("not a BigCommerce sync checkpoint") from None
        if page < 1 or (since is not None and since.tzinfo is None):
            raise Permanent("not a BigCommerce sync checkpoint")
        return cls(since=since, page=page, seen=frozenset(filter(None, seen_text.split(","))))


@dataclass(frozen=True, slots=True)
class ModifiedPage:
    records: list[Resource]  # not yielded before
    next: Checkpoint
    has_next: bool


async def modified_pages(
    fetch: FetchPage,
    start: Checkpoint,
    *,
    modified_of: Callable[[Resource], datetime | None],
    id_of: Callable[[Resource], str],
) -> AsyncGenerator[ModifiedPage, None]:
    position = start
    while True:
        items, more = await fetch(position.since, position.page)
        fresh = [
            item
            for item in items
            if not (id_of(item) in position.seen and modified_of(item) == position.since)
        ]
        times = [t for item in items if (t := modified_of(item)) is not None]
        last = max(times, default=None)
        uniform = len(times) == len(items) and len(set(times)) == 1
        if last is not None and more and uniform and last != position.since:
            # A full page all at one new time: re-anchored, page 1 would be this very page.
            following = Checkpoint(since=last, page=2, seen=frozenset(id_of(item) for item in items))
        elif last is not None and (position.since is None or last > position.since):
            following = Checkpoint(
                since=last,
                page=1,
                seen=frozenset(id_of(item) for item in items if modified_of(item) == last),
            )
        else:
            # The whole page sits at the anchor: the anchor cannot move, the page number does.
            following = Checkpoint(
                since=position.since,
                page=position.page + 1,
                seen=frozenset(id_of(item) for item in items if modified_of(item) == position.since),
            )
        more = more and bool(items)
        yield ModifiedPage(records=fresh, next=following, has_next=more)
        if not more:
            return
        position = following


def _id_order(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (0, value)
