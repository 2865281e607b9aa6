"""Diagnosis: each slip, made on purpose in one cell of an otherwise right answer
to many generated problems, is named when it is the likely cause, and only then:
when the number it gives is as well explained by another slip, or by an adding
slip, the tutor does not claim to know. Right cells are never diagnosed.

How likely each slip is to give a number is worked out here a second time, in
plain Python loops and without `solve`, `layer` or the module's helpers, and
weighed by the module's own priors and threshold, so that a slip the module
misses (or claims wrongly) shows up as a disagreement between the two. Whether
those priors are right is another question: tests/test_tutor.py measures the
named slips' precision against a simulated student.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from app.core import generate, presets
from app.core.answers import answers_from_json
from app.core.diagnosis import (
    ADDING_SLIPS,
    ARITHMETIC_MESSAGE,
    KINDS,
    NAME_AT,
    OTHER,
    OTHER_LIKELIHOOD,
    PAIR_WEIGHTS,
    PRIORS,
    Diagnosis,
    diagnose_cells,
)
from app.core.grading import Mark, grade
from app.core.problem import ANSWER_NAMES, Problem, Sizes
from app.core.wording import ordinal

ORDER = ["arithmetic", "no_bias", "wrong_pair", "transposed", "relu_missed", "relu_wrong",
         "sign_slip", "off_by_one_term"]
MINUS = "\u2212"
PROPERTY = settings(derandomize=True, deadline=None, max_examples=150)


# ---------------------------------------------------------------- asking diagnosis

def diagnose(problem: Problem, answers, name: str, i: int, j: int) -> Diagnosis | None:
    """One cell's diagnosis, asked for alone."""
    return diagnose_cells(problem, answers, [(name, i, j)])[name, i, j]


def diagnose_all(problem: Problem, answers, marks=None) -> dict[str, list[list[Diagnosis | None]]]:
    """A diagnosis (or None) for every cell of the four matrices; given grading's
    marks, only the cells marked wrong are asked for, as grading asks."""
    wanted = [(name, i, j) for name in ANSWER_NAMES for i, row in enumerate(answers[name])
              for j in range(len(row)) if marks is None or marks[name][i][j].status == "wrong"]
    found = diagnose_cells(problem, answers, wanted)
    return {name: [[found.get((name, i, j)) for j in range(len(row))] for i, row in enumerate(answers[name])]
            for name in ANSWER_NAMES}


# ---------------------------------------------------------------- the reference, again

def plain(problem: Problem) -> dict:
    """Given and answer matrices as lists, the answers worked out with loops."""
    W1, b1, W2, b2, X = (getattr(problem, n).tolist() for n in ("W1", "b1", "W2", "b2", "X"))

    def affine(W, b, inputs):
        return [[sum(W[i][t] * inputs[t][j] for t in range(len(inputs))) + b[i]
                 for j in range(len(inputs[0]))] for i in range(len(W))]

    h_z = affine(W1, b1, X)
    h = [[max(v, 0) for v in row] for row in h_z]
    y_z = affine(W2, b2, h)
    y = [[max(v, 0) for v in row] for row in y_z]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "X": X, "h_z": h_z, "h": h, "y_z": y_z, "y": y}


# What each answer is made of, when every other matrix is right.
PARTS = {"h_z": ("W1", "b1", "X"), "y_z": ("W2", "b2", "h")}
PRE = {"h": "h_z", "y": "y_z"}


def transpose(grid):
    return [list(column) for column in zip(*grid, strict=True)]


def whole_transposed(grid, right) -> bool:
    return len(right) == len(right[0]) and grid == transpose(right) and grid != right


def likelihoods(ref: dict, name: str, i: int, j: int, value: int) -> dict[str, float]:
    """How likely each slip is to give `value` at name[i][j] (every other matrix right)."""
    right = ref[name]
    expected = right[i][j]
    if value == expected:
        return {}
    found = {"arithmetic": ADDING_SLIPS.get(abs(value - expected), 0.0)}
    if name not in PARTS and value < 0:
        found["arithmetic"] = 0.0  # ReLU never gives a negative: no copying slip of its output
    if name in PARTS:
        W, b, inputs = (ref[part] for part in PARTS[name])
        n = len(inputs)
        products = [W[i][t] * inputs[t][j] for t in range(n)]
        if b[i] != 0 and value == sum(products):
            found["no_bias"] = 1.0
        total = hit = 0
        for k in range(len(right)):
            for m in range(len(right[0])):
                if (k, m) == (i, j):
                    continue
                weight = PAIR_WEIGHTS["mirror" if (k, m) == (j, i) else
                                      "one index" if k == i or m == j else "both"]
                total += weight
                hit += weight if right[k][m] == value else 0
        found["wrong_pair"] = hit / total if total else 0.0
        if len(W) == n and value == sum(W[t][i] * inputs[t][j] for t in range(n)) + b[i]:
            found["transposed"] = 1.0
        if expected != 0 and value == -expected:
            found["sign_slip"] = 1.0
        nonzero = [p for p in products if p]
        ways = sum(1 for p in nonzero for sign in (-1, 1) if value == expected + sign * p)
        found["off_by_one_term"] = ways / (2 * len(nonzero)) if nonzero else 0.0
    else:
        pre = ref[PRE[name]][i][j]
        if pre < 0 and value == pre:
            found["relu_missed"] = 1.0
        if (pre > 0 and value == 0) or (pre != 0 and value == -pre):
            found["relu_wrong"] = 1.0
    return {kind: chance for kind, chance in found.items() if chance}


def expected_kind(ref, name, i, j, value, grid) -> str | None:
    """What a tutor weighing the module's priors names (a whole transposed matrix first)."""
    if value != ref[name][i][j] and whole_transposed(grid, ref[name]):
        return "transposed"
    priors = PRIORS["affine" if name in PARTS else "relu"]
    weights = {kind: priors[kind] * chance for kind, chance in likelihoods(ref, name, i, j, value).items()}
    weights[OTHER] = priors[OTHER] * OTHER_LIKELIHOOD
    best = max(weights, key=lambda kind: weights[kind])
    if best != OTHER and weights[best] >= NAME_AT * sum(weights.values()):
        return best
    if "arithmetic" in weights and (weights["arithmetic"] + weights.get("off_by_one_term", 0)
                                    >= NAME_AT * sum(weights.values())):
        return "arithmetic"  # a slip in adding up, of one kind or the other
    return None


# ---------------------------------------------------------------- problems and answers

def sizes_where(draw, rule: str | None) -> Sizes:
    inputs, hidden, outputs, batch = (draw(st.integers(1, 6)) for _ in range(4))
    if rule == "square h_z":
        batch = hidden = draw(st.integers(2, 6))
    elif rule == "square y_z":
        batch = outputs = draw(st.integers(2, 6))
    elif rule == "square W1":
        inputs = hidden
    elif rule == "square W2":
        outputs = hidden
    return Sizes(inputs, hidden, outputs, batch)


@st.composite
def problems(draw, rule: str | None = None) -> Problem:
    """A generated problem: a preset, or custom sizes (that obey `rule`)."""
    seed = draw(st.integers(0, generate.MAX_SEED))
    if rule is None and draw(st.booleans()):
        profile = draw(st.sampled_from(presets.PROFILES))
        return generate.generate(profile, profile.sizes, seed)
    return generate.generate(presets.CUSTOM_SIZES_PROFILE, sizes_where(draw, rule), seed)


def answers_of(problem: Problem, grids: dict):
    return answers_from_json(problem.sizes, grids)


def with_cell(ref: dict, name: str, i: int, j: int, value: int) -> dict:
    grids = {n: [row[:] for row in ref[n]] for n in ANSWER_NAMES}
    grids[name][i][j] = value
    return grids


def check_slip(problem: Problem, ref: dict, grids: dict, name: str, slip: str) -> list[Diagnosis | None]:
    """Diagnose every cell of `grids` (the right answers with `name` changed by
    `slip`): changed cells get what the weighing implies (a slip that alone
    explains its number, by far, is named), the rest get None. Returns the
    diagnoses of the changed cells."""
    answers = answers_of(problem, grids)
    report = grade(problem, answers)
    everything = diagnose_all(problem, answers)
    assert diagnose_all(problem, answers, report.marks) == everything
    found = []
    for n in ANSWER_NAMES:
        for i, row in enumerate(grids[n]):
            for j, value in enumerate(row):
                diagnosis = everything[n][i][j]
                if value == ref[n][i][j]:
                    assert diagnosis is None, (n, i, j, diagnosis)
                    continue
                assert n == name
                assert report.marks[n][i][j].status == "wrong"
                chances = likelihoods(ref, n, i, j, value)
                assert slip in chances or whole_transposed(grids[n], ref[n])  # the slip was made
                want = expected_kind(ref, n, i, j, value, grids[n])
                assert (diagnosis and diagnosis.kind) == want, (n, i, j, value, diagnosis, chances)
                if set(chances) == {slip} and chances[slip] == 1.0:  # nothing else explains it
                    assert want == slip
                assert diagnose(problem, answers, n, i, j) == diagnosis
                found.append(diagnosis)
    assert found
    event(f"named {found[0] and found[0].kind}")  # --hypothesis-show-statistics: what was said
    return found


def cells(ref: dict, name: str):
    return [(i, j) for i in range(len(ref[name])) for j in range(len(ref[name][0]))]


# ---------------------------------------------------------------- one property per slip

@PROPERTY
@given(data=st.data())
def test_a_missing_bias_is_named(data):
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(["h_z", "y_z"]))
    W, b, inputs = (ref[part] for part in PARTS[name])
    choices = [(i, j) for i, j in cells(ref, name) if b[i] != 0]
    assume(choices)
    i, j = data.draw(st.sampled_from(choices))
    value = ref[name][i][j] - b[i]
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, value), name, "no_bias")
    if diagnosis and diagnosis.kind == "no_bias":
        bias = str(b[i]).replace("-", MINUS)
        assert diagnosis.message == (
            f"You left out the bias, {PARTS[name][1]}'s {ordinal(i + 1)} entry ({bias}).")


def test_a_whole_row_without_its_bias_is_named_where_one_cell_alone_is_not():
    """A small bias left out of one cell is as likely an adding slip (2 off, say), so
    it is not named; the same in every cell of the row is one bias left out (an adding
    slip would have to give that number three times), and every cell says so. A row
    with one cell right is no such row."""
    for seed in range(1, 400):
        problem = generate.generate(presets.DEFAULT, presets.DEFAULT.sizes, seed)
        ref = plain(problem)
        rows = [i for i, bias in enumerate(ref["b1"]) if abs(bias) in (2, 3)]
        if rows and len(ref["h_z"][0]) >= 3:
            break
    else:
        raise AssertionError("no classic problem with a bias of 2 or 3 in 400 seeds")
    i, bias = rows[0], ref["b1"][rows[0]]
    without = [value - bias for value in ref["h_z"][i]]
    one = diagnose_all(problem, answers_of(problem, with_cell(ref, "h_z", i, 0, without[0])))
    assert one["h_z"][i][0] is None or one["h_z"][i][0].kind == "arithmetic"
    whole = {n: [row[:] for row in ref[n]] for n in ANSWER_NAMES}
    whole["h_z"][i] = without[:]
    found = diagnose_all(problem, answers_of(problem, whole))["h_z"][i]
    message = f"You left out the bias, b1's {ordinal(i + 1)} entry ({str(bias).replace('-', MINUS)})."
    assert [(d.kind, d.message) for d in found] == [("no_bias", message)] * len(without)
    whole["h_z"][i][1] = ref["h_z"][i][1]  # one cell of the row right: each of the others alone
    mixed = diagnose_all(problem, answers_of(problem, whole))["h_z"][i]
    assert mixed[0] == one["h_z"][i][0] and mixed[1] is None


PAIR = re.compile(r"That is row (\d+) of (W[12]) times column (\d+) of (X|h)"
                  r"(?: plus (b[12])'s (\d+)(?:st|nd|rd|th) entry)?: "
                  r"this cell takes row (\d+) with column (\d+)\.")


@PROPERTY
@given(data=st.data())
def test_a_wrong_pair_is_named_with_the_pair_used(data):
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(["h_z", "y_z"]))
    right = ref[name]
    pairs = [(a, c) for a in cells(ref, name) for c in cells(ref, name)
             if right[c[0]][c[1]] != right[a[0]][a[1]]]
    assume(pairs)
    (i, j), (k, m) = data.draw(st.sampled_from(pairs))
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, right[k][m]), name, "wrong_pair")
    if diagnosis and diagnosis.kind == "wrong_pair":
        row, w, column, source, bias, bias_row, here_row, here_column = PAIR.fullmatch(
            diagnosis.message).groups()
        assert (w, source) == PARTS[name][0:3:2]
        # The other cell's value holds its row's bias, and the message says so unless it is 0.
        b = ref[PARTS[name][1]]
        assert (bias, bias_row) == ((PARTS[name][1], row) if b[int(row) - 1] else (None, None))
        assert (int(here_row), int(here_column)) == (i + 1, j + 1)
        named = (int(row) - 1, int(column) - 1)
        assert named != (i, j) and right[named[0]][named[1]] == right[k][m]
        mirror = j < len(right) and i < len(right[0]) and right[j][i] == right[k][m]
        if mirror:  # indices swapped is the likeliest pair, so it is the one named
            assert named == (j, i)


@PROPERTY
@given(data=st.data())
def test_a_whole_transposed_matrix_is_named_in_every_wrong_cell(data):
    name = data.draw(st.sampled_from(ANSWER_NAMES))
    rule = "square h_z" if name in ("h_z", "h") else "square y_z"
    problem = data.draw(problems(rule))
    ref = plain(problem)
    assume(transpose(ref[name]) != ref[name])
    grids = {n: [row[:] for row in ref[n]] for n in ANSWER_NAMES}
    grids[name] = transpose(ref[name])
    found = check_slip(problem, ref, grids, name, "transposed")
    assert {d and d.kind for d in found} == {"transposed"}
    assert all(d.message.startswith(f"Your whole {name} is transposed: ") for d in found)


@PROPERTY
@given(data=st.data())
def test_a_column_of_w_used_for_its_row_is_named(data):
    name = data.draw(st.sampled_from(["h_z", "y_z"]))
    problem = data.draw(problems("square W1" if name == "h_z" else "square W2"))
    ref = plain(problem)
    W, b, inputs = (ref[part] for part in PARTS[name])
    slips = {(i, j): sum(W[t][i] * inputs[t][j] for t in range(len(W))) + b[i]
             for i, j in cells(ref, name)}
    choices = [cell for cell, value in slips.items() if value != ref[name][cell[0]][cell[1]]]
    assume(choices)
    i, j = data.draw(st.sampled_from(choices))
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, slips[i, j]), name, "transposed")
    if diagnosis and diagnosis.kind == "transposed":
        w = PARTS[name][0]
        assert diagnosis.message.startswith(f"You used column {i + 1} of {w} instead of row {i + 1}: ")


@PROPERTY
@given(data=st.data())
def test_a_negative_kept_through_relu_is_named(data):
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(["h", "y"]))
    pre = ref[PRE[name]]
    choices = [(i, j) for i, j in cells(ref, name) if pre[i][j] < 0]
    assume(choices)
    i, j = data.draw(st.sampled_from(choices))
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, pre[i][j]), name, "relu_missed")
    # ReLU never gives a negative number, so no copying slip of its output could give it.
    assert diagnosis and diagnosis.kind == "relu_missed"
    if diagnosis:
        shown = str(pre[i][j]).replace("-", MINUS)
        assert diagnosis.message == (f"At this cell {PRE[name]} is {shown},"
                                     " and ReLU turns a negative number into 0.")


@PROPERTY
@given(data=st.data())
def test_relu_applied_wrongly_is_named(data):
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(["h", "y"]))
    pre = ref[PRE[name]]
    choices = [(i, j, 0) for i, j in cells(ref, name) if pre[i][j] > 0]
    choices += [(i, j, -pre[i][j]) for i, j in cells(ref, name) if pre[i][j] != 0]
    assume(choices)
    i, j, value = data.draw(st.sampled_from(choices))
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, value), name, "relu_wrong")
    if value < 0 or abs(value - ref[name][i][j]) > max(ADDING_SLIPS):  # no copying slip gives it
        assert diagnosis and diagnosis.kind == "relu_wrong"


@PROPERTY
@given(data=st.data())
def test_a_sign_slip_is_named(data):
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(ANSWER_NAMES))
    choices = [(i, j) for i, j in cells(ref, name) if ref[name][i][j] != 0]
    assume(choices)
    i, j = data.draw(st.sampled_from(choices))
    slip = "relu_wrong" if name in PRE else "sign_slip"  # a flipped sign in h or y is a ReLU slip
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, -ref[name][i][j]), name, slip)
    if name in PRE:  # a flipped sign in h or y is a ReLU slip
        assert diagnosis is None or diagnosis.kind == "relu_wrong"
    if diagnosis and diagnosis.kind == "sign_slip":
        assert diagnosis.message == "The size of the number is right but its sign is wrong."


TERM = re.compile(r"You (left out|counted) one product(?: twice)?: (\(?−?\d+\)?)·(\(?−?\d+\)?), the (\d+)"
                  r"(?:st|nd|rd|th) product of row (\d+) of (W[12]) and column (\d+) of (X|h)\.")


@PROPERTY
@given(data=st.data())
def test_one_product_missing_or_doubled_is_named(data):
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(["h_z", "y_z"]))
    W, b, inputs = (ref[part] for part in PARTS[name])
    choices = [(i, j, sign * W[i][t] * inputs[t][j]) for i, j in cells(ref, name)
               for t in range(len(inputs)) for sign in (-1, 1) if W[i][t] * inputs[t][j]]
    assume(choices)
    i, j, change = data.draw(st.sampled_from(choices))
    value = ref[name][i][j] + change
    (diagnosis,) = check_slip(problem, ref, with_cell(ref, name, i, j, value), name, "off_by_one_term")
    if diagnosis and diagnosis.kind == "off_by_one_term":
        how, _, _, t, row, w, column, source = TERM.fullmatch(diagnosis.message).groups()
        t = int(t) - 1
        assert (w, source, int(row), int(column)) == (*PARTS[name][0:3:2], i + 1, j + 1)
        term = W[i][t] * inputs[t][j]
        assert value == ref[name][i][j] + (term if how == "counted" else -term)


@PROPERTY
@given(data=st.data())
def test_any_wrong_number_gets_exactly_what_the_weighing_implies(data):
    """Numbers no slip was aimed at: named only when one explanation outweighs the rest."""
    problem = data.draw(problems())
    ref = plain(problem)
    name = data.draw(st.sampled_from(ANSWER_NAMES))
    i, j = data.draw(st.sampled_from(cells(ref, name)))
    value = data.draw(st.integers(-25, 25))
    grids = with_cell(ref, name, i, j, value)
    answers = answers_of(problem, grids)
    diagnosis = diagnose(problem, answers, name, i, j)
    want = expected_kind(ref, name, i, j, value, grids[name])
    assert (diagnosis and diagnosis.kind) == want
    if value == ref[name][i][j]:
        assert diagnosis is None


@PROPERTY
@given(problem=problems())
def test_right_answers_are_never_diagnosed(problem):
    ref = plain(problem)
    answers = answers_of(problem, {n: ref[n] for n in ANSWER_NAMES})
    found = diagnose_all(problem, answers)
    assert all(d is None for n in ANSWER_NAMES for row in found[n] for d in row)


# ---------------------------------------------------------------- hand-made examples
#
# W1 = [[1, 1, 0], [1, 1, 1], [1, -1, -1]]   b1 = [2, -5, -3]   X = [[1, 3, 2], [2, 2, 2], [1, 1, 3]]
# h_z = [[5, 7, 6], [-1, 1, 2], [-5, -3, -6]]    W1·X without b1 = [[3, 5, 4], [4, 6, 7], [-2, 0, -3]]
# h   = [[5, 7, 6], [0, 1, 2], [0, 0, 0]]        W1's columns·X + b1 = [[6, 8, 9], [-3, -1, -4], [-2, -2, -4]]
# W2 = [[-1, -1, -1], [1, -1, 1]]   b2 = [1, -3]
# y_z = [[-4, -7, -7], [2, 3, 1]]   y = [[0, 0, 0], [2, 3, 1]]

HAND = Problem(W1=[[1, 1, 0], [1, 1, 1], [1, -1, -1]], b1=[2, -5, -3],
               X=[[1, 3, 2], [2, 2, 2], [1, 1, 3]], W2=[[-1, -1, -1], [1, -1, 1]], b2=[1, -3])
RIGHT = {"h_z": [[5, 7, 6], [-1, 1, 2], [-5, -3, -6]], "h": [[5, 7, 6], [0, 1, 2], [0, 0, 0]],
         "y_z": [[-4, -7, -7], [2, 3, 1]], "y": [[0, 0, 0], [2, 3, 1]]}


def hand(changes: dict[tuple[str, int, int], object]):
    grids = {n: [row[:] for row in RIGHT[n]] for n in ANSWER_NAMES}
    for (name, i, j), value in changes.items():
        grids[name][i][j] = value
    return answers_of(HAND, grids)


def test_the_hand_example_is_what_its_comment_says():
    worked = plain(HAND)
    assert {n: worked[n] for n in ANSWER_NAMES} == RIGHT


@pytest.mark.parametrize("name, i, j, value, kind, message", [
    ("h_z", 1, 0, 4, "no_bias", "You left out the bias, b1's 2nd entry (\u22125)."),
    ("h_z", 1, 0, 7, "wrong_pair",
     "That is row 1 of W1 times column 2 of X plus b1's 1st entry: this cell takes row 2 with column 1."),
    ("h_z", 1, 2, -4, "transposed",
     "You used column 2 of W1 instead of row 2: this cell takes row 2 of W1 with column 3 of X."),
    ("h", 0, 0, 0, "relu_wrong", "At this cell h_z is 5, and ReLU keeps a positive number as it is."),
    ("h", 2, 0, 5, "relu_wrong", "ReLU does not flip the sign: at this cell h_z is \u22125,"
     " and ReLU turns a negative number into 0."),
    ("h", 0, 1, -7, "relu_wrong", "ReLU does not flip the sign: at this cell h_z is 7,"
     " and ReLU keeps a positive number as it is."),
    ("y", 0, 0, -4, "relu_missed", "At this cell y_z is \u22124, and ReLU turns a negative number into 0."),
    # Not a copying slip of 0: ReLU never gives a negative number.
    ("h", 1, 0, -1, "relu_missed", "At this cell h_z is \u22121, and ReLU turns a negative number into 0."),
    ("h_z", 0, 1, -7, "sign_slip", "The size of the number is right but its sign is wrong."),
    ("y_z", 1, 1, -3, "sign_slip", "The size of the number is right but its sign is wrong."),
    ("y_z", 0, 0, -9, "off_by_one_term",
     "You counted one product twice: (\u22121)·5, the 1st product of row 1 of W2 and column 1 of h."),
    ("y_z", 1, 0, -7, "wrong_pair",
     "That is row 1 of W2 times column 2 of h plus b2's 1st entry: this cell takes row 2 with column 1."),
    ("h_z", 1, 2, 3, "arithmetic", ARITHMETIC_MESSAGE),
    # An adding slip of 1, or the product 1·1 left out: a slip in adding up either way.
    ("h_z", 0, 0, 4, "arithmetic", ARITHMETIC_MESSAGE),
    ("h", 0, 0, 4, "arithmetic",
     "Not right, but close: copy h_z's number at this place again, then apply ReLU."),
])
def test_each_slip_in_a_hand_example(name, i, j, value, kind, message):
    assert diagnose(HAND, hand({(name, i, j): value}), name, i, j) == Diagnosis(kind, message)


@pytest.mark.parametrize("name, i, j, value", [
    ("y", 1, 1, 0),  # y_z 3 set to 0 by ReLU, or 3 copied with a slip of 3: close
    ("h_z", 0, 1, 8),  # W1's column used for its row, or an adding slip of 1
    ("h_z", 0, 0, 3),  # the bias left out, a product of 2 left out, or a slip of 2
    ("h_z", 0, 0, -5),  # another cell's value, or the sign: neither outweighs the other
])
def test_when_explanations_compete_none_is_claimed(name, i, j, value):
    assert diagnose(HAND, hand({(name, i, j): value}), name, i, j) is None


def test_a_whole_transposed_matrix_beats_every_one_cell_explanation():
    answers = hand({("h_z", i, j): RIGHT["h_z"][j][i] for i in range(3) for j in range(3)})
    found = diagnose_all(HAND, answers)["h_z"]
    assert found[0][1] == Diagnosis("transposed", "Your whole h_z is transposed:"
                                    " this cell holds the value that belongs at row 2, column 1.")
    assert [[d and d.kind for d in row] for row in found] == [
        [None, "transposed", "transposed"], ["transposed", None, "transposed"],
        ["transposed", "transposed", None]]


def test_a_transposed_matrix_with_a_blank_is_judged_cell_by_cell():
    changes = {("h_z", i, j): RIGHT["h_z"][j][i] for i in range(3) for j in range(3)}
    changes["h_z", 2, 2] = ""
    found = diagnose_all(HAND, hand(changes))["h_z"]
    assert found[0][1].kind == "wrong_pair"
    assert found[0][1].message == ("That is row 2 of W1 times column 1 of X plus b1's 2nd entry:"
                                   " this cell takes row 1 with column 2.")


def test_h_is_judged_against_the_students_own_h_z():
    answers = hand({("h_z", 0, 0): -4, ("h", 0, 0): -4, ("h_z", 0, 1): -5, ("h", 0, 1): 5})
    assert diagnose(HAND, answers, "h", 0, 0) == Diagnosis(
        "relu_missed", "At this cell your h_z is \u22124, and ReLU turns a negative number into 0.")
    assert diagnose(HAND, answers, "h", 0, 1) == Diagnosis(
        "relu_wrong", "ReLU does not flip the sign: at this cell your h_z is \u22125,"
        " and ReLU turns a negative number into 0.")


def test_a_reference_pre_activation_is_not_given_away():
    # Their h_z cell is blank, so h is judged against the reference h_z (5), which
    # a 0 in h does not show: the message says only that it is positive.
    answers = hand({("h_z", 0, 0): "", ("h", 0, 0): 0, ("h_z", 2, 0): "", ("h", 2, 0): -5})
    assert diagnose(HAND, answers, "h", 0, 0) == Diagnosis(
        "relu_wrong", "At this cell h_z is positive, and ReLU keeps a positive number as it is.")
    assert diagnose(HAND, answers, "h", 2, 0).message == (
        "At this cell h_z is \u22125, and ReLU turns a negative number into 0.")


def test_y_z_is_judged_against_the_students_own_h_when_it_is_complete():
    # With h[1][1] = 4 instead of 5, y_z from their h is [[-3, -7, -7], [1, 3, 1]].
    answers = hand({("h", 0, 0): 4, ("y_z", 1, 0): -7})
    assert diagnose(HAND, answers, "y_z", 1, 0) == Diagnosis(
        "wrong_pair", "That is row 1 of W2 times column 2 of your h plus b2's 1st entry:"
        " this cell takes row 2 with column 1.")
    # 5 would be a missing bias with the reference h; with theirs it is a doubled product.
    answers = hand({("h", 0, 0): 4, ("y_z", 1, 0): 5})
    assert diagnose(HAND, answers, "y_z", 1, 0) == Diagnosis(
        "off_by_one_term", "You counted one product twice: 1·4, the 1st product of row 2 of W2"
        " and column 1 of your h.")
    # Blank h cell: the reference h is used, and named plainly.
    answers = hand({("h", 2, 2): "", ("y_z", 1, 0): -7})
    assert diagnose(HAND, answers, "y_z", 1, 0).message == (
        "That is row 1 of W2 times column 2 of h plus b2's 1st entry: this cell takes row 2 with column 1.")


@pytest.mark.parametrize("changes, name, i, j", [
    ({}, "h_z", 0, 0),  # right
    ({("h_z", 1, 0): ""}, "h_z", 1, 0),  # blank
    ({("h_z", 1, 0): "4.5"}, "h_z", 1, 0),  # not a whole number
    ({("h_z", 1, 0): "four"}, "h_z", 1, 0),  # not a number
    ({("h_z", 0, 0): -2, ("h", 0, 0): 0}, "h", 0, 0),  # carried forward from their h_z
    ({("h", 0, 0): 4, ("y_z", 0, 0): -3}, "y_z", 0, 0),  # carried forward from their h
    ({("h", 0, 0): 4, ("y_z", 0, 0): -4}, "y_z", 0, 0),  # right, though their h is not
    ({("h_z", 1, 0): 100}, "h_z", 1, 0),  # wrong, and no slip fits
])
def test_cells_that_are_not_explained_get_no_diagnosis(changes, name, i, j):
    assert diagnose(HAND, hand(changes), name, i, j) is None


def test_diagnose_all_only_looks_at_cells_marked_wrong():
    answers = hand({("h_z", 1, 0): 4, ("h_z", 0, 1): -7})
    report = grade(HAND, answers)
    pretended = {n: [list(row) for row in report.marks[n]] for n in ANSWER_NAMES}
    pretended["h_z"][0][1] = Mark("correct", "Correct.")  # pretend: diagnose_all must trust the marks
    found = diagnose_all(HAND, answers, pretended)
    assert found["h_z"][1][0].kind == "no_bias"
    assert found["h_z"][0][1] is None
    assert diagnose_all(HAND, answers, report.marks)["h_z"][0][1].kind == "sign_slip"
    marks = {n: [[Mark("wrong", "") for _ in row] for row in grid] for n, grid in report.marks.items()}
    assert diagnose_all(HAND, answers, marks) == diagnose_all(HAND, answers)


def test_diagnoses_read_as_plain_sentences():
    assert KINDS == tuple(ORDER)
    assert Diagnosis("no_bias", "x").as_dict() == {"kind": "no_bias", "message": "x"}
    with pytest.raises(ValueError, match="name must be one of h_z, h, y_z, y"):
        diagnose(HAND, hand({}), "W1", 0, 0)
