"""Deterministic generation of by-hand problems from (profile, sizes, seed, version).

Two promises shape this module:

* The same (profile, sizes, seed, version) gives the same problem on any
  machine and after any upgrade, because problem codes store only those four
  (the version is the code's first letter: `G` for 1, `H` for 2). Every number
  comes from app/core/draws.py, whose streams never change; the golden tests
  pin the results. A better generator is a new version, never an edit.
* Generation always ends quickly. Candidate rows are drawn in fixed-size
  batches and the first one that fits is kept, a whole attempt is repeated at
  most `ATTEMPTS` times, and only then does a fixed fallback seed take over;
  a test runs that fallback for every profile and size to prove it succeeds.
  No loop depends on luck to terminate.

This module is version 1 (every rule below), and the front door to both:
version 2 (app/core/generate_v2.py) adds rules that keep the second layer
busy. In the few tiny custom shapes where version 2's rules cannot hold (one
input, one hidden unit, a batch of two), a version-2 code gets the version-1
problem of the same seed.
"""

from __future__ import annotations

import numpy as np

from . import generate_v2
from .draws import Draw, draw_inputs
from .presets import Profile
from .problem import Problem, Sizes, layer, relu

SEED_BITS = 26
MAX_SEED = (1 << SEED_BITS) - 1
ROW_CANDIDATES = 48  # rows drawn at once; the first that meets every rule is kept
ATTEMPTS = 6
FALLBACK_SEED = MAX_SEED + 1  # outside the range a code can hold
FALLBACK_ATTEMPTS = 64
VERSIONS = (1, 2)
NEWEST = VERSIONS[-1]


def generate(profile: Profile, sizes: Sizes, seed: int, version: int = NEWEST) -> Problem:
    """The problem behind a code. Strict rules first; only tiny shapes ever need
    the relaxed ones, and only a proven fallback key is left after that."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be within 0..{MAX_SEED}")
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}")
    if version == 2:
        found = generate_v2.generate(profile, sizes, seed)
        if found is not None:
            return found
    for strict in (True, False):
        problem = _search(profile, sizes, seed, ATTEMPTS, strict)
        if problem is not None:
            return problem
    problem = _search(profile, sizes, FALLBACK_SEED, FALLBACK_ATTEMPTS, strict=False)
    if problem is None:  # pragma: no cover - ruled out for every size by test_fallback_always_succeeds
        raise RuntimeError(f"no problem found for {profile.name} {sizes}")
    return problem


def _search(profile: Profile, sizes: Sizes, seed: int, attempts: int, strict: bool) -> Problem | None:
    draw = Draw([seed, profile.id, *sizes.as_dict().values()])
    for _ in range(attempts):
        X = draw_inputs(draw, profile, sizes)
        first = _layer(draw, profile, X, sizes.hidden, strict)
        if first is None:
            continue
        W1, b1 = first
        second = _layer(draw, profile, relu(layer(W1, X, b1)), sizes.outputs, strict)
        if second is None:
            continue
        W2, b2 = second
        return Problem(W1=W1, b1=b1, W2=W2, b2=b2, X=X)
    return None


def _layer(draw: Draw, profile: Profile, inputs: np.ndarray, rows: int,
           strict: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """[W | b] for one layer whose pre-activation stays within the profile's bound
    and has work for ReLU: a negative and a positive entry. A 1x1 result, which
    cannot have both, is positive; so is a one-row result when not `strict`,
    which tiny shapes need (one input row of 0s and 1s through a weight of
    -1..1 cannot reach both signs). Returns None when a row finds no fit."""
    features, batch = inputs.shape
    roles = ["any"] * rows
    if rows * batch == 1:
        roles[0] = "pos"
    elif rows == 1:
        roles[0] = "both" if strict else "pos"
    else:
        neg, pos = draw.distinct(2, 0, rows - 1)
        roles[neg], roles[pos] = "neg", "pos"
    weights, biases = [], []
    for role in roles:
        W = draw.choose(profile.weights, (ROW_CANDIDATES, features))
        b = draw.between(*profile.biases, ROW_CANDIDATES)
        values = W @ inputs + b[:, None]
        fits = W.any(axis=1) & (np.abs(values) <= profile.bound).all(axis=1)
        if role in ("neg", "both"):
            fits &= (values < 0).any(axis=1)
        if role in ("pos", "both"):
            fits &= (values > 0).any(axis=1)
        found = np.flatnonzero(fits)
        if found.size == 0:
            return None
        weights.append(W[found[0]])
        biases.append(b[found[0]])
    return np.array(weights), np.array(biases)
