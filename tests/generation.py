"""What makes a generated problem worth doing by hand, measured over many seeds.

The generation targets of the student-loop issue, in one place: the tests hold
generator version 2 to them (tests/test_generate_v2.py), and `make bench`
prints the same figures for both versions side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core import generate
from app.core.presets import Profile
from app.core.problem import solve


@dataclass(frozen=True)
class Statistics:
    problems: int
    h_zeros: float  # mean share of h's entries that are 0
    h_zeros_worst: float  # the largest share in any one problem
    dead_units_worst: int  # the most hidden units that are 0 for the whole batch, in any problem
    dead_units_share: float  # share of problems with at least one such unit
    y_all_zero: float  # share of problems whose y is all 0
    y_column_zero: float  # share of problems with a column of y (an input vector's output) all 0


def statistics(profile: Profile, seeds: range, version: int) -> Statistics:
    zeros, dead, y_all, y_column = [], [], 0, 0
    for seed in seeds:
        solution = solve(generate.generate(profile, profile.sizes, seed, version))
        h_zero, y_zero = solution.h == 0, solution.y == 0
        zeros.append(float(h_zero.mean()))
        dead.append(int(h_zero.all(axis=1).sum()))
        y_all += bool(y_zero.all())
        y_column += bool(y_zero.all(axis=0).any())
    count = len(zeros)
    return Statistics(count, float(np.mean(zeros)), max(zeros), max(dead),
                      sum(d > 0 for d in dead) / count, y_all / count, y_column / count)
