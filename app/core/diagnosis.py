"""Naming the likely slip behind a wrong cell, and only when it is the likely one.

A cross says only that a cell is wrong. Most wrong cells worked by hand come
from a handful of slips, and each leaves a fingerprint in the number written.
But the numbers are small: some other cell, term or slip nearly always gives
the student's number too, by chance. So each explanation is weighed, as a
tutor would: by how often students make that slip (`PRIORS`, the error model
the README describes) times how likely the slip is to give exactly this number
(its likelihood: a deterministic slip gives one number; "another cell's
value" is as likely as the share of other cells holding it; an adding slip
falls off with the distance). A slip is named only when it carries at least
`NAME_AT` of the weight; otherwise the message says nothing it cannot stand by.

The explanations (`Kind`):

* ``arithmetic``: the right row and column, the sum off by a little. The
  commonest slip of all; its message points to the working, not to a concept.
  A product left out or counted twice is a slip of the same family (the row
  and column were right, the adding up was not), so when the two together
  outweigh the rest but neither alone does, the cell is named ``arithmetic``.
* ``no_bias``: the dot product without the bias.
* ``wrong_pair``: another cell's value (in h_z and y_z): the row of W and the
  column of the input that were multiplied do not meet at this cell.
* ``transposed``: (a) the student's whole matrix is the right one transposed,
  or (b) in h_z and y_z, column i of W was used instead of row i.
* ``relu_missed``: in h and y, a negative pre-activation kept instead of 0.
* ``relu_wrong``: in h and y, a positive pre-activation set to 0, or the
  pre-activation with its sign flipped.
* ``sign_slip``: the right magnitude with the wrong sign.
* ``off_by_one_term``: exactly one product of the dot product left out or
  counted twice.
* and "none of these": a number the slips do not explain (never named).

What "right" means here is what grading means by it, so a diagnosis never
contradicts the mark beside it:

* h_z is W1 · X + b1.
* y_z is W2 · h + b2 with the student's own h when every cell of it holds a
  whole number (as grading does for error carried forward), else with the
  reference h. Messages say "your h" when the student's h is used and differs
  from the reference.
* h and y are ReLU of the student's own h_z / y_z cell when it holds a whole
  number, else of the reference cell ("your h_z" in messages when that
  differs from the reference). Only ReLU slips, copying slips (as adding
  slips) and a whole transposed matrix are looked for there: any other slip
  belongs to the pre-activation. A reference pre-activation is never spelled
  out unless the student's number already shows it ("h_z is positive").

Messages count rows and columns from 1, in words ("row 2 of W1", "b1's 2nd
entry"), never with bracket indices, so they read the same beside the grid
and the NumPy view; a message never gives away the cell's answer.

Decisions:

* A whole transposed matrix (a) is named before anything else: one whole
  matrix is stronger evidence than a coincidence in one number. It needs a
  square matrix and every cell filled in with a whole number.
* (b) is only defined when W is square (W1: hidden = inputs; W2: outputs = hidden).
* ``wrong_pair``: a slip of one index is likelier than of both, and the mirror
  cell (indices swapped) likeliest (`PAIR_WEIGHTS`); the message names the
  likeliest of the cells that hold the student's number.
* In h and y a sign slip is always also a ReLU sign flip: ``relu_wrong``.
* In h and y a negative number is no copying slip (ReLU never gives one), so a
  negative pre-activation kept is named ``relu_missed`` however small it is.
* A cell that is right, or that follows from the student's earlier matrix
  (carried forward), or holds no whole number, is never diagnosed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, cast, get_args

import numpy as np

from .answers import Answers
from .parsing import whole_numbers
from .problem import AFFINE, ANSWER_NAMES, RELU_OF, Problem, layer, solve
from .wording import number, ordinal, product

Kind = Literal["arithmetic", "no_bias", "wrong_pair", "transposed", "relu_missed", "relu_wrong",
               "sign_slip", "off_by_one_term"]
KINDS: tuple[Kind, ...] = ("arithmetic", "no_bias", "wrong_pair", "transposed", "relu_missed",
                           "relu_wrong", "sign_slip", "off_by_one_term")
assert KINDS == get_args(Kind)

OTHER = "other"  # a number none of the slips explains
# How often each slip is the cause of a wrong cell worked by hand: the share of
# wrong cells, in a pre-activation (h_z, y_z) and in an activation (h, y).
# The README's error model; tests/student_model.py simulates students by it.
PRIORS: dict[str, dict[str, float]] = {
    "affine": {"arithmetic": 0.52, "no_bias": 0.15, "wrong_pair": 0.10, "off_by_one_term": 0.10,
               "sign_slip": 0.06, "transposed": 0.04, OTHER: 0.03},
    "relu": {"relu_missed": 0.45, "relu_wrong": 0.20, "arithmetic": 0.32, OTHER: 0.03},
}
# An adding (or copying) slip is off by 1, 2 or 3, either way, this often.
ADDING_SLIPS = {1: 0.30, 2: 0.15, 3: 0.05}
NAME_AT = 0.93  # the share of the weight a slip needs before it is named
OTHER_LIKELIHOOD = 1 / 41  # "none of these": any number within −20..20, about
# A slip of one index (same row or same column) is likelier than of both; the
# mirror cell, indices swapped, likeliest.
PAIR_WEIGHTS = {"mirror": 3, "one index": 2, "both": 1}
ARITHMETIC_MESSAGE = ("Not right, but close: this looks like a slip in the arithmetic."
                      " Check each product and the sum again, or show the working.")


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
        if isinstance(context, _Affine):
            return _weigh(_affine_explanations(context, i, j, value), PRIORS["affine"],
                          self.rest_of_row_apart(name, context, i, j))
        return _weigh(_relu_explanations(context, i, j, value), PRIORS["relu"])

    def rest_of_row_apart(self, name: str, context: _Affine, i: int, j: int) -> float:
        """1, unless the student typed two or more cells of row i and every one is off by
        exactly the row's bias: one bias left out explains them all at once, where any
        other account needs a slip of its own in each of the row's other cells. Then how
        likely those other cells' numbers are, each explained apart (the product of
        their weights without the left-out bias)."""
        bias = context.bias[i]
        typed = [(m, entry.value) for m, entry in enumerate(self.answers[name][i]) if entry.value is not None]
        if bias == 0 or len(typed) < 2 or any(value != context.expected[i][m] - bias for m, value in typed):
            return 1.0
        apart = 1.0
        for m, value in typed:
            if m != j:
                apart *= _weight_apart(_affine_explanations(context, i, m, value), PRIORS["affine"])
        return apart


# An explanation of a wrong number: its kind, how likely that slip is to give
# exactly this number, and the sentence that names it.
Explanation = tuple[Kind, float, str]


def _weigh(found: list[Explanation], priors: dict[str, float], apart: float = 1.0) -> Diagnosis | None:
    """The explanation that carries at least NAME_AT of the weight, or None
    (with the adding-up family counted together as ``arithmetic``). `apart`: for a
    cell whose whole row is without its bias, how likely the row's other numbers
    are without that one slip (_Diagnoser.rest_of_row_apart): every explanation but
    the left-out bias needs them too."""
    weights = {OTHER: priors[OTHER] * OTHER_LIKELIHOOD * apart}
    messages: dict[str, str] = {}
    for kind, likelihood, message in found:
        if likelihood > 0:
            alone = 1.0 if kind == "no_bias" else apart  # the rest of the row explained apart
            weights[kind] = weights.get(kind, 0.0) + priors[kind] * likelihood * alone
            messages.setdefault(kind, message)
    total = sum(weights.values())
    best = max(weights, key=lambda kind: weights[kind])
    if best != OTHER and weights[best] >= NAME_AT * total:
        return Diagnosis(cast(Kind, best), messages[best])
    adding_up = weights.get("arithmetic", 0.0) + weights.get("off_by_one_term", 0.0)
    if "arithmetic" in messages and adding_up >= NAME_AT * total:
        return Diagnosis("arithmetic", messages["arithmetic"])
    return None


def _weight_apart(found: list[Explanation], priors: dict[str, float]) -> float:
    """How likely a wrong number is by any slip but a left-out bias (the weights _weigh adds up)."""
    return priors[OTHER] * OTHER_LIKELIHOOD + sum(
        priors[kind] * likelihood for kind, likelihood, _ in found if kind != "no_bias")


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


def _arithmetic(expected: int, value: int) -> float:
    """How likely an adding (or copying) slip is to give `value` (ADDING_SLIPS)."""
    return ADDING_SLIPS.get(abs(value - expected), 0.0)


def _affine_explanations(c: _Affine, i: int, j: int, value: int) -> list[Explanation]:
    expected, row, column = c.expected[i][j], c.weights[i], _column(c.inputs, j)
    found: list[Explanation] = [("arithmetic", _arithmetic(expected, value), ARITHMETIC_MESSAGE)]
    bias = c.bias[i]
    if bias != 0 and value == expected - bias:
        found.append(("no_bias", 1.0, f"You left out the bias, {c.b_name}'s {ordinal(i + 1)} entry"
                                      f" ({number(bias)})."))
    found += _wrong_pair(c, i, j, value)
    if len(c.weights) == len(c.weights[0]) and value == _dot(_column(c.weights, i), column) + bias:
        found.append(("transposed", 1.0, (
            f"You used column {i + 1} of {c.w_name} instead of row {i + 1}: this cell takes"
            f" row {i + 1} of {c.w_name} with column {j + 1} of {c.input_label}.")))
    if expected != 0 and value == -expected:
        found.append(("sign_slip", 1.0, "The size of the number is right but its sign is wrong."))
    products = [(t, w, x) for t, (w, x) in enumerate(zip(row, column, strict=True)) if w * x != 0]
    for change, how in ((-1, "You left out one product"), (1, "You counted one product twice")):
        for t, w, x in products:
            if value == expected + change * w * x:
                found.append(("off_by_one_term", 1 / (2 * len(products)), (
                    f"{how}: {product(w, x)}, the {ordinal(t + 1)} product of row {i + 1} of"
                    f" {c.w_name} and column {j + 1} of {c.input_label}.")))
    return found


def _wrong_pair(c: _Affine, i: int, j: int, value: int) -> list[Explanation]:
    """Another cell's value: as likely as the (weighted) share of other cells that hold it."""
    weighed = []
    for k, row in enumerate(c.expected):
        for m, other in enumerate(row):
            if (k, m) != (i, j):
                kind = "mirror" if (k, m) == (j, i) else "one index" if k == i or m == j else "both"
                weighed.append((PAIR_WEIGHTS[kind], k, m, other))
    matches = [(weight, k, m) for weight, k, m, other in weighed if other == value]
    if not matches:
        return []
    weight, k, m = max(matches, key=lambda found: (found[0], -found[1], -found[2]))
    # The other cell's value holds its own row's bias: say so, or the sum named is off by it.
    bias = f" plus {c.b_name}'s {ordinal(k + 1)} entry" if c.bias[k] else ""
    return [("wrong_pair", sum(w for w, _, _ in matches) / sum(w for w, *_ in weighed), (
        f"That is row {k + 1} of {c.w_name} times column {m + 1} of {c.input_label}{bias}:"
        f" this cell takes row {i + 1} with column {j + 1}."))]


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


def _relu_explanations(c: _Relu, i: int, j: int, value: int) -> list[Explanation]:
    pre, expected = c.pre[i][j], c.expected[i][j]
    # ReLU never gives a negative number, so a negative one is no copying slip of a
    # ReLU output: ReLU was left out, whatever else happened.
    found: list[Explanation] = [("arithmetic", _arithmetic(expected, value) if value >= 0 else 0.0, (
        f"Not right, but close: copy {c.source}'s number at this place again, then apply ReLU."))]
    if pre < 0 and value == pre:
        found.append(("relu_missed", 1.0,
                      f"At this cell {_pre_phrase(c, i, j, True)}, and {_relu_rule(pre)}."))
    if pre > 0 and value == 0:
        found.append(("relu_wrong", 1.0,
                      f"At this cell {_pre_phrase(c, i, j, False)}, and {_relu_rule(pre)}."))
    elif pre != 0 and value == -pre:
        found.append(("relu_wrong", 1.0, (f"ReLU does not flip the sign: at this cell"
                                           f" {_pre_phrase(c, i, j, True)}, and {_relu_rule(pre)}.")))
    return found


def _column(grid: Grid, j: int) -> list[int]:
    return [row[j] for row in grid]


def _dot(left: Sequence[int], right: Sequence[int]) -> int:
    return sum(a * b for a, b in zip(left, right, strict=True))
