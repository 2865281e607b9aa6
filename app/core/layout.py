"""The page layout as data: which matrix sits where, and what each cell shows.

Both views of a problem are built here, not in templates, so that the screen,
the worksheets and the tests share one description:

* ``staircase``: the "AI by Hand" picture. X on top with a row of 1s, [W1 | b1]
  to its left, h_z where they meet, h beside it (with its own 1s), [W2 | b2]
  below-left of h and y_z under h, y beside it. Blocks name a CSS grid area.
* ``equations``: the plain notation of NumPy code, one line per step, with b as
  a separate column vector.

A template only walks these blocks and draws each one with the grid macro.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .grading import Answers, Mark, Report
from .parsing import BLANK, Entry
from .problem import ANSWER_NAMES, Problem

VIEWS = ("grid", "numpy")


@dataclass(frozen=True)
class Cell:
    kind: str  # "given", "one" (the appended 1s) or "answer"
    value: int | None = None
    field: str | None = None  # form field name of an answer cell, e.g. "h_z-1-2"
    label: str = ""  # what a screen reader says for the cell
    entry: Entry = BLANK
    mark: Mark | None = None
    rule_left: bool = False  # the thin rule before a bias column
    rule_top: bool = False  # the thin rule above a row of 1s


@dataclass(frozen=True)
class Block:
    key: str  # a stable id, also the CSS grid area ("X", "W1", "h_z", ...)
    title: str
    rows: list[list[Cell]]
    col_labels: list[str] = field(default_factory=list)
    note: str = ""  # a line under the title, e.g. "ReLU of h_z"

    @property
    def is_answer(self) -> bool:
        return self.key in ANSWER_NAMES


@dataclass(frozen=True)
class Arrow:
    key: str
    text: str


def _given(matrix, bias=None, ones_row: bool = False) -> list[list[Cell]]:
    rows = []
    for i, row in enumerate(matrix.tolist()):
        cells = [Cell("given", value) for value in row]
        if bias is not None:
            cells.append(Cell("given", int(bias[i]), rule_left=True))
        rows.append(cells)
    if ones_row:
        rows.append([Cell("one", 1, rule_top=True) for _ in range(matrix.shape[1])])
    return rows


def _answer(name: str, answers: Answers, report: Report | None, ones_row: bool = False):
    rows = []
    for i, row in enumerate(answers[name]):
        rows.append([
            Cell("answer", field=f"{name}-{i}-{j}", entry=entry,
                 label=f"{name} row {i + 1}, column {j + 1}",
                 mark=report.marks[name][i][j] if report else None)
            for j, entry in enumerate(row)
        ])
    if ones_row:
        rows.append([Cell("one", 1, rule_top=True) for _ in range(len(rows[0]))])
    return rows


def column_labels(count: int) -> list[str]:
    return [f"x{j + 1}" for j in range(count)]


def staircase(problem: Problem, answers: Answers, report: Report | None = None):
    """Blocks and arrows of the "AI by Hand" picture, each naming its grid area."""
    batch = problem.sizes.batch
    return [
        Block("X", "X", _given(problem.X, ones_row=True), col_labels=column_labels(batch)),
        Block("W1", "[W1 | b1]", _given(problem.W1, bias=problem.b1)),
        Block("h_z", "h_z", _answer("h_z", answers, report), note="W1·X + b1"),
        Arrow("relu1", "ReLU"),
        Block("h", "h", _answer("h", answers, report, ones_row=True), note="ReLU(h_z)"),
        Block("W2", "[W2 | b2]", _given(problem.W2, bias=problem.b2)),
        Block("y_z", "y_z", _answer("y_z", answers, report), note="W2·h + b2"),
        Arrow("relu2", "ReLU"),
        Block("y", "y", _answer("y", answers, report), note="ReLU(y_z)"),
    ]


def equations(problem: Problem, answers: Answers, report: Report | None = None):
    """Lines of the plain notation: items are Blocks or operator strings."""
    batch = problem.sizes.batch
    column = lambda vector: _given(vector[:, None])  # noqa: E731 - b as a column vector
    return [
        [Block("h_z", "h_z", _answer("h_z", answers, report)), "=",
         Block("W1", "W1", _given(problem.W1)), "·",
         Block("X", "X", _given(problem.X), col_labels=column_labels(batch)), "+",
         Block("b1", "b1", column(problem.b1))],
        [Block("h", "h", _answer("h", answers, report)), "=", "ReLU(h_z)"],
        [Block("y_z", "y_z", _answer("y_z", answers, report)), "=",
         Block("W2", "W2", _given(problem.W2)), "·", "h", "+",
         Block("b2", "b2", column(problem.b2))],
        [Block("y", "y", _answer("y", answers, report)), "=", "ReLU(y_z)"],
    ]


def invalid_cells(report: Report | None) -> list[tuple[str, str, Mark]]:
    """(cell label, field id, mark) for every invalid entry, listed under the summary."""
    if report is None:
        return []
    found = []
    for name in ANSWER_NAMES:
        for i, row in enumerate(report.marks[name]):
            for j, mark in enumerate(row):
                if mark.status == "invalid":
                    found.append((f"{name} row {i + 1}, column {j + 1}", f"{name}-{i}-{j}", mark))
    return found
