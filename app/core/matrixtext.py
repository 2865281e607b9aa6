"""Reading a matrix typed or pasted by a teacher.

Teachers copy exercises from textbooks, spreadsheets and notebooks, so a
matrix may come as lines of values separated by spaces, commas, semicolons or
tabs, or as NumPy prints it: ``[[-1 -5 -5] [ 3  2  1]]``, on one line or many.
How text splits into rows of values is this module's rule (`rows_of`): the
custom form's boxes are read here, with or without JavaScript. Pasting into a
grid on the page (static/handgrid.js, rowsOf) repeats the rule in the browser,
and tests/test_browser.py holds the two to the same rows. Numbers are read by
the same forgiving reader as answers.
"""

from __future__ import annotations

import re

from .parsing import parse
from .problem import MAX_SIZE, ProblemError

MAX_TEXT = 2000  # characters in one matrix box: 36 values need far fewer
_ROW = re.compile(r"\[([^\[\]]*)\]")
_SEPARATORS = re.compile(r"[\s,;]+")


def rows_of(text: str) -> list[list[str]]:
    """The rows of values in `text`, as strings, empty rows dropped."""
    bracketed = _ROW.findall(text)
    lines = bracketed if bracketed else text.splitlines()
    rows = [[value for value in _SEPARATORS.split(line) if value] for line in lines]
    return [row for row in rows if row]


def parse_matrix(name: str, text: str, vector: bool = False) -> list[int] | list[list[int]]:
    """A list of rows of ints (or a flat list when `vector`), or a ProblemError
    naming the box and what is wrong with it."""
    if len(text) > MAX_TEXT:
        raise ProblemError(f"{name} is too long: a matrix here has at most {MAX_SIZE ** 2} numbers.")
    rows = rows_of(text)
    if not rows:
        raise ProblemError(f"{name} is empty: type its numbers, one row per line.")
    values = []
    for row in rows:
        parsed = []
        for text_value in row:
            entry = parse(text_value)
            if entry.value is None:
                raise ProblemError(f"{name} holds {entry.text[:12]!r}, which is not a whole number.")
            parsed.append(entry.value)
        values.append(parsed)
    if vector:
        if len(values) == 1:
            return values[0]
        if all(len(row) == 1 for row in values):
            return [row[0] for row in values]
        raise ProblemError(f"{name} is a vector: write its numbers on one line or one per line.")
    if len({len(row) for row in values}) > 1:
        raise ProblemError(f"{name} has rows of different lengths: "
                           + ", ".join(str(len(row)) for row in values) + " numbers.")
    return values
