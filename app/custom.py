"""The custom-problem form: a teacher types or pastes W1, b1, W2, b2 and X and
gets a code and a link that check students' answers to that very problem.

The form posts the five boxes; the core reads each matrix and checks the
shapes against each other, and any message comes back beside the form with
everything typed kept. The JSON API's custom POST /api/problems goes through
the same `problem_from_lists`.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from .contexts import CustomPage, render
from .core.codes import custom_code, display
from .core.matrixtext import MAX_TEXT, parse_matrix
from .core.problem import GIVEN_NAMES, ProblemError, problem_from_lists

bp = Blueprint("custom", __name__)

EXAMPLE = {
    "W1": "1 0 0\n0 1 1\n1 1 -1\n1 -1 1",
    "b1": "1 0 -2 -1",
    "W2": "1 1 0 1\n-1 1 -1 1",
    "b2": "1 -3",
    "X": "0 1 1\n3 3 1\n2 0 0",
}


@bp.route("/custom", methods=["GET", "POST"])
def form():
    if request.method == "GET":
        return render("custom.html", CustomPage(boxes=EXAMPLE, error=None))
    # Kept for the form as typed, but never more than a box can hold: the
    # reader refuses longer text with a message anyway.
    typed = {name: request.form.get(name, "")[: MAX_TEXT + 1] for name in GIVEN_NAMES}
    try:
        matrices = {name: parse_matrix(name, typed[name], vector=name.startswith("b"))
                    for name in GIVEN_NAMES}
        code = display(custom_code(problem_from_lists(matrices)))
    except ProblemError as error:
        return render("custom.html", CustomPage(boxes=typed, error=str(error))), 400
    return redirect(url_for("practice.problem", code=code), 303)
