"""The worksheet page: settings in the URL -> `core.worksheet` -> `present.printing` -> pages.

One GET route. Its query holds every setting and the seed, so the URL is the
worksheet: reloading or sharing it gives the same sheets and the same key. A
query that is not in canonical form (a missing seed above all) is redirected to
the canonical one; settings over a limit get a 400 page that says the limit and
keeps the form as it was filled. Printing is the browser's: the page is its own
print preview, and `static/worksheet.css` gives the printed pages their size.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from .core import presets, problem_request, worksheet
from .core.answers import blank_answers
from .core.problem import DIMENSIONS
from .present import layout, printing, qr

bp = Blueprint("worksheets", __name__)

FIELDS = ("preset", *DIMENSIONS, "problems", "versions", "notation", "title", "instructions",
          "paper", "key", "seed")


@bp.get("/worksheet", endpoint="worksheet")
def page():
    args = request.args
    try:
        settings = worksheet.parse(args, new_seed=problem_request.random_seed)
        query = settings.query()
        if args.to_dict() != query or len(args.getlist("seed")) > 1:
            return redirect(url_for("worksheets.worksheet", **query))
        sheet = printing.build(settings)
    except worksheet.WorksheetError as error:
        return _form_page(error.messages), 400
    return render_template(
        "worksheet.html",
        sheet=sheet,
        settings=settings,
        values={**_form_defaults(settings.sizes), **query},
        errors=[],
        problem_url=lambda code: url_for("practice.problem", code=code, _external=True),
        home_url=url_for("practice.index", _external=True),
        layout=layout,
        work=lambda item: layout.Attempt(item.problem, blank_answers(item.problem.sizes)),
        qr_svg=qr.qr_svg,
        key_blocks=lambda item: layout.key_blocks(item.solution),
        variant=lambda **changes: url_for("worksheets.worksheet", **{**query, **changes}),
        **_choices(),
    )


def _form_defaults(sizes=None) -> dict[str, str]:
    sizes = sizes or presets.DEFAULT.sizes
    return {**worksheet.DEFAULTS, **{name: str(value) for name, value in sizes.as_dict().items()}}


def _form_page(errors: list[str]):
    """The settings form as it was filled, with what is over a limit, and no sheets."""
    typed = {name: request.args.get(name, "")[:300] for name in FIELDS if name in request.args}
    return render_template("worksheet.html", sheet=None, settings=None,
                           values={**_form_defaults(), **typed}, errors=errors, **_choices())


def _choices() -> dict:
    return dict(profiles=presets.PROFILES, notations=worksheet.NOTATIONS, papers=worksheet.PAPERS,
                keys=worksheet.ANSWER_KEY_PLACES,
                limits=dict(problems=worksheet.MAX_PROBLEMS, versions=worksheet.MAX_VERSIONS,
                            title=worksheet.MAX_TITLE, instructions=worksheet.MAX_INSTRUCTIONS),
                custom=worksheet.CUSTOM)
