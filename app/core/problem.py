"""The problem, its sizes and limits, and the one NumPy reference that solves it.

A problem is the five given matrices of a two-layer network applied to a batch:
X is features x batch (its columns are x1, x2, ...), and

    h_z = W1 @ X + b1,  h = ReLU(h_z),  y_z = W2 @ h + b2,  y = ReLU(y_z)

with each bias added to every column. `solve` is the only place where this is
computed; the grader, the API and the pages all take their answers from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

import numpy as np

from .wording import count, short

MIN_SIZE = 1
MAX_SIZE = 6
# Custom (typed-in) problems may use any integer in this range.
MIN_VALUE = -99
MAX_VALUE = 99

# The four matrices a student fills in, in the order they are worked out.
ANSWER_NAMES = ("h_z", "h", "y_z", "y")
GIVEN_NAMES = ("W1", "b1", "W2", "b2", "X")
DIMENSIONS = ("inputs", "hidden", "outputs", "batch")


class Affine(NamedTuple):
    """What a pre-activation is made of: weights · input + bias, by matrix name."""

    weights: str
    bias: str
    input: str


# The network's wiring, as `solve` computes it: which matrices make each
# pre-activation, which pre-activation each activation is ReLU of, and so which
# matrix each later answer is worked from (what error carried forward follows).
AFFINE = {"h_z": Affine("W1", "b1", "X"), "y_z": Affine("W2", "b2", "h")}
RELU_OF = {"h": "h_z", "y": "y_z"}
SOURCE = {"h": RELU_OF["h"], "y_z": AFFINE["y_z"].input, "y": RELU_OF["y"]}


class ProblemError(ValueError):
    """A problem or a size that breaks a rule; the message is for people."""


@dataclass(frozen=True)
class Sizes:
    inputs: int
    hidden: int
    outputs: int
    batch: int

    def __post_init__(self) -> None:
        for name in DIMENSIONS:
            value = getattr(self, name)
            if type(value) is not int:  # bool is an int subclass; reject it too
                raise ProblemError(f"{name} must be a whole number from {MIN_SIZE} to {MAX_SIZE}.")
            if not MIN_SIZE <= value <= MAX_SIZE:
                raise ProblemError(
                    f"{name} must be from {MIN_SIZE} to {MAX_SIZE}, not {short(value)}."
                )

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in DIMENSIONS}

    def answer_shape(self, name: str) -> tuple[int, int]:
        """Rows x columns of one of the matrices a student fills in."""
        rows = self.hidden if name in ("h_z", "h") else self.outputs
        return rows, self.batch

    def answer_cells(self) -> int:
        return 2 * (self.hidden + self.outputs) * self.batch


@dataclass(frozen=True, eq=False)
class Problem:
    """The given matrices, as read-only int64 arrays (b1 and b2 are 1-D)."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    X: np.ndarray

    def __post_init__(self) -> None:
        for name in GIVEN_NAMES:
            array = np.array(getattr(self, name), dtype=np.int64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @cached_property
    def sizes(self) -> Sizes:
        hidden, inputs = self.W1.shape
        return Sizes(inputs=inputs, hidden=hidden, outputs=self.W2.shape[0], batch=self.X.shape[1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, name), getattr(other, name)) for name in GIVEN_NAMES
        )

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # Worked out once: `solve` and the code cache look a problem up on every request.
        return hash(tuple(getattr(self, name).tobytes() for name in GIVEN_NAMES))

    def as_lists(self) -> dict[str, list[Any]]:
        return {name: getattr(self, name).tolist() for name in GIVEN_NAMES}


@dataclass(frozen=True)
class Solution:
    h_z: np.ndarray
    h: np.ndarray
    y_z: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        for name in ANSWER_NAMES:
            getattr(self, name).setflags(write=False)

    def __getitem__(self, name: str) -> np.ndarray:
        answer: np.ndarray = getattr(self, name)
        return answer

    def as_lists(self) -> dict[str, list[Any]]:
        return {name: self[name].tolist() for name in ANSWER_NAMES}

    @cached_property
    def rows(self) -> dict[str, tuple[tuple[int, ...], ...]]:
        """The answers as rows of plain ints, made once: grading compares cell by
        cell, and a Python int compares faster than a NumPy element."""
        return {name: tuple(map(tuple, self[name].tolist())) for name in ANSWER_NAMES}


def relu(values: np.ndarray) -> np.ndarray:
    activated: np.ndarray = np.maximum(values, 0)
    return activated


def layer(weights: np.ndarray, inputs: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One pre-activation: every column of `inputs` through [weights | bias]."""
    pre_activation: np.ndarray = weights @ inputs + bias[:, None]
    return pre_activation


@lru_cache(maxsize=4096)
def solve(problem: Problem) -> Solution:
    """The NumPy reference: every answer the app marks against comes from here.
    Remembered per problem (problems are immutable, the answers read-only):
    a class checks the same problems over and over."""
    h_z = layer(problem.W1, problem.X, problem.b1)
    h = relu(h_z)
    y_z = layer(problem.W2, h, problem.b2)
    return Solution(h_z=h_z, h=h, y_z=y_z, y=relu(y_z))


def problem_from_lists(data: Mapping[str, object]) -> Problem:
    """Build a custom problem from nested lists, with plain messages for every mistake.

    Shapes are checked against each other the way a student would meet them:
    W1's columns against X's rows, b1 against W1's rows, W2's columns against h.
    """
    arrays = {}
    for name in GIVEN_NAMES:
        if name not in data:
            raise ProblemError(f"{name} is missing.")
        arrays[name] = _integer_array(name, data[name], ndim=1 if name.startswith("b") else 2)
    W1, b1, W2, b2, X = (arrays[name] for name in GIVEN_NAMES)
    features, batch = X.shape
    hidden, w1_cols = W1.shape
    outputs, w2_cols = W2.shape
    if w1_cols != features:
        raise ProblemError(f"W1 has {count(w1_cols, 'column')} but X has {count(features, 'row')}.")
    if b1.shape[0] != hidden:
        raise ProblemError(f"b1 has {count(b1.shape[0], 'entry')} but W1 has {count(hidden, 'row')}.")
    if w2_cols != hidden:
        raise ProblemError(f"W2 has {count(w2_cols, 'column')} but h has {count(hidden, 'row')}.")
    if b2.shape[0] != outputs:
        raise ProblemError(f"b2 has {count(b2.shape[0], 'entry')} but W2 has {count(outputs, 'row')}.")
    Sizes(inputs=features, hidden=hidden, outputs=outputs, batch=batch)
    return Problem(**arrays)


def _integer_array(name: str, value: object, ndim: int) -> np.ndarray:
    kind = "a list of numbers" if ndim == 1 else "a list of rows"
    if not isinstance(value, list) or not value:
        raise ProblemError(f"{name} must be {kind}.")
    if len(value) > MAX_SIZE:
        unit = "entries" if ndim == 1 else "rows"
        raise ProblemError(f"{name} has {len(value)} {unit}; the most is {MAX_SIZE}.")
    rows = [value] if ndim == 1 else value
    width = None
    for row in rows:
        if not isinstance(row, list) or not row:
            raise ProblemError(f"{name} must be {kind}, each row a list of numbers.")
        if len(row) > MAX_SIZE:
            raise ProblemError(f"{name} has a row of {len(row)} numbers; the most is {MAX_SIZE}.")
        if width is not None and len(row) != width:
            raise ProblemError(f"{name} has rows of different lengths.")
        width = len(row)
        for entry in row:
            if type(entry) is float and entry.is_integer():
                entry = int(entry)
            if type(entry) is not int:
                raise ProblemError(f"{name} must hold whole numbers only.")
            if not MIN_VALUE <= entry <= MAX_VALUE:
                raise ProblemError(f"{name} holds {short(entry)}; values go from {MIN_VALUE} to {MAX_VALUE}.")
    array = np.array(rows, dtype=np.int64)
    return array[0] if ndim == 1 else array
