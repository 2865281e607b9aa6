"""The practice pages: a problem from its code, blank grids, marks on Check.

A request's path goes: code in the URL -> `codes.load` -> answers read from the
form -> `grading.grade` -> `layout` blocks -> templates. The same partial,
``_work.html``, is the htmx fragment and the middle of the full page, so the
page works without JavaScript and htmx only saves the reload. A Check with htmx
gets only the marks (`marks.check_answer`), drawn by the page's own macros.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache

from flask import Blueprint, current_app, make_response, redirect, request, url_for
from werkzeug.datastructures import ImmutableMultiDict

from . import classes
from .contexts import ProblemPage, StartPage, render
from .core import presets, problem_request
from .core.answers import answers_from_form, blank_answers, cell_of, helped_after
from .core.classroom import display_join_code, is_join_code, normalize_join_code
from .core.codes import MAX_TYPED, WORKSHEET, CodeError, Generated, Loaded, display, load
from .core.grading import grade
from .core.problem import ANSWER_NAMES, DIMENSIONS, MAX_SIZE, MIN_SIZE, ProblemError
from .core.working import Working, working
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
    A worksheet's set or version code (scheme W) goes to the worksheet's pages,
    a class's join code to its join page."""
    typed = request.args.get("code", "")
    if typed.strip()[:1].upper() == WORKSHEET and len(typed) <= MAX_TYPED * 2:
        return redirect(url_for("worksheets.code", code=typed.strip()))
    if is_join_code(typed):  # a class's join code: never a problem code's length or first letter
        return redirect(url_for("classes.join", join_code=display_join_code(normalize_join_code(typed))))
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
    # A class student's own problem (only with their cookie: practice without a
    # class never touches the database) is drawn for them, with what they typed
    # kept on the server, and their checks are recorded (app/classes.py).
    found = classes.student_with(shown) if classes.STUDENT_COOKIE in request.cookies else None
    student = found if isinstance(found, classes.ClassStudent) else None
    if request.method == "GET" and not htmx and student is None:
        return _blank_page(shown, problem, generated)

    form = request.form
    posted = request.method == "POST"
    if posted and student is not None and form.get("start_over") == "1":
        form = ImmutableMultiDict()  # all cleared, and saved so (csrf.valid reads the request's own form)
    checked = posted and (form.get("action") == "check" or form.get("checked") == "1")
    if posted:
        # A plain dict for the 36 lookups of the cells: a MultiDict's get is Python.
        answers = answers_from_form(problem.sizes, form.to_dict())
    elif student is not None:
        answers = classes.saved_answers(student, shown, problem.sizes) or blank_answers(problem.sizes)
    else:
        answers = blank_answers(problem.sizes)
    revealed = _revealed(form) if posted else frozenset()
    hint, hint_sum = _hint(problem, form) if posted else (None, False)
    helped = helped_after(problem.sizes, form.getlist("helped"), revealed,
                          form.get("hint_sum")) if posted else frozenset()
    report = grade(problem, answers, revealed, helped) if checked else None
    attempt = layout.Attempt(problem, answers, report, revealed, hint, hint_sum, helped)
    checking = htmx and form.get("action") == "check"  # answered with the marks alone
    banner = None
    if student is not None and not checking:
        banner = (classes.after_post(student, shown, attempt, form.get("action") == "check") if posted
                  else classes.banner(student, shown))
    following = _next_url(report, generated, problem)
    if following and student is not None:  # a class student goes on to their next problem
        following = classes.next_for(student, shown)
    if checking:
        marks = check_answer(attempt, following)
        if student is not None:  # recorded, and the note of it follows the marks
            response = classes.answer_check(student, shown, attempt, marks)
        else:  # a class page whose student has gone says why nothing was recorded
            missing = posted and found is not None and not isinstance(found, classes.ClassStudent)
            lost = classes.lost_note(found) if missing else None
            response = make_response(marks + lost if lost else marks)
        response.headers["HX-Reswap"] = "none"  # the marks arrive out of band, by id
    else:
        page = _problem_page(shown, generated, attempt, htmx)
        if banner is not None:
            page = replace(page, classroom=banner, next_url=following)
        response = make_response(render("_work.html" if htmx else "practice.html", page))
    if banner is not None:
        classes.keep_csrf(response)
    response.headers["Vary"] = "HX-Request, Cookie" if student else "HX-Request"
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
        invalid=layout.invalid_cells(report), fragment=fragment,
        next_url=_next_url(report, generated, attempt.problem, view),
        first_cell=working(attempt.problem, "h_z", 0, 0))


def _next_url(report, generated: Generated | None, problem, view: str | None = None) -> str | None:
    """Where "Next problem" goes once every cell is right: a new problem of the
    same preset, or of the same sizes (a custom problem's with the classic ranges)."""
    if report is None or report.counts["correct"] != report.total:
        return None
    view = view or _view()
    extra = {"view": view} if view != "grid" else {}
    if generated and generated.preset:
        return url_for("practice.new", preset=generated.preset, **extra)
    sizes = generated.sizes if generated else problem.sizes
    return url_for("practice.new", **sizes.as_dict(), **extra)


def _revealed(form) -> frozenset[str]:
    """Matrices whose solution is shown: those already revealed, plus the one a
    Reveal button asked for ("all" for every one), minus the one a Hide asked for."""
    names = set(form.getlist("revealed"))
    wanted = form.get("reveal")
    names |= set(ANSWER_NAMES) if wanted == "all" else {wanted}
    names.discard(form.get("hide"))
    return frozenset(names & set(ANSWER_NAMES))


def _hint(problem, form) -> tuple[Working | None, bool]:
    """The working asked for, and whether its sum is shown. A "Show the working"
    button beside a wrong cell names its cell, and the Hint control one in its
    menu: their first step. "Show the sum" under a working names its cell: the
    whole working (and the cell counts as helped)."""
    summed = form.get("hint_sum")
    field = summed or form.get("hint") or (form.get("hint_cell") if form.get("action") == "hint" else None)
    cell = cell_of(field)
    if cell is None:
        return None, False
    try:
        return working(problem, *cell), bool(summed)
    except ValueError:
        return None, False  # a menu entry for another problem's shape: no hint, no error


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


def checked_page(loaded: Loaded, answers, notice: str = ""):
    """The practice page of a problem with `answers` filled in and checked, as a
    Check without JavaScript answers it: for answers that come from elsewhere
    (a script's output pasted back in the Code view, app/code.py). `notice`
    says what could not be read."""
    attempt = layout.Attempt(loaded.problem, answers, grade(loaded.problem, answers))
    page = _problem_page(display(loaded.code), loaded.generated, attempt, fragment=False, view="grid")
    response = make_response(render("practice.html", replace(page, notice=notice)))
    response.headers["Cache-Control"] = "no-store"
    return response
