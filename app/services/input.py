"""Input a person typed or a URL carried: what is wrong with it is theirs to fix (a 400)."""

from __future__ import annotations

import re
from collections.abc import Mapping


class InvalidInput(ValueError):
    """Input a person can fix (a bad cursor, date, id or filter): the HTTP layer answers 400."""


MAX_ROW_ID = 2**31 - 1  # the id columns are 32-bit: a larger number is no row, not a database error


def row_id(text: str) -> int:
    """A row id from a URL; ``InvalidInput`` for anything that cannot be one."""
    if not re.fullmatch(r"[0-9]{1,10}", text) or not 0 < int(text) <= MAX_ROW_ID:
        raise InvalidInput(f"{text[:40]!r} is not a valid id.")
    return int(text)


QTY_PREFIX = "qty."  # a line's units in a form: ``qty.<line item row id>``
MAX_QUANTITY = 100_000


def line_quantities(form: Mapping[str, str], errors: dict[str, str]) -> dict[int, int]:
    """The positive ``qty.<row id>`` fields of a form (0 or empty: not this line), by row id;
    what cannot be a line or a quantity is named in ``errors`` under its field."""
    quantities: dict[int, int] = {}
    for name, value in form.items():
        if not name.startswith(QTY_PREFIX):
            continue
        row = name[len(QTY_PREFIX) :]
        if not re.fullmatch(r"[0-9]{1,10}", row):
            errors[name] = "This is not an item of the order."
            continue
        text = value.strip() or "0"
        if not re.fullmatch(r"-?[0-9]{1,7}", text):
            errors[name] = "Enter a whole number of units."
        elif int(text) < 0:
            errors[name] = "A quantity cannot be negative."
        elif int(text) > MAX_QUANTITY:
            errors[name] = "That is more than the order has."
        elif int(text) > 0:
            quantities[int(row)] = int(text)
    return quantities
