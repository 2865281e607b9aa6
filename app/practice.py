"""The practice pages: a problem from its code, blank grids, marks on Check.

A request's path goes: code in the URL -> `codes.load` -> answers read from the
form -> `grading.grade` -> `layout` blocks -> templates. The same partial,
``_work.html``, is the htmx fragment and the middle of the full page, so the
page works without JavaScript and htmx only saves the reload. A Check with htmx
gets only the marks (`marks.check_answer`), drawn by the page's own macros.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Blueprint, current_app, make_response, redirect, request, url_for

from .contexts import ProblemPage, StartPage, render
from .core import presets, problem_request
from .core.answers import answers_from_form, blank_answers, cell_of
from .core.codes import MAX_TYPED, WORKSHEET, CodeError, Generated, display, load
from .core.grading import grade
from .core.problem import ANSWER_NAMES, DIMENSIONS, MAX_SIZE, MIN_SIZE, ProblemError
from .core.working import working
from .marks import check_answer
from .present import layout

bp = Blueprint("practice", __name__)


@bp.get("/")
def index():
    return redirect(url_for("practice.new"))


@bp.get("/new")
def new():
    """A fresh problem of a preset (default classic) or of custom sizes."""
    args = request.args
    try:
        if any(name in args for name in DIMENSIONS):
            sizes = {name: _size_arg(args.get(name, "")) for name in DIMENSIONS}
            code = problem_request.code_for({"sizes": sizes})
        else:
            code = problem_request.code_for({"preset": args.get("preset", presets.DEFAULT.name)})
    except ProblemError as error:
        return _start_page(str(error), status=400)
    view = _view()
    return redirect(url_for("practice.problem", code=code, **({"view": view} if view != "grid" else {})))


@bp.get("/open")
def open_code():
    """Where the "open a code" form goes: to the problem, or back with a message.
    A worksheet's set or version code (scheme W) goes to the worksheet's pages."""
    typed = request.args.get("code", "")
    if typed.strip()[:1].upper() == WORKSHEET and len(typed) <= MAX_TYPED * 2:
        return redirect(url_for("worksheets.code", code=typed.strip()))
    try:
        code = load(typed).code
    except CodeError as error:
        return _start_page(str(error), typed=typed[:MAX_TYPED], status=400)
    return redirect(url_for("practice.problem", code=display(code)))


@bp.route("/p/<code>", methods=["GET", "POST"])
def problem(code: str):
    try:
        loaded = load(code)
    except CodeError as error:
        return _start_page(str(error), typed=code[:MAX_TYPED], status=404)
    problem, generated = loaded.problem, loaded.generated
    shown = display(loaded.code)
    if shown != code:
        # The query string goes along as it came: as url_for keywords, a "code" or
        # "_external" in it would clash with the real ones or change the address.
        query = request.query_string.decode("latin-1")
        location = url_for("practice.problem", code=shown) + (f"?{query}" if query else "")
        return redirect(location, 301)

    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "GET" and not htmx:
        return _blank_page(shown, problem, generated)

    form = request.form
    posted = request.method == "POST"
    checked = posted and (form.get("action") == "check" or form.get("checked") == "1")
    # A plain dict for the 36 lookups of the cells: a MultiDict's get is Python.
    answers = answers_from_form(problem.sizes, form.to_dict()) if posted else blank_answers(problem.sizes)
    revealed = _revealed(form) if posted else frozenset()
    report = grade(problem, answers, revealed) if checked else None
    attempt = layout.Attempt(problem, answers, report, revealed, _hint(problem, form) if posted else None)
    if htmx and form.get("action") == "check":
        response = make_response(check_answer(attempt))
        response.headers["HX-Reswap"] = "none"  # the marks arrive out of band, by id
    else:
        response = make_response(render("_work.html" if htmx else "practice.html",
                                        _problem_page(shown, generated, attempt, htmx)))
    response.headers["Vary"] = "HX-Request"
    # A page holds what the student typed; it is nobody else's to keep.
    response.headers["Cache-Control"] = "no-store"
    return response


def _blank_page(shown: str, problem, generated):
    """A problem as everyone first sees it: the same page for every visitor of a
    code (it never holds an answer), so it is drawn once and remembered, and a
    browser that has it already gets a 304 (its ETag is a hash of the page)."""
    view = _view()
    page, etag = _remembered_pages()(shown, view, request.url_root, problem, generated)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(page)
    response.set_etag(etag)
    response.headers["Vary"] = "HX-Request"
    # Kept, but asked about again each time (the ETag makes that cheap).
    response.headers["Cache-Control"] = "no-cache"
    return response


def _remembered_pages():
    """This app's memory of blank pages, keyed by code, view and the address the
    page was asked for at (its share link holds that address)."""
    pages = current_app.extensions.get("handgrid.blank_pages")
    if pages is None:
        pages = current_app.extensions["handgrid.blank_pages"] = lru_cache(maxsize=256)(_draw_blank_page)
    return pages


def _draw_blank_page(shown: str, view: str, url_root: str, problem, generated) -> tuple[str, str]:
    attempt = layout.Attempt(problem, blank_answers(problem.sizes))
    page = render("practice.html", _problem_page(shown, generated, attempt, fragment=False, view=view))
    return page, hashlib.sha256(page.encode()).hexdigest()[:20]

def _problem_page(code: str, generated: Generated | None, attempt: layout.Attempt,
                  fragment: bool, view: str | None = None) -> ProblemPage:
    view = view or _view()
    report = attempt.report
    return ProblemPage(
        code=code, generated=generated, preset=generated.preset if generated else None,
        presets=presets.PROFILES, sizes=generated.sizes if generated else attempt.problem.sizes, view=view,
        attempt=attempt, parts=layout.equations(attempt) if view == "numpy" else layout.staircase(attempt),
        hint_menu=layout.hint_menu(attempt), score=report.summary() if report else None,
        invalid=layout.invalid_cells(report), fragment=fragment)


def _revealed(form) -> frozenset[str]:
    """Matrices whose solution is shown: those already revealed, plus the one a
    Reveal button asked for ("all" for every one), minus the one a Hide asked for."""
    names = set(form.getlist("revealed"))
    wanted = form.get("reveal")
    names |= set(ANSWER_NAMES) if wanted == "all" else {wanted}
    names.discard(form.get("hide"))
    return frozenset(names & set(ANSWER_NAMES))


def _hint(problem, form):
    """The working asked for: a "Show the working" button beside a wrong cell
    names its cell; the Hint control names one in its menu."""
    cell = cell_of(form.get("hint") or (form.get("hint_cell") if form.get("action") == "hint" else None))
    if cell is None:
        return None
    try:
        return working(problem, *cell)
    except ValueError:
        return None  # a menu entry for another problem's shape: no hint, no error


def _view() -> str:
    """The view asked for (the switch, or ?view= in a link), else the one the
    form was showing: a Check, a hint or a reveal keeps the student's view."""
    form = request.form
    view = request.args.get("view") or form.get("view") or form.get("shown", "grid")
    return view if view in layout.VIEWS else "grid"


def _size_arg(text: str):
    try:
        return int(text)
    except ValueError:
        raise ProblemError(f"Sizes are whole numbers from {MIN_SIZE} to {MAX_SIZE}.") from None


def _start_page(message: str, typed: str = "", status: int = 200):
    return render("start.html", StartPage(message=message, typed=typed, presets=presets.PROFILES)), status
