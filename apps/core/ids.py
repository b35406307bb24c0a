"""One strict reading of the integers that arrive as text: ids and counts in paths, query
strings, form fields, tokens and WebSocket URLs.

``str.isdigit()`` accepts "²" (which ``int()`` refuses) and ``int()`` accepts " 7", "1_0" and
Arabic-Indic digits; a number past 64 bits overflows the database driver. Both were 500s.
"""
from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # a signed 64-bit column (BigAutoField, PositiveBigIntegerField)
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(value) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits if it fits a 64-bit column,
    else None (the caller answers 404 or a field error)."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


class IdConverter:
    """``<id:name>`` in URL patterns: :func:`parse_int`'s rule, so a path id past 64 bits is
    a 404 from the resolver instead of an overflow in a query (registered by apps.core)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_int(value)
        if number is None:
            raise ValueError(value)  # the resolver reads it as "no match"
        return number

    def to_url(self, value) -> str:
        return str(int(value))
