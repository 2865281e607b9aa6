"""A simulated student: the error model that the tutor's slip messages are held to.

A student who gets a cell wrong has made one slip. How often each slip is the
cause (the shares below) is our model of students working these problems by
hand: plain adding slips most often, then a forgotten bias, another cell's row
and column, one product left out or counted twice, a sign, W's column used for
its row; in h and y a negative kept through ReLU, ReLU applied wrongly, or h_z's
number copied with a slip; and now and then a number none of these explain.
It is written here independently of app/core/diagnosis.py, which weighs its
explanations by the same shares; the tutor report (`make tutor-report`, and
tests/test_tutor.py) measures how often the named slip is the one made.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from app.core import generate
from app.core.grading import grade
from app.core.parsing import parse
from app.core.presets import Profile
from app.core.problem import AFFINE, ANSWER_NAMES, RELU_OF, solve

# The share of wrong cells each slip causes, in a pre-activation (h_z, y_z) and in h and y.
AFFINE_SLIPS = {"arithmetic": 0.52, "no_bias": 0.15, "wrong_pair": 0.10, "off_by_one_term": 0.10,
                "sign_slip": 0.06, "transposed": 0.04, "other": 0.03}
RELU_SLIPS = {"relu_missed": 0.45, "relu_wrong": 0.20, "arithmetic": 0.32, "other": 0.03}
# An adding slip (or a copying slip, in h and y) is off by 1, 2 or 3, in either direction.
ADDING_SLIP_SIZES = {1: 0.6, 2: 0.3, 3: 0.1}
CONCEPTUAL = ("no_bias", "wrong_pair", "off_by_one_term", "sign_slip", "transposed", "relu_missed",
              "relu_wrong")
PLAUSIBLE_ADDING_SLIP = max(ADDING_SLIP_SIZES)  # an adding slip could explain a number this close


@dataclass(frozen=True)
class Case:
    preset: str
    matrix: str
    made: str  # the slip the simulated student made
    named: str | None  # what the tutor named (the mark's diagnosis), None for no name
    only_this: bool  # no other slip, not even an adding slip, gives this number


def adding_slip(rng: random.Random) -> int:
    size = rng.choices(list(ADDING_SLIP_SIZES), list(ADDING_SLIP_SIZES.values()))[0]
    return size * rng.choice((-1, 1))


def _numbers(problem) -> dict:
    solution = solve(problem)
    return {"solution": solution, "inputs": {"X": problem.X.tolist(), "h": solution.h.tolist()}}


def affine_values(problem, name: str, i: int, j: int, rng: random.Random) -> dict[str, list[int]]:
    """Every number each slip can give at this cell (for `only_this`), and the one the student wrote."""
    w_name, b_name, input_name = AFFINE[name]
    W, b = getattr(problem, w_name).tolist(), getattr(problem, b_name).tolist()
    inputs = problem.X.tolist() if input_name == "X" else solve(problem).h.tolist()
    grid = solve(problem)[name].tolist()
    column = [row[j] for row in inputs]
    right = grid[i][j]
    products = [w * x for w, x in zip(W[i], column, strict=True) if w * x]
    values = {
        "no_bias": [right - b[i]] if b[i] else [],
        "wrong_pair": [grid[k][m] for k in range(len(grid)) for m in range(len(grid[0])) if (k, m) != (i, j)],
        "off_by_one_term": [right + sign * p for p in products for sign in (-1, 1)],
        "sign_slip": [-right] if right else [],
        "transposed": ([sum(W[k][i] * column[k] for k in range(len(W))) + b[i]]
                       if len(W) == len(W[0]) else []),
    }
    return values


def make_slip(kind: str, values: dict[str, list[int]], right: int, i: int, j: int, shape, rng) -> int | None:
    if kind == "arithmetic":
        return right + adding_slip(rng)
    if kind == "other":
        return rng.randint(-20, 20)
    if kind == "wrong_pair":
        rows, cols = shape
        cells = [(k, m) for k in range(rows) for m in range(cols) if (k, m) != (i, j)]
        weights = [3 if (k, m) == (j, i) else 2 if k == i or m == j else 1 for k, m in cells]
        k, m = rng.choices(cells, weights)[0]
        return values["wrong_pair"][cells.index((k, m))]
    options = values.get(kind) or []
    return rng.choice(options) if options else None


def relu_slip(kind: str, pre: int, right: int, rng) -> int | None:
    if kind == "relu_missed":
        return pre if pre < 0 else None
    if kind == "relu_wrong":
        if pre > 0:
            return rng.choice((0, -pre))
        return -pre if pre < 0 else None
    if kind == "arithmetic":
        # A copying slip of a ReLU output: whoever applied ReLU knows it is never negative.
        value = right + adding_slip(rng)
        return value if value >= 0 else None
    return rng.randint(-20, 20)


def simulate(profile: Profile, wrong_cells: int, seed: int = 0, per_problem: int = 5) -> list[Case]:
    """`wrong_cells` cases: a random problem of the preset, every cell right but
    one, where the simulated student made one slip, and what the tutor says of it
    (`per_problem` cases from each problem, one at a time)."""
    rng = random.Random(seed)
    cases: list[Case] = []
    while len(cases) < wrong_cells:
        problem = generate.generate(profile, profile.sizes, rng.randrange(generate.MAX_SEED))
        solution = solve(problem)
        right_answers = {matrix: [[parse(int(v)) for v in row] for row in solution[matrix].tolist()]
                         for matrix in ANSWER_NAMES}
        for _ in range(per_problem):
            case = _one_slip(profile, problem, solution, right_answers, rng)
            if case is not None and len(cases) < wrong_cells:
                cases.append(case)
    return cases


def _one_slip(profile: Profile, problem, solution, right_answers, rng: random.Random) -> Case | None:
    name = rng.choice(ANSWER_NAMES)
    rows, cols = solution[name].shape
    i, j = rng.randrange(rows), rng.randrange(cols)
    right = int(solution[name][i, j])
    if name in AFFINE:
        made = rng.choices(list(AFFINE_SLIPS), list(AFFINE_SLIPS.values()))[0]
        values = affine_values(problem, name, i, j, rng)
        value = make_slip(made, values, right, i, j, (rows, cols), rng)
        explains = {kind: value in found for kind, found in values.items()}
    else:
        made = rng.choices(list(RELU_SLIPS), list(RELU_SLIPS.values()))[0]
        pre = int(solution[RELU_OF[name]][i, j])
        value = relu_slip(made, pre, right, rng)
        explains = {"relu_missed": pre < 0 and value == pre,
                    "relu_wrong": (pre > 0 and value == 0) or (pre != 0 and value == -pre)}
    if value is None or value == right:
        return None  # this slip cannot be made here, or gives the right number by luck
    answers = {matrix: [list(row) for row in grid] for matrix, grid in right_answers.items()}
    answers[name][i][j] = parse(value)
    mark = grade(problem, answers).marks[name][i][j]
    if mark.status != "wrong":
        return None
    others = [kind for kind, yes in explains.items() if yes and kind != made]
    # An adding or copying slip could have given it too, unless it is far off, or a
    # negative number in h or y (ReLU never gives one, so no copying slip of it does).
    adding = abs(value - right) <= PLAUSIBLE_ADDING_SLIP and not (name in RELU_OF and value < 0)
    only_this = made in CONCEPTUAL and not others and not adding
    return Case(profile.name, name, made, mark.diagnosis, only_this)


@dataclass(frozen=True)
class Report:
    precision: dict[str, tuple[float, int]]  # kind -> (share named rightly, times named)
    recall: dict[str, tuple[float, int]]  # conceptual kind -> (share named, cases only it explains)
    overall_recall: float  # the same over every conceptual kind together
    named_share: float  # of all wrong cells, the share that got a named slip (arithmetic included)


# "arithmetic" claims only that the row and column were right and the adding up was
# not: a product left out or counted twice bears it out as well as a slip in the sum.
BORNE_OUT_BY = {"arithmetic": {"arithmetic", "off_by_one_term"}}


def report(cases: list[Case]) -> Report:
    named = Counter(case.named for case in cases if case.named)
    right = Counter(case.named for case in cases
                    if case.named and case.made in BORNE_OUT_BY.get(case.named, {case.named}))
    precision = {kind: (right[kind] / count, count) for kind, count in sorted(named.items())}
    only = Counter(case.made for case in cases if case.only_this)
    found = Counter(case.made for case in cases if case.only_this and case.named == case.made)
    recall = {kind: (found[kind] / count, count) for kind, count in sorted(only.items())}
    overall = sum(found.values()) / max(sum(only.values()), 1)
    return Report(precision, recall, overall, sum(named.values()) / len(cases))


def adding_slips_in_h_z(profile: Profile, problems: int, seed: int = 0) -> Counter:
    """The student-loop issue's own experiment: right answers with one h_z cell off
    by 1 or 2, as an adding slip makes it; what the tutor says of each such cell."""
    rng = random.Random(seed)
    said: Counter = Counter()
    for _ in range(problems):
        problem = generate.generate(profile, profile.sizes, rng.randrange(generate.MAX_SEED))
        solution = solve(problem)
        right = {matrix: [[parse(int(v)) for v in row] for row in solution[matrix].tolist()]
                 for matrix in ANSWER_NAMES}
        for i, row in enumerate(solution.h_z.tolist()):
            for j, value in enumerate(row):
                for slip in (-2, -1, 1, 2):
                    answers = {matrix: [list(r) for r in grid] for matrix, grid in right.items()}
                    answers["h_z"][i][j] = parse(value + slip)
                    mark = grade(problem, answers).marks["h_z"][i][j]
                    said[mark.diagnosis or "nothing named"] += 1
    return said
