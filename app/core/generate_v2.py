"""Generator version 2: problems whose second layer has something to multiply.

Version 1 (app/core/generate.py, `G` codes) drew each row of [W | b] from a
batch of random candidates and kept the first that fit. With the presets'
biases leaning negative, two thirds of h came out 0 and half the hidden units
were 0 for the whole batch, so the second layer was mostly multiplication by
zero. Tom Yeh's own batch exercise has 5 zeros of 12 in h. Version 2 (`H`
codes) keeps the presets' ranges and adds these rules:

* every hidden unit is alive: its row of h has a positive entry;
* at most half of h is zero: rows are chosen one by one within what is left
  of that budget;
* ReLU still has work in both layers: the first row of each layer has a
  negative and a positive entry (with a batch of one, a negative row, which
  is then a unit that is off: the one allowed);
* every column of y has a positive entry when there are two outputs or more,
  so no input vector comes out as all zeros.

How rows are found: `ROW_CANDIDATES` random rows are drawn from the profile's
tables, as in version 1, and the first that fits is kept (so it is a draw from
the tables given the rules). When none fits, every row the tables allow is
listed (cached per profile and width) and one that fits is picked with one
random word: a row is found whenever one exists. Inputs X are drawn one after
another, at most `X_CANDIDATES` of them, and the first X that yields a whole
problem is kept: the work per problem is bounded, and no loop depends on luck.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

import numpy as np

from .draws import Draw, draw_inputs
from .presets import Profile
from .problem import Problem, Sizes, layer, relu

X_CANDIDATES = 16  # inputs tried in order within one attempt; the first that works is kept
ROW_CANDIDATES = 64  # random rows tried at once before all rows are listed
VERSION = 2


def generate(profile: Profile, sizes: Sizes, seed: int) -> Problem | None:
    """The version-2 problem of (profile, sizes, seed), or None when no input of
    the attempt admits one (generate.py then falls back, as for version 1)."""
    draw = Draw([seed, profile.id, *sizes.as_dict().values(), VERSION])
    for _ in range(X_CANDIDATES):
        X = draw_inputs(draw, profile, sizes)
        first = _layer(draw, profile, X, sizes.hidden, zero_budget=sizes.hidden * sizes.batch // 2)
        if first is None:
            continue
        W1, b1 = first
        second = _layer(draw, profile, relu(layer(W1, X, b1)), sizes.outputs,
                        cover=sizes.outputs > 1)
        if second is None:
            continue
        return Problem(W1=W1, b1=b1, W2=second[0], b2=second[1], X=X)
    return None


def _layer(draw: Draw, profile: Profile, inputs: np.ndarray, rows: int, *,
           zero_budget: int | None = None, cover: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """[W | b] for one layer under the rules of the module docstring, or None."""
    features, batch = inputs.shape
    weights, biases = [], []
    covered = np.zeros(batch, dtype=bool)
    budget = zero_budget
    for row in range(rows):
        rule = _Rule(row == 0 and batch > 1, row == 0 and batch == 1 and rows > 1, budget,
                     ~covered if cover and row == rows - 1 else None)
        # Random candidates first: the first that fits is a draw from the profile's
        # tables given the rules. Only when none fits are all rows listed.
        W = draw.choose(profile.weights, (ROW_CANDIDATES, features))
        b = draw.between(*profile.biases, ROW_CANDIDATES)
        found = np.flatnonzero(rule.fits(profile, W @ inputs + b[:, None], W))
        if found.size:
            pick_w, pick_b = W[found[0]], b[found[0]]
        else:
            W, b = _all_rows(profile, features)
            found = np.flatnonzero(rule.fits(profile, W @ inputs + b[:, None], W))
            if found.size == 0:
                return None
            pick = found[int(draw.below(found.size, 1)[0])]
            pick_w, pick_b = W[pick], b[pick]
        values = pick_w @ inputs + pick_b
        covered |= values > 0
        if budget is not None:
            budget -= int((values <= 0).sum())
        weights.append(pick_w)
        biases.append(pick_b)
    return np.array(weights), np.array(biases)


class _Rule:
    """What one row must do (see the module docstring)."""

    def __init__(self, both: bool, dead: bool, zero_budget: int | None, cover: np.ndarray | None) -> None:
        self.both, self.dead, self.zero_budget, self.cover = both, dead, zero_budget, cover

    def fits(self, profile: Profile, values: np.ndarray, W: np.ndarray) -> np.ndarray:
        positive = values > 0
        fits: np.ndarray = W.any(axis=1) & (np.abs(values) <= profile.bound).all(axis=1)
        if self.dead:  # a batch of one: the negative is the unit's only value
            fits &= (values < 0).all(axis=1)
            return fits
        fits &= positive.any(axis=1)
        if self.both:
            fits &= (values < 0).any(axis=1)
        if self.zero_budget is not None:
            fits &= (~positive).sum(axis=1) <= self.zero_budget
        if self.cover is not None:
            fits &= positive[:, self.cover].all(axis=1)
        return fits


@lru_cache(maxsize=64)
def _all_rows(profile: Profile, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row the profile's tables allow, each weight value once, with every bias."""
    values = sorted(set(profile.weights))
    weights = np.array(list(product(values, repeat=width)), dtype=np.int64)
    low, high = profile.biases
    bias_values = np.arange(low, high + 1, dtype=np.int64)
    W = np.repeat(weights, len(bias_values), axis=0)
    b = np.tile(bias_values, len(weights))
    W.setflags(write=False)
    b.setflags(write=False)
    return W, b
