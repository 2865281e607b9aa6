"""A student's answers: the four matrices as typed, cell by cell, from a form or from JSON.

Grading marks them and diagnosis explains them; both import them from here.
A cell's form field (and element id) is ``h_z-0-2``: row 0, column 2 of h_z.
`field_id` writes that name and `cell_of` reads it back; nothing else spells it
(the page's script reads a cell's place from its data-matrix, data-row and
data-col attributes).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from .parsing import BLANK, Entry, parse
from .problem import ANSWER_NAMES, Sizes

Answers = dict[str, list[list[Entry]]]


class AnswerError(ValueError):
    """Answers whose shape does not fit the problem; the message is for people."""


def field_id(name: str, i: int, j: int) -> str:
    """The form field (and element id) of a cell: ``h_z-0-2`` is row 0, column 2."""
    return f"{name}-{i}-{j}"


def cell_of(text: str | None) -> tuple[str, int, int] | None:
    """(matrix, row, column) of a field name, or None when it names no cell."""
    name, _, place = (text or "").partition("-")
    row, _, col = place.partition("-")
    if name not in ANSWER_NAMES or not (row.isdigit() and col.isdigit()):
        return None
    return name, int(row), int(col)


def blank_answers(sizes: Sizes) -> Answers:
    return {name: [[BLANK] * len(row) for row in grid] for name, grid in fields(sizes).items()}


def fields(sizes: Sizes) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every cell's field name, matrix by matrix, row by row."""
    return {name: field_ids(name, *sizes.answer_shape(name)) for name in ANSWER_NAMES}


@lru_cache(maxsize=256)
def field_ids(name: str, rows: int, cols: int) -> tuple[tuple[str, ...], ...]:
    """One matrix's field names, row by row (made once per shape)."""
    return tuple(tuple(field_id(name, i, j) for j in range(cols)) for i in range(rows))


def answers_from_form(sizes: Sizes, form: Mapping[str, str]) -> Answers:
    """Entries from form fields named like ``h_z-0-2`` (row 0, column 2)."""
    get = form.get
    return {name: [[parse(get(field)) for field in row] for row in grid]
            for name, grid in fields(sizes).items()}


def helped_from_json(sizes: Sizes, given: object) -> frozenset[str]:
    """The API's "helped" cells, [matrix, row, column] each (0-based), as field ids."""
    if given is None:
        return frozenset()
    message = "helped must be a list of [matrix, row, column] cells of this problem (0-based)."
    if not isinstance(given, list) or len(given) > sizes.answer_cells():
        raise AnswerError(message)
    found = set()
    for cell in given:
        if not (isinstance(cell, list) and len(cell) == 3 and cell[0] in ANSWER_NAMES
                and all(type(index) is int for index in cell[1:])):
            raise AnswerError(message)
        name, row, col = cell
        rows, cols = sizes.answer_shape(name)
        if not (0 <= row < rows and 0 <= col < cols):
            raise AnswerError(message)
        found.add(field_id(name, row, col))
    return frozenset(found)


def answers_from_json(sizes: Sizes, data: Mapping[str, object]) -> Answers:
    """Entries from the API's nested lists; a missing matrix is all blanks."""
    answers = blank_answers(sizes)
    for name in ANSWER_NAMES:
        given = data.get(name)
        if given is None:
            continue
        rows, cols = sizes.answer_shape(name)
        if (not isinstance(given, list) or len(given) != rows
                or not all(isinstance(row, list) and len(row) == cols for row in given)):
            raise AnswerError(f"{name} must be {rows} rows of {cols} cells.")
        answers[name] = [[parse(cell) for cell in row] for row in given]
    return answers


