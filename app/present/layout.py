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

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, TypeVar

import numpy as np

from ..core.answers import Answers, field_id
from ..core.grading import Mark, Report
from ..core.parsing import BLANK, Entry
from ..core.problem import AFFINE, ANSWER_NAMES, Problem, Solution, solve
from ..core.wording import cell_label
from ..core.working import Working

VIEWS = ("grid", "numpy")
# "given" numbers, "one" (the appended 1s), an "answer" to fill in, a "revealed" solution.
CellKind = Literal["given", "one", "answer", "revealed"]
# What a hint shades: its "target" cell, and the row of W and column of the input ("pair") it uses.
Shade = Literal["target", "pair"]
T = TypeVar("T")


@dataclass(frozen=True)
class Attempt:
    """A student's attempt at a problem, as a view draws it: the problem, what
    they typed, the marks (after a check), the matrices whose solutions they
    asked to see, and the cell whose working they asked for."""

    problem: Problem
    answers: Answers
    report: Report | None = None
    revealed: frozenset[str] = frozenset()
    hint: Working | None = None  # a cell whose working is shown, its row and column shaded
    hint_sum: bool = False  # the working's second step (the sum) is shown, not only its first
    helped: frozenset[str] = frozenset()  # field ids of the cells the student was helped with

    @property
    def hint_field(self) -> str | None:
        return field_id(self.hint.matrix, self.hint.row, self.hint.col) if self.hint else None


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    value: int | None = None
    field: str | None = None  # form field name of an answer cell, e.g. "h_z-1-2"
    place: str = ""  # an answer cell's data attributes: its matrix, row and column (for the script)
    label: str = ""  # what a screen reader says for the cell
    entry: Entry = BLANK
    mark: Mark | None = None
    rule_left: bool = False  # the thin rule before a bias column
    rule_top: bool = False  # the thin rule above a row of 1s
    shade: Shade | Literal[""] = ""

    @property
    def css(self) -> str:
        """The cell's classes: its kind, its rules, its mark and its shade."""
        classes = ["cell", "cell-" + self.kind]
        if self.rule_left:
            classes.append("rule-left")
        if self.rule_top:
            classes.append("rule-top")
        if self.mark and self.kind != "answer":  # an answer's mark styles it from its markbox
            classes.append("is-" + self.mark.status)
        if self.shade:
            classes.append("shade-" + self.shade)
        return " ".join(classes)


@dataclass(frozen=True)
class Block:
    name: str  # the matrix shown ("X", "W1", "b1", "h_z", ...), also its CSS grid area
    title: str
    rows: list[list[Cell]]
    col_labels: list[str] = field(default_factory=list)
    note: str = ""  # a line under the title, e.g. "ReLU of h_z"

    revealed: bool = False

    @property
    def is_answer(self) -> bool:
        return self.name in ANSWER_NAMES


@dataclass(frozen=True)
class Arrow:
    name: str  # its CSS grid area: "relu1" or "relu2"
    text: str


def _given(matrix: np.ndarray, bias: np.ndarray | None = None, ones_row: bool = False) -> list[list[Cell]]:
    rows = []
    for i, row in enumerate(matrix.tolist()):
        cells = [Cell("given", value) for value in row]
        if bias is not None:
            cells.append(Cell("given", int(bias[i]), rule_left=True))
        rows.append(cells)
    if ones_row:
        rows.append([Cell("one", 1, rule_top=True) for _ in range(matrix.shape[1])])
    return rows


def _answer(attempt: Attempt, name: str, note: str = "", ones_row: bool = False) -> Block:
    """An answer block. A revealed one shows the solution in place of the
    inputs; what the student had typed there rides along unseen, never lost."""
    revealed = name in attempt.revealed
    solution = solve(attempt.problem)[name] if revealed else None
    rows = []
    for i, row in enumerate(attempt.answers[name]):
        rows.append([
            Cell("revealed" if revealed else "answer", field=field_id(name, i, j), place=place(name, i, j),
                 entry=entry,
                 value=int(solution[i, j]) if solution is not None else None,
                 label=cell_label(name, i, j),
                 mark=attempt.report.marks[name][i][j] if attempt.report else None)
            for j, entry in enumerate(row)
        ])
    if ones_row:
        rows.append([Cell("one", 1, rule_top=True) for _ in range(len(rows[0]))])
    return Block(name, name, rows, note=note, revealed=revealed)


@lru_cache(maxsize=512)
def place(name: str, i: int, j: int) -> str:
    """An answer input's data attributes, written once per cell: the page's script
    reads a cell's place from them, never from its id."""
    return f'data-matrix="{name}" data-row="{i}" data-col="{j}"'


def column_labels(count: int) -> list[str]:
    return [f"x{j + 1}" for j in range(count)]


def _spots(hint: Working) -> dict[tuple[str, int, int], Shade]:
    """The cells a hint shades, the "AI by Hand" way: the row of W (its bias
    included) and the column of the input (its 1 included) that meet at the
    cell, or for a ReLU cell the pre-activation it comes from."""
    spots: dict[tuple[str, int, int], Shade] = {(hint.matrix, hint.row, hint.col): "target"}
    if hint.source:
        spots[hint.source] = "pair"
    elif hint.w_row and hint.input_col:
        w_name, row = hint.w_row
        input_name, col = hint.input_col
        spots.update({(w_name, row, c): "pair" for c in range(SPAN)})
        spots[(AFFINE[hint.matrix].bias, row, 0)] = "pair"  # b1 or b2 as a separate vector
        spots.update({(input_name, r, col): "pair" for r in range(SPAN)})
    return spots


def _shaded(item: T, spots: dict[tuple[str, int, int], Shade]) -> T:
    if not isinstance(item, Block):
        return item
    rows = [[replace(cell, shade=spots.get((item.name, i, j), "")) for j, cell in enumerate(row)]
            for i, row in enumerate(item.rows)]
    return replace(item, rows=rows)


SPAN = 8  # more than any block's rows or columns (6, plus a row of 1s or a bias column)


def staircase(attempt: Attempt) -> list[Block | Arrow]:
    """Blocks and arrows of the "AI by Hand" picture, each naming its grid area."""
    parts = _staircase(attempt)
    if attempt.hint is None:
        return parts
    spots = _spots(attempt.hint)
    return [_shaded(part, spots) for part in parts]


def equations(attempt: Attempt) -> list[list[Block | str]]:
    """Lines of the plain notation: items are Blocks or operator strings."""
    lines = _equations(attempt)
    if attempt.hint is None:
        return lines
    spots = _spots(attempt.hint)
    return [[_shaded(item, spots) for item in line] for line in lines]


def _staircase(attempt: Attempt) -> list[Block | Arrow]:
    problem = attempt.problem
    return [
        Block("X", "X", _given(problem.X, ones_row=True), col_labels=column_labels(problem.sizes.batch)),
        Block("W1", "[W1 | b1]", _given(problem.W1, bias=problem.b1)),
        _answer(attempt, "h_z", note="W1·X + b1"),
        Arrow("relu1", "ReLU"),
        _answer(attempt, "h", note="ReLU(h_z)", ones_row=True),
        Block("W2", "[W2 | b2]", _given(problem.W2, bias=problem.b2)),
        _answer(attempt, "y_z", note="W2·h + b2"),
        Arrow("relu2", "ReLU"),
        _answer(attempt, "y", note="ReLU(y_z)"),
    ]


def _equations(attempt: Attempt) -> list[list[Block | str]]:
    problem = attempt.problem

    def column(vector: np.ndarray) -> list[list[Cell]]:  # b as a column vector
        return _given(vector[:, None])

    return [
        [_answer(attempt, "h_z"), "=", Block("W1", "W1", _given(problem.W1)), "·",
         Block("X", "X", _given(problem.X), col_labels=column_labels(problem.sizes.batch)), "+",
         Block("b1", "b1", column(problem.b1))],
        [_answer(attempt, "h"), "=", "ReLU(h_z)"],
        [_answer(attempt, "y_z"), "=", Block("W2", "W2", _given(problem.W2)), "·", "h", "+",
         Block("b2", "b2", column(problem.b2))],
        [_answer(attempt, "y"), "=", "ReLU(y_z)"],
    ]


def invalid_cells(report: Report | None) -> list[tuple[str, str, Mark]]:
    """(cell label, field id, mark) for every invalid entry, listed under the summary."""
    if report is None or not report.counts["invalid"]:
        return []
    return [(cell_label(name, i, j), field_id(name, i, j), mark)
            for name, i, j, mark in report.cells() if mark.status == "invalid"]


def hint_menu(attempt: Attempt) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The Hint menu: for each answer matrix, (field, label, selected) per cell."""
    chosen = attempt.hint_field
    menu = []
    for name in ANSWER_NAMES:
        rows, cols = attempt.problem.sizes.answer_shape(name)
        menu.append((name, [(field_id(name, i, j), cell_label(name, i, j), field_id(name, i, j) == chosen)
                            for i in range(rows) for j in range(cols)]))
    return menu


def key_blocks(solution: Solution) -> list[Block]:
    """The four answer matrices filled in, as blocks of given numbers (an answer key)."""
    return [Block(name, name, _given(solution[name])) for name in ANSWER_NAMES]
