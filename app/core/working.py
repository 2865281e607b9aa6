""""Show the working": one cell of an answer matrix, worked out the way it is done by hand.

A student who is stuck on a cell needs to see which row meets which column and
every product written out, not just the number; and a tutor lets them finish
it before showing the end. So each cell is described in two steps, e.g.

    setup:  h_z row 2, column 1 = row 2 of W1 · column 1 of X + b1's 2nd entry
            = 1·2 + (−1)·1 + 1·3 + (−5) = ___ + ___ + ___ + (−5) = ___
    text:   h_z row 2, column 1 = row 2 of W1 · column 1 of X + b1's 2nd entry
            = 1·2 + (−1)·1 + 1·3 + (−5) = 2 + (−1) + 3 + (−5) = −1

(for h and y: "h row 2, column 1 = ReLU(h_z row 2, column 1)", then its value),
and as data the page can use to shade what is involved (`w_row`, `input_col`,
`source`). Text counts rows and columns from 1, in words, as students do (the
same convention as the slip messages), and writes a true minus sign (U+2212),
with negatives in brackets inside a sum; the data counts from 0, as the API
and `numpy`, the cell in NumPy's own indexing, do.

y_z is always worked from the reference h, never from what the student typed:
the working is the model answer, so a slip in their h must not leak into it.
Values come from `problem.solve`, the one reference, and the text is built
from the same numbers, so the line always adds up to the value it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import AFFINE, ANSWER_NAMES, RELU_OF, Problem, solve
from .wording import cell_label, factor, number, ordinal, product

BLANK = "___"  # a number left for the student to work out


@dataclass(frozen=True)
class Working:
    """How one answer cell is worked out.

    For h_z and y_z, `terms` holds one (weight, input) pair per product, `bias`
    the bias added, `w_row` the row of W used (e.g. ("W1", 1)) and `input_col`
    the column of the input used (e.g. ("X", 0) or ("h", 0)).
    For h and y (ReLU cells) there is nothing to multiply: `terms` is empty,
    `bias`, `w_row` and `input_col` are None, and `source` names the
    pre-activation cell taken through ReLU (e.g. ("h_z", 1, 0)).
    Rows and columns here are 0-based; only `text` counts from 1.
    """

    matrix: str
    row: int
    col: int
    text: str  # the whole working, to the value
    setup: str  # the first step: what to multiply and add, the results left blank
    numpy: str  # the cell in NumPy's notation, counting from 0
    terms: tuple[tuple[int, int], ...]
    bias: int | None
    value: int
    w_row: tuple[str, int] | None = None
    input_col: tuple[str, int] | None = None
    source: tuple[str, int, int] | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON body of ``GET /api/problems/<code>/working``."""
        return {
            "matrix": self.matrix,
            "row": self.row,
            "col": self.col,
            "text": self.text,
            "setup": self.setup,
            "numpy": self.numpy,
            "terms": [list(term) for term in self.terms],
            "bias": self.bias,
            "value": self.value,
            "w_row": None if self.w_row is None
            else {"matrix": self.w_row[0], "row": self.w_row[1]},
            "input_col": None if self.input_col is None
            else {"matrix": self.input_col[0], "col": self.input_col[1]},
            "source": None if self.source is None
            else {"matrix": self.source[0], "row": self.source[1], "col": self.source[2]},
        }


def working(problem: Problem, matrix: str, row: int, col: int) -> Working:
    """The working of `matrix`[row][col] (0-based). Raises ValueError, with a
    message fit to show, for an unknown matrix or an index outside it."""
    if matrix not in ANSWER_NAMES:
        raise ValueError(f"matrix must be one of {', '.join(ANSWER_NAMES)}.")
    rows, cols = problem.sizes.answer_shape(matrix)
    _check_index("row", row, rows, matrix)
    _check_index("col", col, cols, matrix)
    solution = solve(problem)
    value = int(solution[matrix][row, col])
    here = cell_label(matrix, row, col)
    in_numpy = f"{matrix}[{row}, {col}]"

    if matrix in RELU_OF:
        source = RELU_OF[matrix]
        before = int(solution[source][row, col])
        start = f"{here} = ReLU({cell_label(source, row, col)})"
        return Working(matrix, row, col, text=f"{start} = ReLU({number(before)}) = {number(value)}",
                       setup=f"{start} = {BLANK}", numpy=f"{in_numpy} = np.maximum({source}[{row}, {col}], 0)",
                       terms=(), bias=None, value=value, source=(source, row, col))

    w_name, b_name, input_name = AFFINE[matrix]
    weights = getattr(problem, w_name)[row]
    inputs = problem.X if input_name == "X" else solution.h
    column = inputs[:, col]
    bias = int(getattr(problem, b_name)[row])
    terms = tuple((int(w), int(x)) for w, x in zip(weights, column, strict=True))
    start = (f"{here} = row {row + 1} of {w_name} · column {col + 1} of {input_name}"
             f" + {b_name}'s {ordinal(row + 1)} entry = "
             + " + ".join([product(w, x) for w, x in terms] + [factor(bias)]))
    blanks = " + ".join([BLANK] * len(terms) + [factor(bias)])
    products = " + ".join([factor(w * x) for w, x in terms] + [factor(bias)])
    return Working(matrix, row, col, text=f"{start} = {products} = {number(value)}",
                   setup=f"{start} = {blanks} = {BLANK}",
                   numpy=f"{in_numpy} = {w_name}[{row}] @ {input_name}[:, {col}] + {b_name}[{row}]",
                   terms=terms, bias=bias, value=value, w_row=(w_name, row), input_col=(input_name, col))


def _check_index(what: str, index: object, size: int, matrix: str) -> None:
    # bool is an int subclass, but `row=True` is a caller's mistake, not row 1.
    if (isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer))
            or not 0 <= index < size):
        unit = ("row" if what == "row" else "column") + ("" if size == 1 else "s")
        raise ValueError(
            f"{what} must be a whole number from 0 to {size - 1} for {matrix} (it has {size} {unit})."
        )
