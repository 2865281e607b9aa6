"""Reading back what a student's script printed: the four answer matrices.

A student who ran the problem's script (or their own) pastes its whole output
into the Code view, and the page fills the four grids and checks them. The
output is NumPy's own print format with labels, as the script prints it::

    h_z =
    [[ 1  2  2]
     [ 5  3  1]]

but a student's own script may label and space things differently:
``h_z: [[1 2 2] [5 3 1]]``, ``print("hz", hz)``, ``h_z=array([[1, 2, 2], ...])``
(from ``print(f"{h_z=}")``), floats (``[[ 1.  2.]]``), other matrices printed
too (W1, x_batch), or no labels at all. So the reader finds each bracketed
matrix, takes the words just before it as its label, and names it by that
label (h_z, hz, z1, pre-activation... see LABELS); matrices left unnamed are
given, in order, the answers nobody named, when their shape fits. The rows
and values are read by the rules of matrixtext and parsing, so a value that is
not a whole number comes back as an entry that grading marks invalid.

What could not be read is named in a message, matrix by matrix, and the
matrices that were read are filled in all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .answers import Answers, blank_answers
from .matrixtext import rows_of
from .parsing import parse
from .problem import ANSWER_NAMES, GIVEN_NAMES, Sizes
from .wording import count

MAX_OUTPUT = 20_000  # characters of pasted output: four 6 x 6 matrices print in under 1,000

# Words that name each answer in a label, lower-case, as students and textbooks write them.
LABELS = {
    "h_z": ("h_z", "hz", "z1", "z_1", "z", "h_pre", "pre_activation", "preactivation", "hidden_pre"),
    "h": ("h", "h1", "h_1", "a1", "a_1", "hidden", "relu_h_z"),
    "y_z": ("y_z", "yz", "z2", "z_2", "y_pre", "output_pre", "logits"),
    "y": ("y", "y_hat", "yhat", "a2", "a_2", "output", "out", "relu_y_z"),
}
# Matrices a script may print besides the answers: read, then left out.
OTHERS = ({name.lower() for name in GIVEN_NAMES} | {"x", "x_batch", "xbatch", "inputs", "w", "b"}
          | {f"x{j}" for j in range(1, 7)})
_WORD = {word: name for name, words in LABELS.items() for word in words} | dict.fromkeys(OTHERS, "")
_TOKEN = re.compile(r"[a-z][a-z0-9_]*")


@dataclass
class Reading:
    """The answers read from output (blank where a matrix was not read), which
    matrices were read, and one sentence per matrix that could not be."""

    answers: Answers
    read: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.problems:
            return ""
        if not self.read:
            return "Nothing could be read. " + " ".join(self.problems)
        return f"Read {_and(self.read)}. " + " ".join(self.problems)


def matrices(text: str) -> list[tuple[str, str]]:
    """(label, bracketed text) of every top-level [...] in the output, in order;
    the label is the text between the previous matrix and this one."""
    found, depth, start, label_start = [], 0, 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0:
                found.append((text[label_start:start], text[start:i + 1]))
                label_start = i + 1
    return found


def name_of(label: str) -> str | None:
    """The answer a label names ("" for another matrix), or None when it names none.
    The nearest line that names anything decides, and in it the first word that does:
    "h = ReLU(h_z) =" is h."""
    lines = [line for line in label.lower().replace("array(", " ").splitlines() if line.strip()]
    for line in reversed(lines):
        for word in _TOKEN.findall(line):
            if word in _WORD:
                return _WORD[word]
    return None


def read_output(text: str, sizes: Sizes) -> Reading:
    answers = blank_answers(sizes)
    if len(text) > MAX_OUTPUT:
        return Reading(answers, problems=[
            f"The output is too long: paste at most {MAX_OUTPUT:,} characters."])
    found = matrices(text)
    if not found:
        return Reading(answers, problems=[
            "There is no matrix in it: paste what the script printed, brackets and all."])
    named: dict[str, str] = {}
    unnamed: list[str] = []
    for label, body in found:
        name = name_of(label)
        if name is None:
            unnamed.append(body)
        elif name and name not in named:
            named[name] = body
    # Matrices without a label stand, in order, for the answers nobody named, where they fit.
    for name in ANSWER_NAMES:
        shape = sizes.answer_shape(name)
        fitting = next((i for i, body in enumerate(unnamed) if _shape(body) == shape), None)
        if name not in named and fitting is not None:
            named[name] = unnamed[fitting]
            del unnamed[: fitting + 1]
    reading = Reading(answers)
    for name in ANSWER_NAMES:
        if name not in named:
            reading.problems.append(f"No matrix labelled {name} was found.")
            continue
        problem = _fill(reading.answers, name, named[name], sizes)
        if problem:
            reading.problems.append(problem)
        else:
            reading.read.append(name)
    return reading


def _shape(body: str) -> tuple[int, int] | None:
    """(rows, columns) of a printed matrix, None when its rows differ in length."""
    rows = rows_of(body)
    widths = {len(row) for row in rows}
    return (len(rows), widths.pop()) if len(widths) == 1 else None


def _fill(answers: Answers, name: str, body: str, sizes: Sizes) -> str | None:
    rows = rows_of(body)
    want_rows, want_cols = sizes.answer_shape(name)
    if _shape(body) != (want_rows, want_cols):
        widths = {len(row) for row in rows}
        got = count(len(rows), "row") + (f" of {count(widths.pop(), 'number')}" if len(widths) == 1
                                         else " of different lengths")
        return (f"{name} could not be read: it has {got}, and {name} here is "
                f"{count(want_rows, 'row')} of {count(want_cols, 'number')}.")
    answers[name] = [[parse(value) for value in row] for row in rows]
    return None


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
