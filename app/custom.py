"""The custom-problem form: a teacher types or pastes W1, b1, W2, b2 and X and
gets a code and a link that check students' answers to that very problem.

The form posts the five boxes; the core reads each matrix and checks the
shapes against each other, and any message comes back beside the form with
everything typed kept. The JSON API's custom POST /api/problems goes through
the same `problem_from_lists`. "Make a worksheet of this" posts the same form
and goes on to a class set of the problem (every version gets it).
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from .contexts import CustomPage, render
from .core import examples
from .core.codes import custom_code, display
from .core.matrixtext import MAX_TEXT, parse_matrix
from .core.problem import GIVEN_NAMES, ProblemError, problem_from_lists

bp = Blueprint("custom", __name__)

# The form starts from Prof. Tom Yeh's original exercise.
EXAMPLE = {name: examples.as_text(matrix) for name, matrix in examples.TOM_YEH.items()}


def _page(boxes: dict[str, str], error: str | None) -> CustomPage:
    code = examples.tom_yeh_code()
    return CustomPage(boxes=boxes, error=error, example=url_for("practice.problem", code=code),
                      example_worksheet=url_for("worksheets.worksheet", codes=code, mix="same"))


@bp.route("/custom", methods=["GET", "POST"])
def form():
    if request.method == "GET":
        return render("custom.html", _page(EXAMPLE, None))
    # Kept for the form as typed, but never more than a box can hold: the
    # reader refuses longer text with a message anyway.
    typed = {name: request.form.get(name, "")[: MAX_TEXT + 1] for name in GIVEN_NAMES}
    try:
        matrices = {name: parse_matrix(name, typed[name], vector=name.startswith("b"))
                    for name in GIVEN_NAMES}
        code = display(custom_code(problem_from_lists(matrices)))
    except ProblemError as error:
        return render("custom.html", _page(typed, str(error))), 400
    if request.form.get("action") == "worksheet":
        return redirect(url_for("worksheets.worksheet", codes=code, mix="same"), 303)
    return redirect(url_for("practice.problem", code=code), 303)
