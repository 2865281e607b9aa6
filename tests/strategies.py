"""Hypothesis strategies shared by the core's tests."""

from __future__ import annotations

from hypothesis import strategies as st

from app.core.problem import Problem, Sizes


def sizes(largest: int = 6):
    return st.builds(Sizes, *[st.integers(1, largest)] * 4)


@st.composite
def problems(draw, low: int = -99, high: int = 99, shapes=None):
    """Problems of any values in low..high, with sizes drawn from `shapes` (default: every size)."""
    s = draw(shapes if shapes is not None else sizes())

    def matrix(rows, cols):
        return draw(st.lists(st.lists(st.integers(low, high), min_size=cols, max_size=cols),
                             min_size=rows, max_size=rows))

    return Problem(W1=matrix(s.hidden, s.inputs), b1=matrix(1, s.hidden)[0],
                   W2=matrix(s.outputs, s.hidden), b2=matrix(1, s.outputs)[0],
                   X=matrix(s.inputs, s.batch))
