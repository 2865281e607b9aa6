"""Grading: the reference solution is all correct; each status (correct,
carried, wrong, invalid, blank) arises exactly where the rules say, including
error carried forward (h from the student's h_z, y_z from their complete h,
y from their y_z); counts add up; the summary line reads as documented; and
answers arrive from JSON and from form fields.

The last test checks every cell's status against a second, plain-Python
implementation of the network and of the marking rules.
"""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.core.answers import AnswerError, answers_from_form, answers_from_json, blank_answers
from app.core.grading import STATUSES, grade
from app.core.problem import ANSWER_NAMES, Problem, solve
from tests import strategies

# Classic seed 0, written out so these tests do not depend on generation.
PROBLEM = Problem(W1=[[-1, -1, 0], [1, 0, 0], [0, 0, -1], [-1, 0, 0]], b1=[-2, 1, -3, -1],
                  W2=[[0, 0, 0, -1], [0, -1, -1, -1]], b2=[2, -2],
                  X=[[0, 0, 1], [0, 2, 3], [1, 2, 3]])
SOLUTION = {
    "h_z": [[-2, -4, -6], [1, 1, 2], [-4, -5, -6], [-1, -1, -2]],
    "h": [[0, 0, 0], [1, 1, 2], [0, 0, 0], [0, 0, 0]],
    "y_z": [[2, 2, 2], [-3, -3, -4]],
    "y": [[2, 2, 2], [0, 0, 0]],
}
SIZES = PROBLEM.sizes  # 3-4-2-3: 12 + 12 + 6 + 6 = 36 answer cells


def answers(**changes):
    """The solution with some cells changed: changes like h_z=[(1, 0, 5)]."""
    data = copy.deepcopy(SOLUTION)
    for name, cells in changes.items():
        for i, j, value in cells:
            data[name][i][j] = value
    return answers_from_json(SIZES, data)


def statuses(report) -> dict[str, list[list[str]]]:
    return {name: [[mark.status for mark in row] for row in grid] for name, grid in report.marks.items()}


def off_solution(report) -> dict[tuple[str, int, int], str]:
    """Every cell not marked correct, with its status."""
    return {(name, i, j): status for name, grid in statuses(report).items()
            for i, row in enumerate(grid) for j, status in enumerate(row) if status != "correct"}


def test_the_fixture_solution_is_the_reference():
    assert solve(PROBLEM).as_lists() == SOLUTION


def test_the_reference_solution_is_all_correct_with_the_plain_summary():
    report = grade(PROBLEM, answers())
    assert off_solution(report) == {}
    assert report.counts["correct"] == report.total == SIZES.answer_cells() == 36
    assert report.summary() == "36 of 36 correct"


def test_nothing_filled_in_is_all_blank():
    report = grade(PROBLEM, blank_answers(SIZES))
    assert set(off_solution(report).values()) == {"blank"} and len(off_solution(report)) == 36
    assert report.summary() == "0 of 36 correct, 36 blank"


def test_each_status_arises_exactly_where_expected_and_the_summary_counts_them():
    report = grade(PROBLEM, answers(
        h_z=[(1, 0, 5), (0, 0, None)],   # wrong (reference 1); blank
        h=[(1, 0, 5)],                   # ReLU of their own h_z: carried
        y_z=[(1, 0, -7)],                # W2 @ their h + b2 = -7 (reference -3): carried
        y=[(0, 1, "abc"), (0, 2, "2.5")],  # invalid twice; y[1][0] = 0 stays correct
    ))
    assert off_solution(report) == {
        ("h_z", 1, 0): "wrong", ("h_z", 0, 0): "blank", ("h", 1, 0): "carried",
        ("y_z", 1, 0): "carried", ("y", 0, 1): "invalid", ("y", 0, 2): "invalid",
    }
    assert report.counts == Counter(correct=30, carried=2, wrong=1, invalid=2, blank=1)
    assert report.summary() == "30 of 36 correct, 2 carried forward, 1 wrong, 2 invalid, 1 blank"
    assert report.marks["h"][1][0].message == "Follows from your h_z: error carried forward."
    assert report.marks["y_z"][1][0].message == "Follows from your h: error carried forward."
    assert report.marks["y"][0][1].message.startswith("Not a number")


@pytest.mark.parametrize("gap", [None, "", "x", "1.5"])
def test_one_blank_or_invalid_cell_in_h_removes_the_y_z_carry(gap):
    report = grade(PROBLEM, answers(h_z=[(1, 0, 5)], h=[(1, 0, 5), (3, 2, gap)], y_z=[(1, 0, -7)]))
    assert off_solution(report) == {
        ("h_z", 1, 0): "wrong", ("h", 1, 0): "carried",
        ("h", 3, 2): "blank" if gap in (None, "") else "invalid",
        ("y_z", 1, 0): "wrong",
    }


def test_y_z_is_carried_from_a_wrong_but_complete_h():
    # h[1][1] = 4 is simply wrong (their h_z is right), yet y_z follows from their h.
    report = grade(PROBLEM, answers(h=[(1, 1, 4)], y_z=[(1, 1, -6), (0, 1, 9)]))
    assert off_solution(report) == {("h", 1, 1): "wrong", ("y_z", 1, 1): "carried", ("y_z", 0, 1): "wrong"}


@pytest.mark.parametrize("gap", [None, "abc"])
def test_h_is_not_carried_from_a_blank_or_invalid_h_z_cell(gap):
    # Reference h[1][1] is 1; 0 would be "ReLU of nothing" if a gap were read as a number.
    report = grade(PROBLEM, answers(h_z=[(1, 1, gap)], h=[(1, 1, 0), (1, 2, -7)]))
    assert off_solution(report)[("h", 1, 1)] == "wrong"
    assert off_solution(report)[("h", 1, 2)] == "wrong"


def test_y_is_carried_from_their_own_y_z():
    report = grade(PROBLEM, answers(y_z=[(0, 0, -3), (0, 1, 7), (1, 2, 5)],
                                    y=[(0, 0, 0), (0, 1, 7), (0, 2, 3), (1, 2, 4)]))
    assert off_solution(report) == {
        ("y_z", 0, 0): "wrong", ("y_z", 0, 1): "wrong", ("y_z", 1, 2): "wrong",
        ("y", 0, 0): "carried", ("y", 0, 1): "carried", ("y", 0, 2): "wrong", ("y", 1, 2): "wrong",
    }
    assert report.marks["y"][0][0].message == "Follows from your y_z: error carried forward."


def test_h_z_is_never_carried_and_correct_beats_carried():
    # h_z[0][0] = -1 is wrong; h[0][0] = 0 is both ReLU(-1) and the reference: correct.
    report = grade(PROBLEM, answers(h_z=[(0, 0, -1)]))
    assert off_solution(report) == {("h_z", 0, 0): "wrong"}


def test_missing_or_null_matrices_count_as_blanks():
    report = grade(PROBLEM, answers_from_json(SIZES, {"h_z": SOLUTION["h_z"], "y": None}))
    assert report.counts == Counter(correct=12, carried=0, wrong=0, invalid=0, blank=24)
    assert report.summary() == "12 of 36 correct, 24 blank"
    assert all(status == "blank" for row in statuses(report)["y"] for status in row)


@pytest.mark.parametrize("data, message", [
    ({"h_z": SOLUTION["h_z"][:3]}, "h_z must be 4 rows of 3 cells."),
    ({"h_z": SOLUTION["h_z"] + [[0, 0, 0]]}, "h_z must be 4 rows of 3 cells."),
    ({"h": [[0, 0, 0], [1, 1], [0, 0, 0], [0, 0, 0]]}, "h must be 4 rows of 3 cells."),
    ({"y_z": "2 2 2 / -3 -3 -4"}, "y_z must be 2 rows of 3 cells."),
    ({"y": [[2, 2, 2], "000"]}, "y must be 2 rows of 3 cells."),
    ({"y": [[2, 2], [0, 0], [0, 0]]}, "y must be 2 rows of 3 cells."),
    ({"y": {"0": [2, 2, 2]}}, "y must be 2 rows of 3 cells."),
])
def test_answers_of_the_wrong_shape_raise_answer_error(data, message):
    with pytest.raises(AnswerError) as caught:
        answers_from_json(SIZES, data)
    assert str(caught.value) == message


@pytest.mark.parametrize("form_type", [dict, MultiDict])
def test_answers_from_form_read_fields_named_by_matrix_row_and_column(form_type):
    form = form_type({"h_z-0-2": "-6", "h_z-2-0": "\u22124", "y-1-0": " 0 ", "h-3-1": "abc",
                      "h_z-9-9": "1", "W1-0-0": "5"})
    got = answers_from_form(SIZES, form)
    values = {(name, i, j): (entry.value, entry.error is not None)
              for name, grid in got.items() for i, row in enumerate(grid)
              for j, entry in enumerate(row) if not entry.blank}
    assert values == {("h_z", 0, 2): (-6, False), ("h_z", 2, 0): (-4, False),
                      ("y", 1, 0): (0, False), ("h", 3, 1): (None, True)}
    assert {name: (len(grid), len(grid[0])) for name, grid in got.items()} == {
        "h_z": (4, 3), "h": (4, 3), "y_z": (2, 3), "y": (2, 3)}


def test_a_full_form_of_the_solution_is_all_correct():
    form = {f"{name}-{i}-{j}": str(value) for name, grid in SOLUTION.items()
            for i, row in enumerate(grid) for j, value in enumerate(row)}
    assert grade(PROBLEM, answers_from_form(SIZES, form)).summary() == "36 of 36 correct"


# --- random problems, checked against a second implementation ---------------

def problems(low=-5, high=5):
    return strategies.problems(low, high, strategies.sizes(4))


def plain_layer(W, inputs, b):
    return [[sum(W[r][k] * inputs[k][c] for k in range(len(inputs))) + b[r]
             for c in range(len(inputs[0]))] for r in range(len(W))]


def plain_relu(grid):
    return [[v if v > 0 else 0 for v in row] for row in grid]


def plain_solve(p):
    h_z = plain_layer(p["W1"], p["X"], p["b1"])
    y_z = plain_layer(p["W2"], plain_relu(h_z), p["b2"])
    return {"h_z": h_z, "h": plain_relu(h_z), "y_z": y_z, "y": plain_relu(y_z)}


@settings(derandomize=True, deadline=None, max_examples=100)
@given(problems(-99, 99))
def test_the_reference_solution_of_any_problem_is_all_correct(problem):
    lists = problem.as_lists()
    reference = plain_solve(lists)
    assert solve(problem).as_lists() == reference
    report = grade(problem, answers_from_json(problem.sizes, reference))
    assert report.counts["correct"] == report.total == problem.sizes.answer_cells()


@st.composite
def graded_cases(draw):
    """A problem and a student's answers: each cell kept, carried, off by a bit,
    blank or invalid, with (kind, value) recorded for the plain re-marking."""
    problem = draw(problems())
    reference = plain_solve(problem.as_lists())
    complete_h = draw(st.booleans())  # often no gaps in h, so y_z carry gets exercised
    cells = {}  # name -> grid of (kind, value, raw)

    def cell(ref_value, follows, gaps_allowed=True):
        kinds = ["keep", "follow", "off"] + (["blank", "invalid"] if gaps_allowed else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "blank":
            return ("blank", None, draw(st.sampled_from([None, "", "  "])))
        if kind == "invalid":
            return ("invalid", None, draw(st.sampled_from(["abc", "2.5", True, "1e3", [1]])))
        if kind == "follow" and follows is not None:
            value = follows
        elif kind == "keep":
            value = ref_value
        else:
            value = ref_value + draw(st.integers(-3, 3).filter(bool))
        return ("int", value, draw(st.sampled_from([value, str(value), f" {value} ", float(value)])))

    def own(name, i, j):
        kind, value, _ = cells[name][i][j]
        return value if kind == "int" else None

    def fill(name, follows_at, gaps_allowed=True):
        cells[name] = [[cell(ref, follows_at(i, j), gaps_allowed) for j, ref in enumerate(row)]
                       for i, row in enumerate(reference[name])]

    fill("h_z", lambda i, j: None)
    fill("h", lambda i, j: None if own("h_z", i, j) is None else max(own("h_z", i, j), 0),
         gaps_allowed=not complete_h)
    own_h = [[own("h", i, j) for j in range(len(row))] for i, row in enumerate(cells["h"])]
    h_whole = all(v is not None for row in own_h for v in row)
    follow_y_z = plain_layer(problem.W2.tolist(), own_h, problem.b2.tolist()) if h_whole else None
    fill("y_z", lambda i, j: None if follow_y_z is None else follow_y_z[i][j])
    fill("y", lambda i, j: None if own("y_z", i, j) is None else max(own("y_z", i, j), 0))
    return problem, reference, cells, follow_y_z


def plain_status(kind, value, expected, follows):
    if kind in ("blank", "invalid"):
        return kind
    if value == expected:
        return "correct"
    if follows is not None and value == follows:
        return "carried"
    return "wrong"


@settings(derandomize=True, deadline=None, max_examples=250)
@given(graded_cases())
def test_every_status_matches_a_plain_python_re_marking(case):
    problem, reference, cells, follow_y_z = case
    data = {name: [[raw for _, _, raw in row] for row in grid] for name, grid in cells.items()}
    report = grade(problem, answers_from_json(problem.sizes, data))

    def own(name, i, j):
        kind, value, _ = cells[name][i][j]
        return value if kind == "int" else None

    follows = {
        "h_z": lambda i, j: None,
        "h": lambda i, j: None if own("h_z", i, j) is None else max(own("h_z", i, j), 0),
        "y_z": lambda i, j: None if follow_y_z is None else follow_y_z[i][j],
        "y": lambda i, j: None if own("y_z", i, j) is None else max(own("y_z", i, j), 0),
    }
    expected_counts = Counter({status: 0 for status in STATUSES})
    for name in ANSWER_NAMES:
        for i, row in enumerate(cells[name]):
            for j, (kind, value, raw) in enumerate(row):
                expected = plain_status(kind, value, reference[name][i][j], follows[name](i, j))
                assert report.marks[name][i][j].status == expected, (name, i, j, raw)
                expected_counts[expected] += 1
    assert report.counts == expected_counts
    assert report.total == sum(expected_counts.values()) == problem.sizes.answer_cells()
