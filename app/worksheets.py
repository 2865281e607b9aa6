"""The worksheet page: settings in the URL -> `core.worksheet` -> `present.printing` -> pages.

One GET route. Its query holds every setting and the seed, so the URL is the
worksheet: reloading or sharing it gives the same sheets and the same key. A
query that is not in canonical form (a missing seed above all) is redirected to
the canonical one; settings over a limit get a 400 page that says the limit and
keeps the form as it was filled. Printing is the browser's: the page is its own
print preview, and `static/worksheet.css` gives the printed pages their size.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from markupsafe import Markup

from .contexts import DrawnProblem, WorksheetPage, render
from .core import presets, problem_request, worksheet
from .core.answers import blank_answers
from .core.problem import DIMENSIONS
from .core.worksheet import Item
from .present import layout, printing, qr

bp = Blueprint("worksheets", __name__)

FIELDS = ("preset", *DIMENSIONS, "problems", "versions", "notation", "title", "instructions",
          "paper", "key", "seed")
MAX_ECHO = 300  # characters of each field shown back in a form that broke a limit


@bp.get("/worksheet", endpoint="worksheet")
def page():
    args = request.args
    try:
        settings = worksheet.parse(args, new_seed=problem_request.random_seed)
        query = settings.query()
        if args.to_dict() != query or len(args.getlist("seed")) > 1:
            return redirect(url_for("worksheets.worksheet", **query))
        printed = printing.build(settings)
    except worksheet.WorksheetError as error:
        return _form_page(error.messages), 400
    items = [item for version in printed.versions for item in version.items]
    return render("worksheet.html", WorksheetPage(
        values={**_form_defaults(settings.sizes), **query}, errors=[], worksheet=printed,
        drawn={item.code: _drawn(item, settings.notation) for item in items},
        link=request.url, home=url_for("practice.index", _external=True),
        without_key=url_for("worksheets.worksheet", **{**query, "key": "none"}),
        key_only=url_for("worksheets.worksheet", **{**query, "key": "only"}), **_choices()))


def _drawn(item: Item, notation: str) -> DrawnProblem:
    link = url_for("practice.problem", code=item.code, _external=True)
    blank = layout.Attempt(item.problem, blank_answers(item.problem.sizes))
    parts = layout.equations(blank) if notation == "numpy" else layout.staircase(blank)
    return DrawnProblem(link, Markup(qr.qr_svg(link)), parts, layout.key_blocks(item.solution))


def _form_defaults(sizes=None) -> dict[str, str]:
    sizes = sizes or presets.DEFAULT.sizes
    return {**worksheet.DEFAULTS, **{name: str(value) for name, value in sizes.as_dict().items()}}


def _form_page(errors: list[str]) -> str:
    """The settings form as it was filled, with what is over a limit, and no sheets."""
    typed = {name: request.args.get(name, "")[:MAX_ECHO] for name in FIELDS if name in request.args}
    return render("worksheet.html", WorksheetPage(
        values={**_form_defaults(), **typed}, errors=errors, worksheet=None, drawn={}, link=request.url,
        home="", without_key="", key_only="", **_choices()))


def _choices() -> dict:
    return dict(profiles=presets.PROFILES, custom=worksheet.CUSTOM, dimensions=DIMENSIONS,
                notations=worksheet.NOTATIONS, papers=worksheet.PAPERS,
                answer_key_places=worksheet.ANSWER_KEY_PLACES)
