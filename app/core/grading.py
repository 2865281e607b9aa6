"""Marking a student's four matrices cell by cell, with error carried forward.

Every cell gets exactly one status:

* ``correct``: equal to the reference.
* ``carried``: wrong, but it follows correctly from the student's own earlier
  matrix: h from ReLU of their h_z, y_z from W2 @ (their h) + b2 once their h
  is complete and valid, y from ReLU of their y_z. Hand graders call this error
  carried forward; a student who slipped once should not lose every later mark.
* ``wrong``, ``blank`` or ``invalid`` (not a whole number; never counted).
* ``revealed``: the student asked to see this matrix's solution; the page
  shows it, marked so that nobody takes it for the student's own work.

A correct cell the student was helped with (they saw its working's sum, or
its matrix revealed, before typing it) is still correct, and counted apart:
`Report.with_help`, "30 of 36 correct (4 with help)".

The reference values come from `problem.solve` and the carried ones from the
same `layer`/`relu`, so there is one implementation of the network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Literal, NamedTuple

import numpy as np

from .answers import Answers, cell_of, field_ids
from .diagnosis import Kind, diagnose_cells
from .parsing import Entry, whole_numbers
from .problem import ANSWER_NAMES, SOURCE, Problem, layer, solve

# A cell's status (see the module docstring); "revealed" is never counted as work.
Status = Literal["correct", "carried", "wrong", "invalid", "blank", "revealed"]
STATUSES: tuple[Status, ...] = ("correct", "carried", "wrong", "invalid", "blank")


class Mark(NamedTuple):
    """A cell's status and the sentence shown beside it. A named tuple: a page
    remembers how it drew each (cell, mark), so marks are hashed as often as made."""

    status: Status
    message: str
    diagnosis: Kind | None = None  # for a wrong cell: the likely slip


REVEALED = Mark("revealed", "Revealed: the solution, not your own work.")
CORRECT = Mark("correct", "Correct.")
BLANK_MARK = Mark("blank", "Not filled in yet.")
WRONG = Mark("wrong", "Not right: work this cell again.")
CARRIED = {name: Mark("carried", f"Follows from your {source}: error carried forward.")
           for name, source in SOURCE.items()}


# How the summary names each status but "correct", in the order it lists them.
_SUMMARY_WORDS: tuple[tuple[Status, str], ...] = (
    ("carried", "carried forward"), ("wrong", "wrong"), ("invalid", "invalid"), ("blank", "blank"),
    ("revealed", "revealed"))


@dataclass(frozen=True)
class Report:
    marks: dict[str, list[list[Mark]]]
    counts: Counter[Status]
    with_help: int = 0  # correct cells the student had been shown (see the module docstring)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> Iterator[tuple[str, int, int, Mark]]:
        """(matrix name, row, column, mark) for every cell, in reading order."""
        for name, grid in self.marks.items():
            for i, row in enumerate(grid):
                for j, mark in enumerate(row):
                    yield name, i, j, mark

    def rows(self, skip: frozenset[str] = frozenset()) -> Iterator[tuple[tuple[str, ...], tuple[Mark, ...]]]:
        """(field ids, marks) of every row in reading order, but those of the matrices in `skip`."""
        for name, grid in self.marks.items():
            if name not in skip:
                yield from zip(field_ids(name, len(grid), len(grid[0])), map(tuple, grid), strict=True)

    def summary(self) -> str:
        """One line for the aria-live region, e.g. "9 of 24 correct, 3 carried forward"."""
        parts = [f"{self.counts['correct']} of {self.total} correct"
                 + (f" ({self.with_help} with help)" if self.with_help else "")]
        parts += [f"{self.counts[status]} {words}" for status, words in _SUMMARY_WORDS if self.counts[status]]
        return ", ".join(parts)


class _Carried:
    """What each later cell would be, worked from the student's own earlier
    matrix (None where there is nothing to work from). Asked for only when a
    cell is not the reference value, so a right answer costs nothing here."""

    def __init__(self, problem: Problem, answers: Answers) -> None:
        self.problem = problem
        self.answers = answers
        self._from_h: list[list[int | None]] | None = None

    def value(self, name: str, i: int, j: int) -> int | None:
        if name == "y_z":
            if self._from_h is None:
                self._from_h = self._y_z_from_own_h()
            return self._from_h[i][j]
        pre = self.answers[SOURCE[name]][i][j].value  # h from h_z, y from y_z: ReLU of one cell
        return None if pre is None else max(pre, 0)

    def _y_z_from_own_h(self) -> list[list[int | None]]:
        own_h = whole_numbers(self.answers["h"])
        if own_h is None:
            rows, cols = self.problem.sizes.answer_shape("y_z")
            return [[None] * cols for _ in range(rows)]
        carried: list[list[int | None]] = layer(self.problem.W2, np.array(own_h, dtype=np.int64),
                                                self.problem.b2).tolist()
        return carried


def grade(problem: Problem, answers: Answers, revealed: frozenset[str] = frozenset(),
          helped: frozenset[str] = frozenset()) -> Report:
    """Marks for every cell; every cell of a matrix named in `revealed` is marked
    so. `helped` holds the field ids of the cells the student was helped with."""
    reference = solve(problem).rows
    marks, misses = {}, []
    for name in ANSWER_NAMES:
        rows = answers[name]
        if name in revealed:
            marks[name] = [[REVEALED] * len(row) for row in rows]
            continue
        marks[name] = [[CORRECT] * len(row) for row in rows]
        # Most rows are right, compared whole; in the others, find the cells that are off.
        for i, (row, expected) in enumerate(zip(rows, reference[name], strict=True)):
            if tuple(map(_value, row)) != expected:
                misses += [(name, i, j, entry) for j, entry in enumerate(row) if entry.value != expected[j]]
    counts = Counter(dict.fromkeys(STATUSES, 0))
    for grid in marks.values():
        counts[grid[0][0].status] += sum(map(len, grid))
    carried = _Carried(problem, answers)
    wrong = []
    for name, i, j, entry in misses:
        mark = marks[name][i][j] = _mark(entry, name, i, j, carried)
        counts[mark.status] += 1
        counts["correct"] -= 1
        if mark is WRONG:
            wrong.append((name, i, j))
    # A wrong cell's message names the likely slip when one explains the number.
    for (name, i, j), found in diagnose_cells(problem, answers, wrong).items() if wrong else ():
        if found is not None:
            marks[name][i][j] = Mark("wrong", found.message, found.kind)
    with_help = sum(1 for field in helped if (cell := cell_of(field)) is not None
                    and _in(marks, cell) and marks[cell[0]][cell[1]][cell[2]].status == "correct")
    return Report(marks=marks, counts=counts, with_help=with_help)


def _in(marks: dict[str, list[list[Mark]]], cell: tuple[str, int, int]) -> bool:
    name, i, j = cell
    return i < len(marks[name]) and j < len(marks[name][0])


_value = attrgetter("value")


def _mark(entry: Entry, name: str, i: int, j: int, carried: _Carried) -> Mark:
    """The mark of a cell that does not hold the reference value."""
    if entry.error:
        return _invalid(entry.error)
    if entry.value is None:
        return BLANK_MARK
    if name in SOURCE and entry.value == carried.value(name, i, j):
        return CARRIED[name]
    return WRONG


@lru_cache(maxsize=64)
def _invalid(message: str) -> Mark:
    return Mark("invalid", message)
