"""Input a person typed or a URL carried: what is wrong with it is theirs to fix (a 400)."""

from __future__ import annotations

import re


class InvalidInput(ValueError):
    """Input a person can fix (a bad cursor, date, id or filter): the HTTP layer answers 400."""


MAX_ROW_ID = 2**31 - 1  # the id columns are 32-bit: a larger number is no row, not a database error


def row_id(text: str) -> int:
    """A row id from a URL; ``InvalidInput`` for anything that cannot be one."""
    if not re.fullmatch(r"[0-9]{1,10}", text) or not 0 < int(text) <= MAX_ROW_ID:
        raise InvalidInput(f"{text[:40]!r} is not a valid id.")
    return int(text)
