"""A class's slips as a teacher reads them: "9 of 28 left out the bias in h_z".

The tutor names one slip per wrong cell (app/core/diagnosis.py, its `Kind`s);
the dashboard counts, per matrix and kind, how many students made it. Each kind
is said here in the tutor's own words (its messages to the student, and the
README's list of slips), turned to the third person, so the teacher and the
student read the same slip the same way.
"""

from __future__ import annotations

from ..core.diagnosis import KINDS

# "<n> of <students> <phrase> in <matrix>": the verb phrase of each kind (diagnosis.Kind).
PHRASES: dict[str, str] = {
    "arithmetic": "made an adding slip (the right row and column, the sum off)",
    "no_bias": "left out the bias",
    "wrong_pair": "used another cell's row and column",
    "transposed": "mixed up rows and columns (W's column for its row, or the whole matrix transposed)",
    "relu_missed": "kept a negative number through ReLU",
    "relu_wrong": "misapplied ReLU (a positive set to 0, or the sign flipped)",
    "sign_slip": "got the size right and the sign wrong",
    "off_by_one_term": "left out one product or counted it twice",
}
assert set(PHRASES) == set(KINDS)


def phrase(kind: str) -> str:
    """The verb phrase of a slip kind; a kind this version does not know is said plainly."""
    return PHRASES.get(kind, f"made a slip of the kind “{kind}”")


def line(kind: str, matrix: str, students: int, of: int) -> str:
    """One line of the class's slips, e.g. "9 of 28 left out the bias in h_z"."""
    return f"{students} of {of} {phrase(kind)} in {matrix}"
