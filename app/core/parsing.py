"""Reading what a student typed into one cell.

Students type on phones, paste from documents and copy from NumPy, so the
reader is forgiving about form (`−3` with a Unicode minus, `+3`, ` 3 `, `3.0`)
and strict about meaning: only a whole number is an answer. Everything else is
kept as typed, so the page can show it again with a message beside it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple, cast

MAX_ENTRY = 8  # characters of a real answer, sign and ".0" included
MAX_CELL_TEXT = 16  # the cells' maxlength: room to type a slip, never a paragraph
MAX_ECHO = 64  # characters of a bad entry shown back; the rest is cut, never stored
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\u2012": "-"})
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_PLAIN = re.compile(r"-?[0-9]{1,7}")
_SIGN_SPACE = re.compile(r"^([+-])\s+")
_TOO_LONG = f"Too long: an answer has at most {MAX_ENTRY} characters."


class Entry(NamedTuple):
    """One cell as typed: `value` when it is a whole number, `error` when it is not.
    (A named tuple: made and compared many times a check, it costs little.)"""

    text: str = ""
    value: int | None = None
    error: str | None = None

    @property
    def blank(self) -> bool:
        return self.value is None and self.error is None


BLANK = Entry()


def whole_numbers(grid: Sequence[Sequence[Entry]]) -> list[list[int]] | None:
    """A grid of entries as its numbers, or None unless every entry holds one."""
    values = [[entry.value for entry in row] for row in grid]
    if any(value is None for row in values for value in row):
        return None
    return cast(list[list[int]], values)


def parse(raw: object) -> Entry:
    """An Entry for a form string, a JSON number, a JSON string or None."""
    # A class types the same few short numbers over and over: each is read once.
    if (type(raw) is str and len(raw) <= MAX_CELL_TEXT) or (type(raw) is int and -10**7 < raw < 10**7):
        return _remembered(raw)
    return _read(raw)


@lru_cache(maxsize=4096)
def _remembered(raw: str | int) -> Entry:
    return _read(raw)


def _read(raw: object) -> Entry:
    # What nearly every cell holds, from a form or from JSON: no work to do.
    if type(raw) is str and _PLAIN.fullmatch(raw):
        return Entry(text=raw, value=int(raw))
    if type(raw) is int and -10**7 < raw < 10**7:
        return Entry(text=str(raw), value=raw)
    if raw is None:
        return BLANK
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return Entry(text=_shown(str(raw)), error="Type a whole number.")
    if isinstance(raw, int):
        if abs(raw) >= 10**MAX_ENTRY:  # before str(): Python refuses to print huge ints
            return Entry(text=f"{'-' if raw < 0 else ''}{'9' * MAX_ENTRY}…", error=_TOO_LONG)
        raw = str(raw)
    elif isinstance(raw, float):
        raw = repr(raw)
    text = _shown(raw)
    stripped = raw.strip()
    if not stripped:
        return BLANK
    if len(stripped) > MAX_ENTRY:
        return Entry(text=text, error=_TOO_LONG)
    # A space may follow the sign ("- 3"), never split digits: "1 2" is two numbers, not 12.
    normal = _SIGN_SPACE.sub(r"\1", unicodedata.normalize("NFKC", stripped).translate(_MINUSES))
    if _INTEGER.fullmatch(normal):
        return Entry(text=text, value=int(normal.split(".")[0]))
    if re.fullmatch(r"[+-]?[0-9]*\.[0-9]+", normal):
        return Entry(text=text, error="Not a whole number: every answer here is an integer.")
    return Entry(text=text, error="Not a number: type digits, with a minus sign if negative.")


def _shown(text: str) -> str:
    # Control characters would only confuse the page; they are never part of an answer.
    cleaned = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return cleaned[:MAX_ECHO]
