"""Prof. Tom Yeh's original exercise, the worked example of docs and pages
(/work/shared/LAYOUT.md: 3 features, 4 hidden units, 2 outputs, a batch of 3).

The custom-problem form starts from its matrices, and both that page and the
worksheet form offer it as one click: a teacher sees at once what a problem of
their own looks like, on screen and in a class set.
"""

from __future__ import annotations

from functools import lru_cache

from .codes import custom_code, display
from .problem import problem_from_lists

TOM_YEH = {
    "W1": [[1, 0, 0], [0, 1, 1], [1, 1, -1], [1, -1, 1]],
    "b1": [1, 0, -2, -1],
    "W2": [[1, 1, 0, 1], [-1, 1, -1, 1]],
    "b2": [1, -3],
    "X": [[0, 1, 1], [3, 3, 1], [2, 0, 0]],
}


@lru_cache(maxsize=1)
def tom_yeh_code() -> str:
    """The exercise's ``C`` code, in groups of five."""
    return display(custom_code(problem_from_lists(TOM_YEH)))


def as_text(matrix: list[list[int]] | list[int]) -> str:
    """A matrix as the custom form's boxes show it: a row per line (a vector on one line)."""
    rows = [row if isinstance(row, list) else [row] for row in matrix]
    if all(len(row) == 1 for row in rows) and not isinstance(matrix[0], list):
        return " ".join(str(row[0]) for row in rows)
    return "\n".join(" ".join(str(value) for value in row) for row in rows)
