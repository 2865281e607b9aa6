"""Naming the likely slip behind a wrong cell.

A cross says only that a cell is wrong. Most wrong cells worked by hand come
from a handful of slips, and each leaves a fingerprint in the number written:
so for a `wrong` cell we recompute the cell with each slip made on purpose and,
when one gives exactly the student's number, name it in a plain sentence that
says where to look without giving the answer away.

The slips, tested in this order (`KINDS`); when several give the student's
number, the first one is named:

* ``no_bias``: the dot product without the bias.
* ``wrong_pair``: another cell's value (in h_z and y_z): the row of W and the
  column of the input that were multiplied do not meet at this cell.
* ``transposed``: (a) the student's whole matrix is the right one transposed,
  or (b) in h_z and y_z, column i of W was used instead of row i:
  ``W[:, i] · input[:, j] + b[i]``.
* ``relu_missed``: in h and y, a negative pre-activation kept instead of 0.
* ``relu_wrong``: in h and y, a positive pre-activation set to 0, or the
  pre-activation with its sign flipped.
* ``sign_slip``: the right magnitude with the wrong sign.
* ``off_by_one_term``: exactly one product of the dot product left out or
  counted twice.

What "right" means here is what grading means by it, so a diagnosis never
contradicts the mark beside it:

* h_z is W1 · X + b1.
* y_z is W2 · h + b2 with the student's own h when every cell of it holds a
  whole number (as grading does for error carried forward), else with the
  reference h. Messages say "your h" when the student's h is used and differs
  from the reference.
* h and y are ReLU of the student's own h_z / y_z cell when it holds a whole
  number, else of the reference cell ("your h_z" in messages when that
  differs from the reference). Only ReLU slips (and a whole transposed
  matrix) are looked for there: any other slip belongs to the pre-activation.
  A reference pre-activation is never spelled out unless the student's number
  already shows it ("h_z is positive"), so a message does not give away h_z.

Decisions the issue left open:

* A whole transposed matrix (a) is checked before every other slip. Every
  off-diagonal cell of such a matrix also holds "another cell's value", so
  with the order taken literally ``wrong_pair`` would always win and (a) could
  never be named; and one whole matrix is stronger evidence than a coincidence
  in one number. (a) needs a square matrix, because the student's grid always
  has the answer's shape; it needs every cell filled in with a whole number.
* (b) is only defined when W is square (W1: hidden = inputs; W2: outputs = hidden),
  since otherwise a column of W does not have the input's length.
* ``wrong_pair`` compares with the other cells' whole values (their own bias
  included). When several cells hold the student's number, the mirror cell
  [j][i] is named first, then cells in the same row or column, then the rest.
* In h and y a sign slip is always also a ReLU sign flip, so it is named
  ``relu_wrong`` there.
* A cell that is right, or that follows from the student's earlier matrix
  (carried forward), or holds no whole number, is never diagnosed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

import numpy as np

from .answers import Answers
from .parsing import whole_numbers
from .problem import AFFINE, ANSWER_NAMES, RELU_OF, Problem, layer, solve
from .wording import number, product

Kind = Literal["no_bias", "wrong_pair", "transposed", "relu_missed", "relu_wrong", "sign_slip",
               "off_by_one_term"]
KINDS: tuple[Kind, ...] = ("no_bias", "wrong_pair", "transposed", "relu_missed", "relu_wrong",
                           "sign_slip", "off_by_one_term")
assert KINDS == get_args(Kind)


@dataclass(frozen=True)
class Diagnosis:
    kind: Kind
    message: str  # one sentence for the student, 1-based, with a true minus sign

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


# The contexts hold plain lists of ints, not arrays: a diagnosis reads a few
# numbers one at a time, and at that grain a NumPy element costs ten times a
# Python int (this runs on every check with a wrong cell: docs/performance.md).
Grid = list[list[int]]


@dataclass(frozen=True)
class _Affine:
    """What a pre-activation cell (h_z or y_z) is made of, as grading sees it."""

    w_name: str
    weights: Grid
    b_name: str
    bias: list[int]
    input_name: str  # "X" or "h"
    input_label: str  # how prose names the input: "X", "h" or "your h"
    inputs: Grid
    expected: Grid


@dataclass(frozen=True)
class _Relu:
    """What an activation cell (h or y) is ReLU of, as grading sees it."""

    source: str  # "h_z" or "y_z"
    pre: Grid
    own: list[list[bool]]  # True where `pre` is the student's own value
    reference: Grid  # the reference pre-activation
    expected: Grid


def diagnose_cells(problem: Problem, answers: Answers, cells: Sequence[tuple[str, int, int]],
                   ) -> dict[tuple[str, int, int], Diagnosis | None]:
    """A diagnosis (or None) for each (matrix, row, column) asked for: what grading
    asks for its wrong cells, sharing the work of one matrix among its cells."""
    diagnoser = _Diagnoser(problem, answers)
    return {cell: diagnoser.cell(*cell) for cell in cells}


class _Diagnoser:
    """One problem and one set of answers; contexts are worked out once per matrix."""

    def __init__(self, problem: Problem, answers: Answers) -> None:
        self.problem = problem
        self.answers = answers
        self.solution = solve(problem).rows
        self._contexts: dict[str, _Affine | _Relu] = {}
        self._transposed: dict[str, bool] = {}

    def context(self, name: str) -> _Affine | _Relu:
        if name not in self._contexts:
            self._contexts[name] = self._build(name)
        return self._contexts[name]

    def _build(self, name: str) -> _Affine | _Relu:
        if name in RELU_OF:
            source = RELU_OF[name]
            reference = [list(row) for row in self.solution[source]]
            own = [[entry.value is not None for entry in row] for row in self.answers[source]]
            pre = [[ref if entry.value is None else entry.value
                    for entry, ref in zip(row, ref_row, strict=True)]
                   for row, ref_row in zip(self.answers[source], reference, strict=True)]
            return _Relu(source, pre, own, reference, [[max(v, 0) for v in row] for row in pre])
        if AFFINE[name].input == "h":
            own_h = whole_numbers(self.answers["h"])
            if own_h is not None and own_h != [list(row) for row in self.solution["h"]]:
                return _affine(self.problem, name, np.array(own_h, dtype=np.int64), "your h")
        return _reference_affine(self.problem, name)

    def whole_transposed(self, name: str) -> bool:
        if name not in self._transposed:
            grid = self.answers[name]
            square = len(grid) == len(grid[0])  # only a square matrix can be its own transpose's shape
            self._transposed[name] = square and self._equals_transposed(name)
        return self._transposed[name]

    def _equals_transposed(self, name: str) -> bool:
        values = whole_numbers(self.answers[name])
        expected = self.context(name).expected
        transposed = [list(col) for col in zip(*expected, strict=True)]
        return values is not None and values == transposed and values != expected

    def cell(self, name: str, i: int, j: int) -> Diagnosis | None:
        if name not in ANSWER_NAMES:
            raise ValueError(f"name must be one of {', '.join(ANSWER_NAMES)}.")
        value = self.answers[name][i][j].value
        if value is None:
            return None
        context = self.context(name)
        if value in (self.solution[name][i][j], context.expected[i][j]):
            return None
        if self.whole_transposed(name):
            return Diagnosis("transposed", (
                f"Your whole {name} is transposed: this cell holds the value that belongs"
                f" at row {j + 1}, column {i + 1}."))
        checks = _AFFINE_CHECKS if isinstance(context, _Affine) else _RELU_CHECKS
        for kind in KINDS:
            check = checks.get(kind)
            message = check(context, name, i, j, value) if check else None
            if message:
                return Diagnosis(kind, message)
        return None


def _affine(problem: Problem, name: str, inputs: np.ndarray, label: str) -> _Affine:
    w_name, b_name, input_name = AFFINE[name]
    weights, bias = getattr(problem, w_name), getattr(problem, b_name)
    return _Affine(w_name, weights.tolist(), b_name, bias.tolist(), input_name, label, inputs.tolist(),
                   layer(weights, inputs, bias).tolist())


@lru_cache(maxsize=1024)
def _reference_affine(problem: Problem, name: str) -> _Affine:
    """h_z, or y_z from the reference h: the same for every student of a problem."""
    input_name = AFFINE[name].input
    return _affine(problem, name, problem.X if input_name == "X" else solve(problem).h, input_name)


# Each check returns the message when its slip gives `value` at [i][j], else None.
# They are only called for a value that is not the expected one.

def _no_bias(c: _Affine, name: str, i: int, j: int, value: int) -> str | None:
    if value != _dot(c.weights[i], _column(c.inputs, j)):
        return None
    return f"You left out the bias {c.b_name}[{i + 1}] = {number(c.bias[i])}."


def _wrong_pair(c: _Affine, name: str, i: int, j: int, value: int) -> str | None:
    cells = [(k, m) for k, row in enumerate(c.expected) for m, other in enumerate(row)
             if other == value and (k, m) != (i, j)]
    if not cells:
        return None
    # The likeliest slips first: indices swapped, then one index wrong, then both.
    k, m = min(cells, key=lambda km: ((km[0], km[1]) != (j, i), (km[0] != i) + (km[1] != j), km))
    return (f"That is row {k + 1} of {c.w_name} times column {m + 1} of {c.input_label}:"
            f" this cell takes row {i + 1} with column {j + 1}.")


def _column_of_w(c: _Affine, name: str, i: int, j: int, value: int) -> str | None:
    if len(c.weights) != len(c.weights[0]):
        return None
    if value != _dot(_column(c.weights, i), _column(c.inputs, j)) + c.bias[i]:
        return None
    return (f"You used column {i + 1} of {c.w_name} instead of row {i + 1}: this cell takes"
            f" row {i + 1} of {c.w_name} with column {j + 1} of {c.input_label}.")


def _sign_slip(c: _Affine | _Relu, name: str, i: int, j: int, value: int) -> str | None:
    if value != -c.expected[i][j]:
        return None
    return "The size of the number is right but its sign is wrong."


def _off_by_one_term(c: _Affine, name: str, i: int, j: int, value: int) -> str | None:
    expected = c.expected[i][j]
    terms = [(t, w, x) for t, (w, x) in enumerate(zip(c.weights[i], _column(c.inputs, j), strict=True))]
    for change, how in ((-1, "You left out one product"), (1, "You counted one product twice")):
        for t, w, x in terms:
            if w * x != 0 and value == expected + change * w * x:
                return (f"{how}: {c.w_name}[{i + 1}][{t + 1}]·{c.input_label}[{t + 1}][{j + 1}]"
                        f" = {product(w, x)} = {number(w * x)}.")
    return None


def _pre_phrase(c: _Relu, i: int, j: int, show_value: bool) -> str:
    """ "your h_z is −3" or "h_z is positive" """
    pre = c.pre[i][j]
    # As with "your h" in y_z: "your" only where it tells the student something.
    whose = "your " if c.own[i][j] and pre != c.reference[i][j] else ""
    # The reference pre-activation is only spelled out when the student's number
    # already shows it, so the message never gives away an answer.
    what = number(pre) if show_value or c.own[i][j] else ("negative" if pre < 0 else "positive")
    return f"{whose}{c.source} is {what}"


def _relu_rule(pre: int) -> str:
    return "ReLU turns a negative number into 0" if pre < 0 else "ReLU keeps a positive number as it is"


def _relu_missed(c: _Relu, name: str, i: int, j: int, value: int) -> str | None:
    pre = c.pre[i][j]
    if not (pre < 0 and value == pre):
        return None
    return f"At this cell {_pre_phrase(c, i, j, True)}, and {_relu_rule(pre)}."


def _relu_wrong(c: _Relu, name: str, i: int, j: int, value: int) -> str | None:
    pre = c.pre[i][j]
    if pre > 0 and value == 0:
        return f"At this cell {_pre_phrase(c, i, j, False)}, and {_relu_rule(pre)}."
    if pre != 0 and value == -pre:
        return (f"ReLU does not flip the sign: at this cell {_pre_phrase(c, i, j, True)},"
                f" and {_relu_rule(pre)}.")
    return None


def _column(grid: Grid, j: int) -> list[int]:
    return [row[j] for row in grid]


def _dot(left: Sequence[int], right: Sequence[int]) -> int:
    return sum(a * b for a, b in zip(left, right, strict=True))


Check = Callable[..., str | None]
_AFFINE_CHECKS: dict[Kind, Check] = {
    "no_bias": _no_bias, "wrong_pair": _wrong_pair, "transposed": _column_of_w,
    "sign_slip": _sign_slip, "off_by_one_term": _off_by_one_term,
}
_RELU_CHECKS: dict[Kind, Check] = {
    "relu_missed": _relu_missed, "relu_wrong": _relu_wrong, "sign_slip": _sign_slip,
}

