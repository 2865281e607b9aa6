"""Generation: every generated problem obeys its profile's rules, is determined
by (profile, sizes, seed), and generation always ends.

The preset ranges are checked twice: through `rule_breaks` below and by
direct NumPy assertions against the table in presets' docstring, written out
here, so a bug in rule_breaks (or an edited profile) cannot hide a bug in
generate. The exhaustive fallback test is the proof that `generate()` ends.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import generate, presets
from app.core.presets import Profile
from app.core.problem import Problem, Sizes, solve

ALL_SIZES = [Sizes(*s) for s in itertools.product(range(1, 7), repeat=4)]
PRESET_SEEDS = range(300)

def rule_breaks(problem: Problem, profile: Profile, strict: bool = True) -> list[str]:
    """Every rule of a good generated problem that `problem` breaks (empty when none),
    checked from the finished problem, apart from how generation meets them."""
    sizes, solution, breaks = problem.sizes, solve(problem), []
    low, high = profile.inputs[0], profile.input_high(sizes)
    if problem.X.min() < low or problem.X.max() > high:
        breaks.append("X outside its range")
    if not problem.X.any():
        breaks.append("X all zeros")
    if len({tuple(column) for column in problem.X.T.tolist()}) != sizes.batch:
        breaks.append("repeated input column")
    for name in ("W1", "W2"):
        W = getattr(problem, name)
        if not set(W.ravel().tolist()) <= set(profile.weights):
            breaks.append(f"{name} outside its range")
        if not W.any(axis=1).all():
            breaks.append(f"{name} has an all-zero row")
    for name in ("b1", "b2"):
        b = getattr(problem, name)
        if b.min() < profile.biases[0] or b.max() > profile.biases[1]:
            breaks.append(f"{name} outside its range")
    for name in ("h_z", "y_z"):
        values = solution[name]
        if np.abs(values).max() > profile.bound:
            breaks.append(f"{name} outside -{profile.bound}..{profile.bound}")
        both = values.size > 1 and (strict or values.shape[0] > 1)
        if both and not ((values < 0).any() and (values > 0).any()):
            breaks.append(f"ReLU has nothing to do in {name}")
        if not both and not (values > 0).any():
            breaks.append(f"{name} has no positive entry")
    return breaks


# The table in presets' docstring: sizes, weights, biases, inputs, |h_z|,|y_z| bound.
TABLE = {
    "gentle": (Sizes(2, 3, 2, 2), (-1, 1), (-3, 1), (0, 2), 6),
    "classic": (Sizes(3, 4, 2, 3), (-1, 1), (-5, 2), (0, 3), 9),
    "challenge": (Sizes(4, 5, 3, 4), (-2, 2), (-9, 5), (0, 4), 19),
}


def pre_activations(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """h_z and y_z computed here, not by problem.solve."""
    h_z = problem.W1 @ problem.X + problem.b1.reshape(-1, 1)
    y_z = problem.W2 @ np.maximum(h_z, 0) + problem.b2.reshape(-1, 1)
    return h_z, y_z


def direct_breaks(problem: Problem, name: str, strict: bool = True) -> list[str]:
    """The docstring rules, checked without rule_breaks."""
    sizes = problem.sizes
    _, weights, biases, inputs, bound = TABLE[name]
    in_high = max(inputs[1], inputs[0] + sizes.batch - 1) if sizes.inputs == 1 else inputs[1]
    breaks = []
    if problem.X.min() < inputs[0] or problem.X.max() > in_high:
        breaks.append("X range")
    if len(set(map(tuple, problem.X.T.tolist()))) != sizes.batch:
        breaks.append("equal X columns")
    if not problem.X.any():
        breaks.append("X all zero")
    for W in (problem.W1, problem.W2):
        if W.min() < weights[0] or W.max() > weights[1]:
            breaks.append("weight range")
        if (W == 0).all(axis=1).any():
            breaks.append("all-zero weight row")
    for b in (problem.b1, problem.b2):
        if b.min() < biases[0] or b.max() > biases[1]:
            breaks.append("bias range")
    for values in pre_activations(problem):
        if np.abs(values).max() > bound:
            breaks.append("bound")
        needs_both = values.size > 1 and (strict or values.shape[0] > 1)
        if not (values > 0).any() or (needs_both and not (values < 0).any()):
            breaks.append("signs")
    return breaks


def assert_shapes(problem: Problem, sizes: Sizes) -> None:
    i, h, o, b = sizes.inputs, sizes.hidden, sizes.outputs, sizes.batch
    assert problem.W1.shape == (h, i) and problem.b1.shape == (h,)
    assert problem.W2.shape == (o, h) and problem.b2.shape == (o,)
    assert problem.X.shape == (i, b)
    assert problem.sizes == sizes


def test_profiles_match_the_documented_table():
    assert [p.name for p in presets.PROFILES] == list(TABLE)
    for profile in presets.PROFILES:
        sizes, weights, biases, inputs, bound = TABLE[profile.name]
        assert profile.sizes == sizes
        assert (min(profile.weights), max(profile.weights)) == weights
        assert set(profile.weights) == set(range(weights[0], weights[1] + 1))
        assert (profile.biases, profile.inputs, profile.bound) == (biases, inputs, bound)
    assert presets.CUSTOM_SIZES_PROFILE is presets.BY_NAME["classic"]


@pytest.mark.parametrize("version", generate.VERSIONS)
@pytest.mark.parametrize("profile", presets.PROFILES, ids=lambda p: p.name)
def test_presets_obey_every_strict_rule_over_300_seeds(profile, version):
    for seed in PRESET_SEEDS:
        problem = generate.generate(profile, profile.sizes, seed, version)
        assert_shapes(problem, profile.sizes)
        assert rule_breaks(problem, profile) == [], seed
        assert direct_breaks(problem, profile.name) == [], seed


def test_classic_preset_obeys_the_classic_ranges_directly():
    profile = presets.BY_NAME["classic"]
    for seed in PRESET_SEEDS:
        p = generate.generate(profile, profile.sizes, seed)
        assert set(np.unique(np.concatenate([p.W1.ravel(), p.W2.ravel()]))) <= {-1, 0, 1}
        assert p.b1.min() >= -5 and p.b2.min() >= -5 and p.b1.max() <= 2 and p.b2.max() <= 2
        assert p.X.min() >= 0 and p.X.max() <= 3
        for values in pre_activations(p):
            assert -9 <= values.min() and values.max() <= 9
            assert (values < 0).any() and (values > 0).any()
        assert p.W1.any(axis=1).all() and p.W2.any(axis=1).all()
        columns = p.X.T.tolist()
        assert all(a != b for a, b in itertools.combinations(columns, 2))


@pytest.mark.parametrize("version", generate.VERSIONS)
@pytest.mark.parametrize("profile", presets.PROFILES, ids=lambda p: p.name)
def test_every_custom_size_obeys_the_relaxed_rules(profile, version):
    seeds = (0, 1, 2) if profile is presets.CUSTOM_SIZES_PROFILE else (3, 4)
    for sizes in ALL_SIZES:
        for seed in seeds:
            problem = generate.generate(profile, sizes, seed, version)
            assert_shapes(problem, sizes)
            assert rule_breaks(problem, profile, strict=False) == [], (sizes, seed)
            assert direct_breaks(problem, profile.name, strict=False) == [], (sizes, seed)


@pytest.mark.parametrize("profile", presets.PROFILES, ids=lambda p: p.name)
def test_fallback_always_succeeds(profile):
    """Generation ends: the fixed fallback key finds a problem for every size."""
    for sizes in ALL_SIZES:
        problem = generate._search(profile, sizes, generate.FALLBACK_SEED,
                                   generate.FALLBACK_ATTEMPTS, strict=False)
        assert problem is not None, sizes
        assert_shapes(problem, sizes)
        assert rule_breaks(problem, profile, strict=False) == [], sizes


sizes_strategy = st.builds(Sizes, *[st.integers(1, 6)] * 4)


@settings(derandomize=True, deadline=None, max_examples=150)
@given(st.sampled_from(presets.PROFILES), sizes_strategy, st.integers(0, generate.MAX_SEED),
       st.sampled_from(generate.VERSIONS))
def test_same_profile_sizes_and_seed_give_an_equal_problem(profile, sizes, seed, version):
    first = generate.generate(profile, sizes, seed, version)
    again = generate.generate(profile, sizes, seed, version)
    assert first == again
    assert first.as_lists() == again.as_lists()


@pytest.mark.parametrize("profile", presets.PROFILES, ids=lambda p: p.name)
def test_different_seeds_mostly_give_different_problems(profile):
    problems = {generate.generate(profile, profile.sizes, seed) for seed in range(200)}
    assert len(problems) >= 195


def test_near_and_far_seeds_give_different_problems():
    # Neighbouring seeds and high seed bits both change the problem.
    classic = presets.DEFAULT
    base = generate.generate(classic, classic.sizes, 0)
    others = [generate.generate(classic, classic.sizes, s) for s in (1, 2, 1 << 20, generate.MAX_SEED)]
    assert all(other != base for other in others)


def test_sizes_and_profile_are_part_of_the_key():
    classic, gentle = presets.BY_NAME["classic"], presets.BY_NAME["gentle"]
    assert generate.generate(classic, gentle.sizes, 5) != generate.generate(gentle, gentle.sizes, 5)


@pytest.mark.parametrize("seed", [-1, generate.MAX_SEED + 1, generate.FALLBACK_SEED, 1 << 40])
def test_seeds_outside_the_code_range_raise(seed):
    with pytest.raises(ValueError, match="seed must be within"):
        generate.generate(presets.DEFAULT, presets.DEFAULT.sizes, seed)


def test_the_largest_seed_is_accepted():
    assert generate.MAX_SEED == 2**26 - 1
    problem = generate.generate(presets.DEFAULT, presets.DEFAULT.sizes, generate.MAX_SEED)
    assert rule_breaks(problem, presets.DEFAULT) == []


GOOD = dict(W1=[[1, -1], [0, 1]], b1=[0, -1], W2=[[1, -1]], b2=[0], X=[[1, 2], [2, 0]])


@pytest.mark.parametrize("change, broken", [
    ({}, None),
    ({"W1": [[2, -1], [0, 1]]}, "W1 outside its range"),
    ({"W1": [[0, 0], [0, 1]]}, "W1 has an all-zero row"),
    ({"b2": [3]}, "b2 outside its range"),
    ({"X": [[1, 1], [2, 2]]}, "repeated input column"),
    ({"X": [[4, 2], [2, 0]]}, "X outside its range"),
    ({"b1": [-5, -5]}, "ReLU has nothing to do in h_z"),
    ({"b1": [9, -1]}, "h_z outside -9..9"),
])
def test_rule_breaks_catches_each_broken_rule(change, broken):
    """rule_breaks is not vacuous: a good hand-made problem passes, each break is named."""
    problem = Problem(**{**GOOD, **change})
    breaks = rule_breaks(problem, presets.DEFAULT)
    if broken is None:
        assert breaks == []
    else:
        assert broken in breaks
    assert (direct_breaks(problem, "classic") == []) == (broken is None)
