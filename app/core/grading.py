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

The reference values come from `problem.solve` and the carried ones from the
same `layer`/`relu`, so there is one implementation of the network.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .diagnosis import diagnose_all
from .parsing import BLANK, Entry, parse
from .problem import ANSWER_NAMES, Problem, Sizes, layer, solve

STATUSES = ("correct", "carried", "wrong", "invalid", "blank")
# Where a carried value comes from, for the message beside the cell.
SOURCE = {"h": "h_z", "y_z": "h", "y": "y_z"}


def field_id(name: str, i: int, j: int) -> str:
    """The form field (and element id) of a cell: ``h_z-0-2`` is row 0, column 2."""
    return f"{name}-{i}-{j}"


def cell_label(name: str, i: int, j: int) -> str:
    """A cell as a person names it, counting from 1: "h_z row 1, column 3"."""
    return f"{name} row {i + 1}, column {j + 1}"


def cell_of(text: str | None) -> tuple[str, int, int] | None:
    """(matrix, row, column) of a field name, or None when it names no cell."""
    name, _, place = (text or "").partition("-")
    row, _, col = place.partition("-")
    if name not in ANSWER_NAMES or not (row.isdigit() and col.isdigit()):
        return None
    return name, int(row), int(col)


class AnswerError(ValueError):
    """Answers whose shape does not fit the problem; the message is for people."""


@dataclass(frozen=True)
class Mark:
    status: str
    message: str
    diagnosis: str | None = None  # for a wrong cell: the likely slip (diagnosis.KINDS)


Answers = dict[str, list[list[Entry]]]
REVEALED = Mark("revealed", "Revealed: the solution, not your own work.")
CORRECT = Mark("correct", "Correct.")
BLANK_MARK = Mark("blank", "Not filled in yet.")


@dataclass(frozen=True)
class Report:
    marks: dict[str, list[list[Mark]]]
    counts: Counter

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self):
        """(matrix name, row, column, mark) for every cell, in reading order."""
        for name, grid in self.marks.items():
            for i, row in enumerate(grid):
                for j, mark in enumerate(row):
                    yield name, i, j, mark

    def summary(self) -> str:
        """One line for the aria-live region, e.g. "9 of 24 correct, 3 carried forward"."""
        parts = [f"{self.counts['correct']} of {self.total} correct"]
        extra = (("carried", "carried forward"), ("wrong", "wrong"),
                 ("invalid", "invalid"), ("blank", "blank"), ("revealed", "revealed"))
        parts += [f"{self.counts[key]} {words}" for key, words in extra if self.counts[key]]
        return ", ".join(parts)


def blank_answers(sizes: Sizes) -> Answers:
    return {
        name: [[BLANK] * sizes.answer_shape(name)[1] for _ in range(sizes.answer_shape(name)[0])]
        for name in ANSWER_NAMES
    }


def answers_from_form(sizes: Sizes, form) -> Answers:
    """Entries from form fields named like ``h_z-0-2`` (row 0, column 2)."""
    answers = blank_answers(sizes)
    for name, grid in answers.items():
        for i, row in enumerate(grid):
            for j in range(len(row)):
                row[j] = parse(form.get(field_id(name, i, j)))
    return answers


def answers_from_json(sizes: Sizes, data: dict) -> Answers:
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


def _values(grid: list[list[Entry]]) -> np.ndarray | None:
    """The grid as integers when every cell holds one, else None."""
    if any(entry.value is None for row in grid for entry in row):
        return None
    return np.array([[entry.value for entry in row] for row in grid], dtype=np.int64)


def _carried_targets(problem: Problem, answers: Answers) -> dict[str, list[list[int | None]]]:
    """For each later matrix, what follows from the student's own earlier one
    (None where there is nothing to follow from)."""
    def cellwise_relu(grid):
        return [[None if e.value is None else max(e.value, 0) for e in row] for row in grid]

    own_h = _values(answers["h"])
    rows, cols = problem.sizes.answer_shape("y_z")
    from_h = ([[None] * cols for _ in range(rows)] if own_h is None
              else layer(problem.W2, own_h, problem.b2).tolist())
    return {"h": cellwise_relu(answers["h_z"]), "y_z": from_h, "y": cellwise_relu(answers["y_z"])}


def grade(problem: Problem, answers: Answers, revealed: frozenset[str] = frozenset()) -> Report:
    """Marks for every cell; every cell of a matrix named in `revealed` is marked so."""
    solution = solve(problem)
    targets = _carried_targets(problem, answers)
    marks, counts = {}, Counter({status: 0 for status in STATUSES})
    for name in ANSWER_NAMES:
        reference = solution[name].tolist()
        grid = []
        for i, row in enumerate(answers[name]):
            marked = []
            for j, entry in enumerate(row):
                if name in revealed:
                    mark = REVEALED
                else:
                    mark = _mark(entry, reference[i][j], name, targets.get(name), i, j)
                counts[mark.status] += 1
                marked.append(mark)
            grid.append(marked)
        marks[name] = grid
    # A wrong cell's message names the likely slip when one explains the number.
    found = diagnose_all(problem, answers, marks) if counts["wrong"] else {}
    for name, grid in found.items():
        for i, row in enumerate(grid):
            for j, found in enumerate(row):
                if found is not None:
                    marks[name][i][j] = Mark("wrong", found.message, found.kind)
    return Report(marks=marks, counts=counts)


def _mark(entry: Entry, expected: int, name: str, carried, i: int, j: int) -> Mark:
    if entry.error:
        return Mark("invalid", entry.error)
    if entry.blank:
        return BLANK_MARK
    if entry.value == expected:
        return CORRECT
    if carried is not None and entry.value == carried[i][j]:
        return Mark("carried", f"Follows from your {SOURCE[name]}: error carried forward.")
    return Mark("wrong", "Not right: work this cell again.")
