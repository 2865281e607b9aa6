"""Show the working: for every cell of many generated problems the line of text
adds up (read back from the text itself, step by step) to the value, the value
is the one `solve` gives, the first step leaves every result blank, and terms,
bias and the shaded row and column are the right ones. Plus the exact text of a
hand example, the NumPy form of each cell, and the errors for bad requests.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import generate, presets
from app.core.problem import ANSWER_NAMES, Problem, Sizes, solve
from app.core.wording import factor, number, ordinal
from app.core.working import Working, working

MINUS = "\u2212"
# A number as the text writes it: a true minus sign, never a hyphen.
NUMBER = r"−?\d+"
TERM = rf"(?:\({NUMBER}\)|\d+)"  # a negative inside a sum is in brackets


def read_number(text: str) -> int:
    assert "-" not in text, f"hyphen-minus in {text!r}"
    text = text.strip("()")
    return -int(text[1:]) if text.startswith(MINUS) else int(text)


def sum_of(arithmetic: str) -> int:
    relu = re.fullmatch(rf"ReLU\(({NUMBER})\)", arithmetic)
    if relu:
        return max(read_number(relu.group(1)), 0)
    total = 0
    for term in arithmetic.split(" + "):
        factors = term.split("·")
        assert len(factors) in (1, 2) and all(re.fullmatch(TERM, f) for f in factors), term
        result = 1
        for f in factors:
            result *= read_number(f)
        total += result
    return total


def add_up(text: str) -> tuple[int, int]:
    """(what the arithmetic in `text` comes to, the value it ends with); an affine
    cell's products, then their results, must come to the same."""
    parts = text.split(" = ")
    value = read_number(parts[-1])
    if parts[-2].startswith("ReLU("):
        return sum_of(parts[-2]), value
    products, results = parts[-3], parts[-2]
    assert "·" not in results and sum_of(products) == sum_of(results), text
    return sum_of(results), value


@st.composite
def problems(draw) -> Problem:
    seed = draw(st.integers(0, generate.MAX_SEED))
    if draw(st.booleans()):
        profile = draw(st.sampled_from(presets.PROFILES))
        return generate.generate(profile, profile.sizes, seed)
    sizes = Sizes(*(draw(st.integers(1, 6)) for _ in range(4)))
    return generate.generate(presets.CUSTOM_SIZES_PROFILE, sizes, seed)


@settings(derandomize=True, deadline=None, max_examples=120)
@given(problem=problems())
def test_every_cell_adds_up_to_the_reference(problem):
    solution = solve(problem)
    # The inputs of each layer, taken from the problem and the reference by hand.
    layers = {"h_z": ("W1", problem.W1, "b1", problem.b1, "X", problem.X),
              "y_z": ("W2", problem.W2, "b2", problem.b2, "h", solution.h)}
    for name in ANSWER_NAMES:
        rows, cols = problem.sizes.answer_shape(name)
        for i in range(rows):
            for j in range(cols):
                w = working(problem, name, i, j)
                total, shown = add_up(w.text)
                assert total == shown == w.value == solution[name][i, j]
                assert (w.matrix, w.row, w.col) == (name, i, j)
                here = f"{name} row {i + 1}, column {j + 1} = "
                assert w.text.startswith(here) and w.setup.startswith(here)
                assert "[" not in w.text and "[" not in w.setup  # words, never bracket indices
                # The first step is the whole working up to the products, then blanks.
                assert w.setup.endswith(" = ___") and number(w.value) not in w.setup.split(" = ")[-2:]
                assert w.numpy.startswith(f"{name}[{i}, {j}] = ")
                if name in layers:
                    w_name, W, b_name, b, in_name, inputs = layers[name]
                    assert w.terms == tuple(zip(W[i].tolist(), inputs[:, j].tolist(), strict=True))
                    assert w.bias == b[i]
                    assert (w.w_row, w.input_col, w.source) == ((w_name, i), (in_name, j), None)
                    head = (f" = row {i + 1} of {w_name} · column {j + 1} of {in_name}"
                            f" + {b_name}'s {ordinal(i + 1)} entry = ")
                    assert head in w.text and head in w.setup
                    assert w.setup.count("___") == len(w.terms) + 1
                    assert w.setup.split(" = ")[2] == w.text.split(" = ")[2]  # the same products
                    assert w.numpy == f"{name}[{i}, {j}] = {w_name}[{i}] @ {in_name}[:, {j}] + {b_name}[{i}]"
                else:
                    source = "h_z" if name == "h" else "y_z"
                    assert (w.terms, w.bias, w.w_row, w.input_col) == ((), None, None, None)
                    assert w.source == (source, i, j)
                    before = number(solution[source][i, j])
                    start = f"{name} row {i + 1}, column {j + 1} = ReLU({source} row {i + 1}, column {j + 1})"
                    assert w.text == f"{start} = ReLU({before}) = {number(w.value)}"
                    assert w.setup == f"{start} = ___"
                    assert w.numpy == f"{name}[{i}, {j}] = np.maximum({source}[{i}, {j}], 0)"


# W1 row 1 = [1, -1, 1], b1[1] = -5, X column 1 = [2, 1, 3]: the README's kind of example.
HAND = Problem(W1=[[1, -1, 1], [0, 1, 1]], b1=[-5, 2], X=[[2, 0], [1, 3], [3, 1]],
               W2=[[1, -2]], b2=[3])
# h_z = [[-1, -7], [6, 6]], h = [[0, 0], [6, 6]], y_z = [[-9, -9]], y = [[0, 0]]


@pytest.mark.parametrize("name, i, j, text", [
    ("h_z", 0, 0, "h_z row 1, column 1 = row 1 of W1 · column 1 of X + b1's 1st entry"
                  " = 1·2 + (−1)·1 + 1·3 + (−5) = 2 + (−1) + 3 + (−5) = −1"),
    ("h_z", 1, 1, "h_z row 2, column 2 = row 2 of W1 · column 2 of X + b1's 2nd entry"
                  " = 0·0 + 1·3 + 1·1 + 2 = 0 + 3 + 1 + 2 = 6"),
    ("h", 0, 0, "h row 1, column 1 = ReLU(h_z row 1, column 1) = ReLU(−1) = 0"),
    ("h", 1, 0, "h row 2, column 1 = ReLU(h_z row 2, column 1) = ReLU(6) = 6"),
    ("y_z", 0, 1, "y_z row 1, column 2 = row 1 of W2 · column 2 of h + b2's 1st entry"
                  " = 1·0 + (−2)·6 + 3 = 0 + (−12) + 3 = −9"),
    ("y", 0, 1, "y row 1, column 2 = ReLU(y_z row 1, column 2) = ReLU(−9) = 0"),
])
def test_hand_example_texts(name, i, j, text):
    assert working(HAND, name, i, j).text == text


def test_the_first_step_shows_what_to_multiply_and_leaves_the_results_blank():
    assert working(HAND, "h_z", 0, 0).setup == (
        "h_z row 1, column 1 = row 1 of W1 · column 1 of X + b1's 1st entry"
        " = 1·2 + (−1)·1 + 1·3 + (−5) = ___ + ___ + ___ + (−5) = ___")
    assert working(HAND, "h", 0, 0).setup == "h row 1, column 1 = ReLU(h_z row 1, column 1) = ___"


def test_the_api_body_of_a_hand_example():
    assert working(HAND, "h_z", 0, 0).as_dict() == {
        "matrix": "h_z", "row": 0, "col": 0,
        "text": "h_z row 1, column 1 = row 1 of W1 · column 1 of X + b1's 1st entry"
                " = 1·2 + (−1)·1 + 1·3 + (−5) = 2 + (−1) + 3 + (−5) = −1",
        "setup": "h_z row 1, column 1 = row 1 of W1 · column 1 of X + b1's 1st entry"
                 " = 1·2 + (−1)·1 + 1·3 + (−5) = ___ + ___ + ___ + (−5) = ___",
        "numpy": "h_z[0, 0] = W1[0] @ X[:, 0] + b1[0]",
        "terms": [[1, 2], [-1, 1], [1, 3]], "bias": -5, "value": -1,
        "w_row": {"matrix": "W1", "row": 0}, "input_col": {"matrix": "X", "col": 0}, "source": None,
    }
    body = working(HAND, "y", 0, 1).as_dict()
    assert body == {"matrix": "y", "row": 0, "col": 1,
                    "text": "y row 1, column 2 = ReLU(y_z row 1, column 2) = ReLU(−9) = 0",
                    "setup": "y row 1, column 2 = ReLU(y_z row 1, column 2) = ___",
                    "numpy": "y[0, 1] = np.maximum(y_z[0, 1], 0)",
                    "terms": [], "bias": None, "value": 0, "w_row": None, "input_col": None,
                    "source": {"matrix": "y_z", "row": 0, "col": 1}}
    json.dumps(body)  # plain types only, no NumPy integers


def test_y_z_is_worked_from_the_reference_h():
    w = working(HAND, "y_z", 0, 0)
    assert w.terms == ((1, 0), (-2, 6))  # h column 1 is ReLU(-1), ReLU(6)
    assert w.input_col == ("h", 0)


def test_numbers_are_written_with_a_true_minus_sign():
    assert [number(n) for n in (-12, 0, 7)] == ["\u221212", "0", "7"]
    assert [factor(n) for n in (-3, 0, 3)] == ["(\u22123)", "0", "3"]


@pytest.mark.parametrize("matrix, row, col, message", [
    ("W1", 0, 0, "matrix must be one of h_z, h, y_z, y."),
    ("", 0, 0, "matrix must be one of h_z, h, y_z, y."),
    (None, 0, 0, "matrix must be one of h_z, h, y_z, y."),
    ("h_z", 2, 0, "row must be a whole number from 0 to 1 for h_z (it has 2 rows)."),
    ("h_z", -1, 0, "row must be a whole number from 0 to 1 for h_z (it has 2 rows)."),
    ("y", 1, 0, "row must be a whole number from 0 to 0 for y (it has 1 row)."),
    ("h", 0, 2, "col must be a whole number from 0 to 1 for h (it has 2 columns)."),
    ("h", 0, "1", "col must be a whole number from 0 to 1 for h (it has 2 columns)."),
    ("h", True, 0, "row must be a whole number from 0 to 1 for h (it has 2 rows)."),
    ("h", 0, None, "col must be a whole number from 0 to 1 for h (it has 2 columns)."),
])
def test_bad_cells_are_refused_with_a_plain_message(matrix, row, col, message):
    with pytest.raises(ValueError) as caught:
        working(HAND, matrix, row, col)
    assert str(caught.value) == message


def test_working_is_a_frozen_value():
    w = working(HAND, "h", 0, 0)
    assert isinstance(w, Working)
    with pytest.raises(AttributeError):
        w.value = 1  # type: ignore[misc]
