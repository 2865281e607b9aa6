"""Checking a student's forward pass in NumPy by reading it, never by running it.

Fill-in-the-code shows the script's forward pass with blanks::

    h_z = np.dot(___, ___) + ___
    h = np.maximum(___, ___)

and the student types an expression into each blank, or writes the line their
own way. codereading.py reads the text into a canonical term (terms.py)
without running anything; here each line is compared with the reference line,
read by the same reader, so the equivalent forms students write are all right:
``W1 @ x_batch``, ``np.dot(W1, x_batch)``, ``np.matmul(W1, x_batch)``;
``b1[:, None]``, ``b1.reshape(-1, 1)``; ``np.maximum(h_z, 0)``,
``h_z * (h_z > 0)``, ``np.clip(h_z, 0, None)``. A line may also use an
earlier line's expression in place of its name (h as ``np.maximum(W1 @ x_batch
+ b1[:, None], 0)``): earlier names are expanded before comparing.

A wrong line is compared with the usual slips, each built as the term it would
give, so the message can name it: the transposed product, a forgotten bias, a
bias added with the wrong shape (and why NumPy broadcasts it wrongly), ReLU on
the wrong matrix or left out. Marks have the grids' statuses and shape.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from .codereading import BLANK, MAX_TEXT, CodeRefused, Reader, Unreadable, parse, screen
from .problem import Sizes
from .terms import Shape, Term, add, contains, matmul, names_in, rebuild, relu, row, transpose
from .terms import column as as_column
from .terms import name as name_term
from .wording import count

__all__ = ["BLANK", "BY_NAME", "STEPS", "CodeRefused", "LineMark", "Step", "answers_from_form", "check_lines",
           "blank_field", "own_field", "summary"]

Status = Literal["correct", "wrong", "invalid", "blank"]
Slip = Literal["transposed_product", "no_bias", "bias_shape", "relu_wrong_matrix", "relu_missing",
               "wrong_matrix", "numpy_error"]
SLIPS: tuple[Slip, ...] = get_args(Slip)


@dataclass(frozen=True)
class Step:
    """One line of the forward pass: its name, its blanks, and the reference answer."""

    name: str
    template: str  # the line's right-hand side with a BLANK for each blank
    answer: str  # the reference right-hand side, as the script writes it
    explanation: str  # what the line does, for the notebook and the page

    @property
    def blanks(self) -> int:
        return self.template.count(BLANK)

    def filled(self, blanks: Sequence[str]) -> str:
        """The template with each blank's text in place (in brackets, which change nothing)."""
        parts = self.template.split(BLANK)
        text = parts[0]
        for blank, part in zip(blanks, parts[1:], strict=True):
            text += f"({blank})" + part
        return text


STEPS = (
    Step("h_z", "np.dot(___, ___) + ___", "np.dot(W1, x_batch) + b1[:, None]",
         "Layer 1: every column of `x_batch` goes through the weights `W1`, and the bias `b1` is "
         "added to every column. `b1[:, None]` makes `b1` a column, so that entry i goes to row i."),
    Step("h", "np.maximum(___, ___)", "np.maximum(h_z, 0)",
         "ReLU: every negative entry of `h_z` becomes 0; the others stay as they are."),
    Step("y_z", "np.dot(___, ___) + ___", "np.dot(W2, h) + b2[:, None]",
         "Layer 2: the same with `W2` and `b2`, worked from `h`, the output of layer 1."),
    Step("y", "np.maximum(___, ___)", "np.maximum(y_z, 0)",
         "ReLU again: the network's output."),
)
BY_NAME = {step.name: step for step in STEPS}


@dataclass(frozen=True)
class LineMark:
    """A line's status and the sentence shown beside it, as a grid cell's mark."""

    status: Status
    message: str
    diagnosis: Slip | None = None


CORRECT = LineMark("correct", "Correct.")
NOT_FILLED = LineMark("blank", "Not filled in yet.")


# "h_z = ..." typed whole: the line's own name may come along.
OWN_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")
Answer = str | Sequence[str] | None  # the whole right-hand side, the blanks' texts, or nothing


class Checker:
    """Marks the lines of one problem's forward pass (only its sizes matter)."""

    def __init__(self, sizes: Sizes) -> None:
        self.reader = Reader(sizes)
        self.shapes = self.reader.shapes
        self.reference = {step.name: self.reader.term(parse(step.answer)) for step in STEPS}

    def text_of(self, step: Step, answer: Answer) -> str | None:
        """The line's right-hand side as one text, or None when nothing was typed.
        Refuses (CodeRefused) what has no business in a blank."""
        if answer is None:
            return None
        if isinstance(answer, str):
            screen(answer)
            own = OWN_LINE.match(answer)
            if own:  # "h_z = ..." typed whole: the line's own name may come along
                if own.group(1) != step.name:
                    raise Unreadable(f"This line works out {step.name}, not {own.group(1)[:20]}.")
                answer = answer[own.end():]
            return answer if answer.strip() else None
        if len(answer) != step.blanks or not all(isinstance(blank, str) for blank in answer):
            raise CodeRefused(f"{step.name} has {count(step.blanks, 'blank')}: send as many strings.")
        for blank in answer:
            screen(blank)
        if not any(blank.strip() for blank in answer):
            return None
        if not all(blank.strip() for blank in answer):
            return step.filled([blank if blank.strip() else BLANK for blank in answer])
        return step.filled(answer)

    def mark(self, step: Step, answer: Answer) -> LineMark:
        try:
            text = self.text_of(step, answer)
            if text is None:
                return NOT_FILLED
            tree = parse(text, limit=MAX_TEXT * (step.blanks + 1))
            if BLANK in ast.dump(tree):
                return LineMark("blank", "Fill in every blank of this line.")
            term = self.reader.term(tree)
        except Unreadable as error:
            return LineMark("invalid", str(error))
        return self._judge(step, term)

    def expand(self, term: Term, upto: str) -> Term:
        """`term` with the names of earlier lines replaced by their reference
        definitions (h by ReLU of h_z, and so on), so inlined forms compare equal."""
        earlier = [step.name for step in STEPS][: [step.name for step in STEPS].index(upto)]
        return self._expand(term, set(earlier))

    def _expand(self, term: Term, earlier: set[str]) -> Term:
        if term.op == "name":
            return self._expand(self.reference[term.label], earlier) if term.label in earlier else term
        if not term.parts:
            return term
        return rebuild(term, tuple(self._expand(part, earlier) for part in term.parts))

    def _judge(self, step: Step, term: Term) -> LineMark:
        got = self.expand(term, step.name)
        if got == self.expand(self.reference[step.name], step.name):
            return CORRECT
        slips = self._slips(step)
        # As written first (np.maximum(h, 0) is "ReLU of h"), then with earlier lines inlined.
        for variant, mark in slips:
            if term == variant:
                return mark
        for variant, mark in slips:
            if got == self.expand(variant, step.name):
                return mark
        order = [s.name for s in STEPS]
        later = order[order.index(step.name):]
        used = [label for label in later if label in names_in(term)]
        if used:
            why = "what this line works out" if used[0] == step.name else f"worked out after {step.name}"
            return LineMark("wrong", f"This line uses {used[0]}, {why}.", "wrong_matrix")
        foreign = sorted(names_in(term) & FOREIGN.get(step.name, set()))
        if foreign:
            return LineMark("wrong", f"{step.name} is worked from {', '.join(AFFINE_PARTS['h_z'])}; "
                            f"this line uses {foreign[0]}.", "wrong_matrix")
        if step.name in AFFINE_PARTS:
            weights, inputs, _ = (self._name(part) for part in AFFINE_PARTS[step.name])
            backwards = (matmul(inputs, weights), matmul(transpose(inputs), transpose(weights)),
                         matmul(transpose(weights), inputs), matmul(weights, transpose(inputs)))
            if any(contains(term, product) for product in backwards):
                return self._transposed(step)
        if got.shape is None:
            return LineMark("wrong", "NumPy would stop with an error here: the shapes do not fit together. "
                            + self._note(step), "numpy_error")
        if got.shape != self.shapes[step.name]:
            return LineMark("wrong", f"This gives a matrix of shape {_shape(got.shape)}; "
                            f"{step.name} is {_shape(self.shapes[step.name])}. " + self._note(step),
                            "wrong_matrix")
        return LineMark("wrong", f"This does not give {step.name}. " + self._note(step))

    def _name(self, label: str) -> Term:
        return name_term(label, self.shapes[label])

    def _slips(self, step: Step) -> list[tuple[Term, LineMark]]:
        """The usual slips of a line, each as the term it gives and the mark that names it."""
        if step.name in AFFINE_PARTS:
            w, x, b = (self._name(part) for part in AFFINE_PARTS[step.name])
            wn, xn, bn = AFFINE_PARTS[step.name]
            rows, batch = self.shapes[step.name]
            slips = [
                (add(transpose(matmul(w, x)), row(b)), self._transposed(step)),
                (matmul(w, x), LineMark("wrong", f"The bias {bn} is missing: add it as a column, "
                                        f"{bn}[:, None].", "no_bias")),
                (add(matmul(w, x), b), LineMark("wrong", _bias_shape(bn, rows, batch), "bias_shape")),
                (add(matmul(w, x), row(b)), LineMark("wrong", _bias_shape(bn, rows, batch), "bias_shape")),
            ]
            if step.name == "y_z":
                slips.append((add(matmul(w, self._name("h_z")), as_column(b)), LineMark(
                    "wrong", "y_z is worked from h = ReLU(h_z), not from h_z: the ReLU is skipped.",
                    "wrong_matrix")))
                slips.append((add(matmul(w, self._name("x_batch")), as_column(b)), LineMark(
                    "wrong", "y_z is worked from h, the output of layer 1, not from x_batch.",
                    "wrong_matrix")))
            return slips
        source = "h_z" if step.name == "h" else "y_z"
        slips = [(self._name(source), LineMark(
            "wrong", f"{step.name} is ReLU of {source}: this line copies {source} without the ReLU, "
            "so its negative entries stay.", "relu_missing"))]
        for other in ("x_batch", "h_z", "h", "y_z"):
            if other != source and other in self.shapes and other not in (step.name,):
                slips.append((relu(self._name(other)), LineMark(
                    "wrong", f"ReLU of the wrong matrix: {step.name} is ReLU of {source}, not of {other}.",
                    "relu_wrong_matrix")))
        w, x, _ = (self._name(part) for part in AFFINE_PARTS[source])
        slips.append((relu(matmul(w, x)), LineMark(
            "wrong", f"ReLU of the wrong matrix: {step.name} is ReLU of {source}, and {source} has the bias "
            "in it; here the ReLU comes before the bias is added.", "relu_wrong_matrix")))
        return slips

    def _transposed(self, step: Step) -> LineMark:
        w, x, _ = AFFINE_PARTS[step.name]
        rows, batch = self.shapes[step.name]
        return LineMark("wrong", (
            f"The product is transposed or the wrong way round: {step.name} is {w} @ {x}, so that row i "
            f"of {w} meets column j of {x} at row i, column j ({_shape(self.shapes[w])} @ "
            f"{_shape(self.shapes[x])} gives {_shape((rows, batch))})."), "transposed_product")

    def _note(self, step: Step) -> str:
        if step.name in AFFINE_PARTS:
            w, x, b = AFFINE_PARTS[step.name]
            return (f"It is {w} {_shape(self.shapes[w])} @ {x} {_shape(self.shapes[x])} plus {b} "
                    f"{_shape(self.shapes[b])} as a column.")
        source = "h_z" if step.name == "h" else "y_z"
        return f"It is ReLU of {source}: every negative entry becomes 0."


# (weights, input, bias) of each affine line, as the script names them.
AFFINE_PARTS = {"h_z": ("W1", "x_batch", "b1"), "y_z": ("W2", "h", "b2")}
# Names that have no place in a line, however it is written.
FOREIGN = {"h_z": {"W2", "b2"}, "h": {"W2", "b2"}}


def _bias_shape(bias: str, rows: int, batch: int) -> str:
    start = (f"{bias} has shape ({rows},): NumPy lines a 1-D array up with the last axis of the "
             f"({rows}, {batch}) product, so it would add {bias}[j] to column j, not {bias}[i] to row i. ")
    if rows == batch:
        middle = (f"Here both are {rows} long, so NumPy adds it without a word and the columns get "
                  "the wrong bias. ")
    else:
        middle = (f"Here {rows} ≠ {batch}, so NumPy stops: the shapes ({rows}, {batch}) and ({rows},) "
                  "do not broadcast. ")
    return start + middle + f"Make it a column: {bias}[:, None] or {bias}.reshape(-1, 1)."


def _shape(shape: Shape | None) -> str:
    if shape is None:
        return "none"
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def blank_field(name: str, number: int) -> str:
    """The form field of a blank: ``h_z-0`` is the first blank of h_z's line."""
    return f"{name}-{number}"


def own_field(name: str) -> str:
    """The form field of a line written the student's own way."""
    return f"{name}-line"


def answers_from_form(form: Mapping[str, str]) -> dict[str, Answer]:
    """Each line's answer from the page's form: the own-way line when it holds
    anything, else the blanks (``h_z-0``, ``h_z-1``, ...)."""
    answers: dict[str, Answer] = {}
    for step in STEPS:
        own = form.get(own_field(step.name), "")
        blanks = [form.get(blank_field(step.name, k), "") for k in range(step.blanks)]
        answers[step.name] = own if own.strip() else blanks
    return answers


def check_lines(sizes: Sizes, answers: Mapping[str, object]) -> dict[str, LineMark]:
    """A mark for every line of the forward pass, from the API's or the form's answers:
    per line, a string (the whole right-hand side), a list of strings (the blanks) or
    nothing. Raises CodeRefused for what has no business in a blank."""
    checker = Checker(sizes)
    marks = {}
    for step in STEPS:
        given = answers.get(step.name)
        if given is not None and not isinstance(given, (str, list)):
            raise CodeRefused(f"{step.name} must be a string (the whole line) or a list of "
                              f"{step.blanks} strings (the blanks).")
        marks[step.name] = checker.mark(step, given)
    return marks


def summary(marks: Mapping[str, LineMark]) -> tuple[dict[str, int], str]:
    """The score, in the grids' shape (no line is ever carried, and fill-in-the-code
    gives no help to count), and its one-line summary."""
    statuses = [mark.status for mark in marks.values()]
    score = {"correct": statuses.count("correct"), "carried": 0, "total": len(statuses),
             "wrong": statuses.count("wrong"), "invalid": statuses.count("invalid"),
             "blank": statuses.count("blank"), "with_help": 0}
    parts = [f"{score['correct']} of {score['total']} lines correct"]
    parts += [f"{score[key]} {key}" for key in ("wrong", "invalid", "blank") if score[key]]
    return score, ", ".join(parts)
