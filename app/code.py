"""A problem as code: the Code view, its downloads, the output pasted back, fill-in-the-code.

Thin routes over the core and present layers:

* ``/p/<code>/code``: the problem's NumPy script (app/present/script.py) with a
  copy button, a ``.py`` and a ``.ipynb`` download, and a form that takes the
  script's printed output back;
* ``POST /p/<code>/output``: that output read by the core (printed.py) and
  answered with the practice page, its four grids filled and checked, as a
  Check without JavaScript answers (what could not be read is named on it);
* ``/p/<code>/fill``: the script with blanks in its forward pass, checked by
  reading, never running, what was typed (codecheck.py); htmx swaps the
  lines and the score in, and without JavaScript the form posts and the page
  comes back marked.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, request, url_for

from .contexts import CodePage, FillPage, render
from .core.codecheck import CodeRefused, answers_from_form, check_lines, summary
from .core.codereading import MAX_TEXT
from .core.codes import CodeError, Loaded, display, load
from .core.printed import MAX_OUTPUT, read_output
from .errors import respond
from .practice import checked_page
from .present import script

bp = Blueprint("code", __name__)


def _loaded(code: str) -> Loaded:
    try:
        return load(code)
    except CodeError as error:
        raise _NotFound(str(error)) from None


class _NotFound(Exception):
    pass


@bp.errorhandler(_NotFound)
def not_found(error: _NotFound):
    return respond(404, str(error))


def _link(loaded: Loaded) -> str:
    return url_for("practice.problem", code=display(loaded.code), _external=True)


@bp.get("/p/<code>/code")
def show(code: str):
    loaded = _loaded(code)
    return _code_page(loaded)


def _code_page(loaded: Loaded, output: str = "", error: str | None = None, status: int = 200):
    shown = display(loaded.code)
    page = CodePage(code=shown, script=script.python_file(loaded.problem, shown, _link(loaded)),
                    output=output, error=error)
    return render("code.html", page), status


@bp.get("/p/<code>/handgrid-<name>.py")
def python_file(code: str, name: str):
    loaded = _loaded(code)
    shown = display(loaded.code)
    return _download(script.python_file(loaded.problem, shown, _link(loaded)), "text/x-python", shown, "py")


@bp.get("/p/<code>/handgrid-<name>.ipynb")
def notebook(code: str, name: str):
    loaded = _loaded(code)
    shown = display(loaded.code)
    return _download(script.notebook(loaded.problem, shown, _link(loaded)), "application/x-ipynb+json",
                     shown, "ipynb")


def _download(text: str, mimetype: str, shown: str, extension: str) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="handgrid-{shown}.{extension}"'
    return response


@bp.post("/p/<code>/output")
def output(code: str):
    """The script's printed output, pasted back: the practice page, filled and checked."""
    loaded = _loaded(code)
    text = request.form.get("output", "")
    reading = read_output(text, loaded.problem.sizes)
    if not reading.read:
        return _code_page(loaded, text[: MAX_OUTPUT + 1], reading.message, 400)
    return checked_page(loaded, reading.answers, reading.message)


@bp.route("/p/<code>/fill", methods=["GET", "POST"])
def fill(code: str):
    loaded = _loaded(code)
    shown = display(loaded.code)
    form = request.form.to_dict() if request.method == "POST" else {}
    typed = {name: value[: MAX_TEXT + 1] for name, value in form.items()}  # kept as typed, to a limit
    marks, score, error, status = None, None, None, 200
    if request.method == "POST":
        try:
            marks = check_lines(loaded.problem.sizes, answers_from_form(form))
            score = summary(marks)[1]
        except CodeRefused as refused:
            error, status = str(refused), 400
    htmx = request.headers.get("HX-Request") == "true"
    page = FillPage(code=shown, given=script.given_part(loaded.problem, shown, _link(loaded)),
                    lines=script.fill_lines(typed, marks), score=score, error=error, fragment=htmx)
    response = make_response(render("_fill.html" if htmx else "fill.html", page), status)
    response.headers["Vary"] = "HX-Request"
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"  # it holds what the student typed
    return response
