"""The class pages: a teacher makes a class and watches it, students join and work.

No accounts. Two cookies stand for the two kinds of people, each holding a
secret token whose hash is all the database keeps (app/classroom/store.py):

* the teacher cookie (`TEACHER_COOKIE`), set by the teacher link
  /classes/<id>/t/<token> and scoped to /classes/<id>, opens that class's
  dashboard and its actions;
* the student cookie (`STUDENT_COOKIE`), set on joining or by a resume link
  /me/r/<token>, opens /me and makes the student's checks on their own
  problems count (app/practice.py asks `student_with` and `after_post`).

Both are HttpOnly and SameSite=Lax, and every form posted with them carries a
CSRF token (app/csrf.py). A wrong token, an unknown class or a student who is
not in it all get the same 404, so a guesser learns nothing. Every address
given to students (the join link, its QR code, the resume link) starts with
`public_base()`, as the worksheets' do: HANDGRID_PUBLIC_URL, else the address
the page was asked for at, never the server's own loopback name.

The database is touched only here and only for class pages or a request
with a class cookie: practice without a class never opens it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, abort, make_response, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from . import csrf, recording
from .classroom import recorder, store
from .classroom.db import Unavailable
from .contexts import (
    ClassBanner,
    ClassLinksPage,
    ClassNewPage,
    ClassPrintPage,
    ClassProjectPage,
    ConfirmPage,
    DashboardLinks,
    DashboardPage,
    ErrorPage,
    JoinPage,
    JoinSheet,
    MePage,
    MyProblem,
    StudentProblem,
    StudentWorkPage,
    render,
)
from .core import classroom, presets, problem_request, worksheet
from .core.answers import Answers, answers_from_form
from .core.classroom import ClassError
from .core.codes import load
from .core.grading import Report
from .core.problem import DIMENSIONS, ProblemError, Sizes
from .present import dashboard, layout, printing, qr
from .worksheets import _drawn, local_only, public_base

bp = Blueprint("classes", __name__)
log = logging.getLogger(__name__)

TEACHER_COOKIE = "handgrid_teacher"
STUDENT_COOKIE = "handgrid_student"
POLL_SECONDS = 5
# When a new class closes by itself: the form's choices (no clock to set, so no time zones).
CLOSINGS = {"": "Never (until you close it)", "45m": "In 45 minutes", "1h": "In 1 hour",
            "90m": "In 90 minutes", "2h": "In 2 hours", "1d": "In 1 day", "7d": "In a week",
            "30d": "In 30 days"}
_CLOSING_TIMES = {"45m": timedelta(minutes=45), "1h": timedelta(hours=1), "90m": timedelta(minutes=90),
                  "2h": timedelta(hours=2), "1d": timedelta(days=1), "7d": timedelta(days=7),
                  "30d": timedelta(days=30)}
NO_CLASS = ("There is no class at this address, or this browser does not hold its teacher link: "
            "open the class from its teacher link.")
NO_STUDENT = ("This browser is not in a class. Join with your class's join code (under “Open a code”), "
              "or open your personal link to go on from another device.")
NO_RESUME = "This personal link opens nothing: the student was removed, or the class deleted."
NO_STUDENT_HERE = "This student is not in this class (any more)."
NO_JOIN = "There is no class with this join code. Check it with your teacher: it is 7 letters and digits."
UNAVAILABLE = "Classes are unavailable just now; practice still works. Try again in a minute."
MAX_FIELD = 400  # characters of any form field read back into a page


@bp.errorhandler(SQLAlchemyError)
@bp.errorhandler(Unavailable)
def unavailable(error: Exception):
    """The database is down or broken: a plain 503 page (practice pages go on without it)."""
    log.error("classes database unavailable: %s", error)
    return _page("error.html", ErrorPage(status=503, message=UNAVAILABLE), 503)


def _now() -> datetime:
    """Naive UTC, as the store keeps times."""
    return datetime.now(UTC).replace(tzinfo=None)


def _cookie(response: Response, name: str, value: str, path: str) -> Response:
    """A class cookie, kept as long as the class's data may be (HANDGRID_CLASS_RETENTION_DAYS)."""
    response.set_cookie(name, value, max_age=store.retention_days() * 24 * 3600, path=path, httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return response


def _private(response: Response) -> Response:
    """A page made for one person: never cached, never shared."""
    response.headers["Cache-Control"] = "no-store"
    return csrf.keep_cookie(response)


def _page(template: str, page, status: int = 200) -> Response:
    return _private(make_response(render(template, page), status))


# --- a new class ----------------------------------------------------------------


def _new_values(form=None) -> dict[str, str]:
    defaults = {"name": "", "assign": "preset", "preset": presets.DEFAULT.name,
                "problems": str(classroom.DEFAULT_PROBLEMS), "codes": "", "closes": "",
                **{name: str(value) for name, value in presets.DEFAULT.sizes.as_dict().items()}}
    if form is None:
        return defaults
    return {**defaults, **{name: str(form.get(name, ""))[:MAX_FIELD] for name in defaults if name in form}}


def _new_page(values: dict[str, str], errors: list[str]) -> ClassNewPage:
    action = url_for("classes.new")
    return ClassNewPage(values=values, errors=errors, profiles=presets.PROFILES, dimensions=DIMENSIONS,
                        closings=CLOSINGS, action=action, csrf=csrf.token(action))


def _assignment_of(values: dict[str, str]) -> classroom.Assignment:
    """The form's assignment, or a ClassError saying what is wrong."""
    kind = values["assign"]
    seed = problem_request.random_seed()
    if kind == "codes":
        words = values["codes"].replace(",", " ").replace(";", " ").split()
        return classroom.assignment(listed=words, seed=seed)
    problems = _whole(values["problems"], "Problems per student")
    if kind == "sizes":
        try:
            sizes = Sizes(**{name: _whole(values[name], f"Sizes ({name})") for name in DIMENSIONS})
        except ProblemError as error:
            raise ClassError(str(error)) from None
        return classroom.assignment(sizes=sizes, problems=problems, seed=seed)
    if kind != "preset":
        raise ClassError("Choose what every student gets: a preset, sizes or problem codes.")
    return classroom.assignment(preset=values["preset"], problems=problems, seed=seed)


def _whole(text: str, what: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise ClassError(f"{what} must be a whole number.")
    return int(text)


@bp.route("/classes/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return _page("classes_new.html", _new_page(_new_values(), []))
    csrf.protect()
    values = _new_values(request.form)
    errors = []
    try:
        name = classroom.check_class_name(values["name"])
    except ClassError as error:
        errors.append(str(error))
    try:
        assigned = _assignment_of(values)
    except ClassError as error:
        errors.append(str(error))
    if values["closes"] not in CLOSINGS:
        errors.append("Choose when the class closes from the list.")
    if errors:
        return _page("classes_new.html", _new_page(values, errors), 400)
    closing = _CLOSING_TIMES.get(values["closes"])
    made = store.create_class(name, assigned, _now() + closing if closing else None)
    response = redirect(url_for("classes.links", class_id=made.id, new=1), 303)
    return _cookie(response, TEACHER_COOKIE, made.teacher_token, _class_path(made.id))


def _class_path(class_id: str) -> str:
    return url_for("classes.dashboard", class_id=class_id)


# --- the teacher's pages --------------------------------------------------------


def _teacher_token() -> str:
    return request.cookies.get(TEACHER_COOKIE, "")


def _teacher_class(class_id: str):
    """The class this browser's teacher cookie opens, or a 404."""
    token = _teacher_token()
    found = store.class_for_teacher(class_id, token) if token else None
    if found is None:
        abort(404, description=NO_CLASS)
    return found


@bp.get("/classes/<class_id>/t/<teacher_token>")
def teacher_link(class_id: str, teacher_token: str):
    """The teacher link: keeps the token in a cookie for this class, and goes to
    the dashboard, so the token leaves the address bar (and the history)."""
    if store.class_for_teacher(class_id, teacher_token) is None:
        abort(404, description=NO_CLASS)
    response = redirect(url_for("classes.dashboard", class_id=class_id), 303)
    response.headers["Cache-Control"] = "no-store"
    return _cookie(response, TEACHER_COOKIE, teacher_token, _class_path(class_id))


def _join_url(join_code: str) -> str:
    return public_base() + url_for("classes.join", join_code=classroom.display_join_code(join_code))


@bp.get("/classes/<class_id>/links")
def links(class_id: str):
    found = _teacher_class(class_id)
    join_url = _join_url(found.join_code)
    teacher_url = public_base() + url_for("classes.teacher_link", class_id=class_id,
                                          teacher_token=_teacher_token())
    return _page("classes_links.html", ClassLinksPage(
        name=found.name, created="new" in request.args, teacher_url=teacher_url,
        join_code=classroom.display_join_code(found.join_code), join_url=join_url,
        qr=Markup(qr.qr_svg(join_url)), home=public_base() + "/", local_only=local_only(),
        dashboard=url_for("classes.dashboard", class_id=class_id),
        project=url_for("classes.project", class_id=class_id),
        print_url=url_for("classes.print_versions", class_id=class_id)))


@bp.get("/classes/<class_id>/project")
def project(class_id: str):
    found = _teacher_class(class_id)
    join_url = _join_url(found.join_code)
    return _page("classes_project.html", ClassProjectPage(
        name=found.name, closed=found.closed, join_code=classroom.display_join_code(found.join_code),
        join_url=join_url, qr=Markup(qr.qr_svg(join_url)), home=public_base() + "/",
        dashboard=url_for("classes.dashboard", class_id=class_id)))


def _results(class_id: str) -> classroom.ClassResults:
    """The class's results; a 404 when it was deleted a moment ago."""
    found = store.results(class_id)
    if found is None:
        abort(404, description=NO_CLASS)
    return found


def _assigned(given: classroom.Assignment) -> str:
    each = "problem" if given.problems == 1 else "problems"
    if given.kind == "codes":
        return f"the same {given.problems} {each} for everyone"
    if given.kind == "sizes":
        sizes = "-".join(str(value) for value in given.sizes.as_dict().values())
        return f"{given.problems} {each} of sizes {sizes} each"
    return f"{given.problems} {given.preset} {each} each"


def _closes_in(info: classroom.ClassInfo, now: datetime) -> str | None:
    if info.closed or info.closes_at is None:
        return None
    minutes = max(1, int((info.closes_at - now).total_seconds() // 60))
    if minutes < 120:
        return f"in {minutes} min"
    hours = minutes // 60
    return f"in {hours} h" if hours < 48 else f"in {hours // 24} days"


def _version(info: classroom.ClassInfo, now: datetime) -> str:
    """What the live part shows, in short: it changes with any activity of the class
    (a join, a check, entries saved, closing), with its students and its state, and
    every minute (the "4 min ago"s). The live part asks with the version it holds."""
    seen = f"{info.last_activity.isoformat()}|{info.students}|{info.closed}|{int(now.timestamp()) // 60}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _dashboard_page(class_id: str, checked: bool = False) -> DashboardPage:
    """The dashboard of a class this browser's teacher cookie opens (`checked`:
    the caller has seen to that already)."""
    if not checked:
        _teacher_class(class_id)
    results = _results(class_id)
    info = results.class_info
    now = _now()
    join_url = _join_url(info.join_code)
    link = dict(class_id=class_id)
    return DashboardPage(
        info=info, board=dashboard.dashboard(results, now, url_for("classes.dashboard", class_id=class_id)),
        join_code=classroom.display_join_code(info.join_code),
        join_url=join_url, qr=Markup(qr.qr_svg(join_url)), home=public_base() + "/",
        assigned=_assigned(info.assignment), closes_in=_closes_in(info, now),
        updated=now.strftime("%H:%M:%S UTC"), updated_iso=now.replace(microsecond=0).isoformat() + "Z",
        poll_seconds=POLL_SECONDS,
        links=DashboardLinks(
            dashboard=url_for("classes.dashboard", **link),
            live=url_for("classes.live", **link, v=_version(info, now)),
            links=url_for("classes.links", **link), project=url_for("classes.project", **link),
            print=url_for("classes.print_versions", **link), csv=url_for("classes.gradebook", **link),
            close=url_for("classes.close", **link), reopen=url_for("classes.reopen", **link),
            delete=url_for("classes.delete", **link)))


@bp.get("/classes/<class_id>", endpoint="dashboard")
def dashboard_page(class_id: str):
    return _page("classes_dashboard.html", _dashboard_page(class_id))


@bp.get("/classes/<class_id>/live")
def live(class_id: str):
    """The dashboard's live part alone, for htmx's polling; a 204 (htmx swaps
    nothing) when the version it holds is still the class's: a quiet class costs
    one small query every few seconds, not its results drawn again (330 KB for 300)."""
    found = _teacher_class(class_id)
    if request.args.get("v") == _version(found, _now()):
        response = make_response("", 204)
        response.headers["Cache-Control"] = "no-store"
        return response
    return _page("_class_live.html", _dashboard_page(class_id, checked=True))


@bp.get("/classes/<class_id>/gradebook.csv")
def gradebook(class_id: str):
    found = _teacher_class(class_id)
    table = store.gradebook_csv(class_id)
    if table is None:
        abort(404, description=NO_CLASS)
    response = make_response(table)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in found.name).strip("-")[:40]
    response.headers["Content-Disposition"] = f'attachment; filename="handgrid-{name or "class"}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/classes/<class_id>/students/<student_id>")
def student(class_id: str, student_id: str):
    found = _teacher_class(class_id)
    chosen = store.student_in_class(class_id, student_id)
    if chosen is None:
        abort(404, description=NO_STUDENT_HERE)
    problems = []
    for number, grid in enumerate(store.latest_grids(class_id, student_id), 1):
        parts: list = []
        if grid.answers is not None:
            problem = load(grid.code).problem
            answers = answers_from_form(problem.sizes, grid.answers)
            parts = layout.staircase(layout.Attempt(problem, answers, grid.report))
        problems.append(StudentProblem(number=number, code=grid.code,
                                       score=grid.report.summary() if grid.report else None, parts=parts))
    return _page("classes_student.html", StudentWorkPage(
        class_name=found.name, student=chosen.name, problems=problems,
        dashboard=url_for("classes.dashboard", class_id=class_id),
        remove=url_for("classes.remove_student", class_id=class_id, student_id=student_id)))


# --- actions, each confirmed on a page of its own ------------------------------


def _confirmed(class_id: str, title: str, question: str, button: str, danger: bool = False):
    """The confirmation page (GET), or whether the POST may go ahead (its CSRF token checked)."""
    if request.method == "GET":
        action = request.path
        return _page("classes_confirm.html", ConfirmPage(
            title=title, question=question, button=button, danger=danger, action=action,
            cancel=url_for("classes.dashboard", class_id=class_id), csrf=csrf.token(action)))
    csrf.protect()
    return None


@bp.route("/classes/<class_id>/close", methods=["GET", "POST"])
def close(class_id: str):
    found = _teacher_class(class_id)
    page = _confirmed(class_id, f"Close {found.name}?",
                      "Nobody can join a closed class, and checks are no longer recorded (students can still "
                      "practise). Everything recorded stays, and you can reopen the class at any time.",
                      "Close the class")
    if page is not None:
        return page
    store.close(class_id)
    return redirect(url_for("classes.dashboard", class_id=class_id), 303)


@bp.route("/classes/<class_id>/reopen", methods=["GET", "POST"])
def reopen(class_id: str):
    found = _teacher_class(class_id)
    page = _confirmed(class_id, f"Reopen {found.name}?",
                      "Students can join again and their checks are recorded again. A closing time that has "
                      "passed no longer applies.", "Reopen the class")
    if page is not None:
        return page
    store.reopen(class_id)
    return redirect(url_for("classes.dashboard", class_id=class_id), 303)


@bp.route("/classes/<class_id>/delete", methods=["GET", "POST"])
def delete(class_id: str):
    found = _teacher_class(class_id)
    page = _confirmed(class_id, f"Delete {found.name}?",
                      "This deletes the class with all its data: every student, every check and every entry. "
                      "It cannot be undone; download the gradebook first if you need the marks. Afterwards "
                      "the teacher link, the join code and the students' links open nothing.",
                      "Delete the class and all its data", danger=True)
    if page is not None:
        return page
    store.delete(class_id)
    response = redirect(url_for("classes.new"), 303)
    response.delete_cookie(TEACHER_COOKIE, path=_class_path(class_id))
    return response


@bp.route("/classes/<class_id>/students/<student_id>/remove", methods=["GET", "POST"])
def remove_student(class_id: str, student_id: str):
    _teacher_class(class_id)
    chosen = store.student_in_class(class_id, student_id)
    if chosen is None:
        abort(404, description=NO_STUDENT_HERE)
    page = _confirmed(class_id, f"Remove {chosen.name}?",
                      f"This deletes {chosen.name}'s checks and entries from the class; their personal link "
                      "stops working. It cannot be undone.", "Remove the student", danger=True)
    if page is not None:
        return page
    store.remove_student(class_id, student_id)
    return redirect(url_for("classes.dashboard", class_id=class_id), 303)


# --- printing the versions ------------------------------------------------------


@bp.get("/classes/<class_id>/print")
def print_versions(class_id: str):
    """The class's versions 1..n as worksheet pages (n: the students so far, or
    ?versions=), with the join QR code on every sheet; a plain message for a
    number over the limit, or more versions than the class's sizes have problems."""
    found = _teacher_class(class_id)
    joined = max(1, min(found.students, worksheet.MAX_VERSIONS))
    error, versions, paper = None, joined, request.args.get("paper", "a4")
    if "versions" in request.args:
        try:
            versions = _whole(request.args["versions"], "Versions")
            if not 1 <= versions <= worksheet.MAX_VERSIONS:
                raise ClassError(f"Versions go from 1 to {worksheet.MAX_VERSIONS}.")
        except ClassError as refused:
            error, versions = str(refused), joined
    if paper not in worksheet.PAPERS:
        error, paper = "The paper is A4 or US Letter.", "a4"
    try:
        printed = printing.build(replace(found.assignment.settings(versions=versions, title=found.name),
                                         paper=paper, answer_key="none"))
    except worksheet.WorksheetError as refused:  # tiny sizes: fewer different problems than versions
        error = str(refused)
        printed = printing.build(replace(found.assignment.settings(versions=1, title=found.name),
                                         paper=paper, answer_key="none"))
    base = public_base()
    join_url = _join_url(found.join_code)
    items = {item.code: item for version in printed.versions for item in version.items}
    return _page("classes_print.html", ClassPrintPage(
        class_name=found.name, worksheet=printed,
        drawn={code: _drawn(item, "grid", printed.sheet_layout.scale, base) for code, item in items.items()},
        home=base + "/", join=JoinSheet(code=classroom.display_join_code(found.join_code), link=join_url,
                                        qr=Markup(qr.qr_svg(join_url))),
        papers=worksheet.PAPERS, error=error, action=request.path,
        dashboard=url_for("classes.dashboard", class_id=class_id)), 400 if error else 200)


# --- students -------------------------------------------------------------------


def _student():
    """The student this browser's cookie stands for, or None (no cookie: no database)."""
    token = request.cookies.get(STUDENT_COOKIE)
    return store.student_for_token(token) if token else None


def _join_page(found, name: str = "", error: str | None = None, status: int = 200) -> Response:
    action = url_for("classes.join", join_code=classroom.display_join_code(found.join_code))
    current = _student()
    return _page("classes_join.html", JoinPage(
        class_name=found.name, closed=found.closed, error=error, name=name,
        current=current.name if current is not None and current.class_id == found.id else None,
        me=url_for("classes.me"), action=action, csrf=csrf.token(action)), status)


@bp.route("/c/<join_code>", methods=["GET", "POST"])
def join(join_code: str):
    try:
        canonical = classroom.normalize_join_code(join_code)
    except ClassError:
        abort(404, description=NO_JOIN)
    found = store.class_by_join_code(canonical)
    if found is None:
        abort(404, description=NO_JOIN)
    shown = classroom.display_join_code(canonical)
    if request.method == "GET":
        if join_code != shown:
            return redirect(url_for("classes.join", join_code=shown), 301)
        return _join_page(found)
    csrf.protect()
    typed = request.form.get("name", "")[:MAX_FIELD]
    try:
        joined = store.join(canonical, typed)
    except LookupError:  # deleted since the page was drawn
        abort(404, description=NO_JOIN)
    except classroom.ClassClosed as error:
        return _join_page(found, typed, str(error), 409)
    except classroom.ClassFull as error:
        return _join_page(found, typed, str(error), 409)
    except ClassError as error:
        return _join_page(found, typed, str(error), 400)
    response = redirect(url_for("classes.me"), 303)
    return _cookie(response, STUDENT_COOKIE, joined.student_token, "/")


@bp.get("/me/r/<student_token>")
def resume(student_token: str):
    """A student's personal link: keeps them in on this device, then their page."""
    if store.student_for_token(student_token) is None:
        abort(404, description=NO_RESUME)
    response = redirect(url_for("classes.me"), 303)
    response.headers["Cache-Control"] = "no-store"
    return _cookie(response, STUDENT_COOKIE, student_token, "/")


def _progress(result) -> tuple[str, bool]:
    if result is None or not result.checks:
        return "not checked yet", False
    checks = f"{result.checks} check{'s' if result.checks != 1 else ''}"
    parts = [f"{result.correct} of {result.total} correct"]
    if result.with_help:
        parts[0] += f" ({result.with_help} with help)"
    if result.carried:
        parts.append(f"{result.carried} carried forward")
    return ", ".join([*parts, checks]), result.total > 0 and result.correct == result.total


@bp.get("/me")
def me():
    found = _student()
    if found is None:
        abort(404, description=NO_STUDENT)
    results = _results(found.class_id)
    mine = next((s for s in results.students if s.student_id == found.id), None)
    by_code = {p.code: p for p in mine.problems} if mine else {}
    problems = []
    for number, code in enumerate(found.codes, 1):
        progress, done = _progress(by_code.get(code))
        problems.append(MyProblem(number=number, code=code, url=url_for("practice.problem", code=code),
                                  progress=progress, done=done))
    resume_url = public_base() + url_for("classes.resume", student_token=request.cookies[STUDENT_COOKIE])
    return _page("classes_me.html", MePage(
        name=found.name, class_name=results.class_info.name, closed=results.class_info.closed,
        problems=problems, resume_url=resume_url, resume_qr=Markup(qr.qr_svg(resume_url))))


# --- a class student's checks on the practice page (app/practice.py) ------------


@dataclass(frozen=True)
class ClassStudent:
    """A class student on one of their own problems: who, and whether their class is closed."""

    student: store.StudentRow
    closed: bool


def student_with(code: str) -> ClassStudent | store.Outcome | None:
    """The student of this browser's cookie when `code` is one of their problems. Else,
    for a cookie that opens no student of `code` (removed, their class deleted, or
    not their problem), GONE; FAILED when the database is unavailable (the page works
    all the same, as practice); None without a cookie. One read: a class student's
    every practice page and Check asks."""
    token = request.cookies.get(STUDENT_COOKIE)
    if not token:
        return None
    try:
        found = store.student_on_page(token)
    except (SQLAlchemyError, Unavailable) as error:
        log.error("classes database unavailable on a practice page: %s", error)
        return store.Outcome.FAILED
    if found is None or code not in found[0].codes:
        return store.Outcome.GONE
    return ClassStudent(*found)


def saved_answers(who: ClassStudent, code: str, sizes: Sizes) -> Answers | None:
    """What the server kept of the student's entries on `code`, or None."""
    try:
        saved = store.entries_for(who.student, code)
    except (SQLAlchemyError, Unavailable) as error:
        log.error("classes database unavailable on a practice page: %s", error)
        return None
    if not saved or not saved.get("answers"):
        return None
    return answers_from_form(sizes, saved["answers"])


STALE_PAGE = "Not sent to your teacher: this page is too old. Reload it (what you typed stays)."
NOTES = {  # what became of a Check, as the page says it
    store.Outcome.RECORDED: "Check recorded for your teacher.",
    store.Outcome.CLOSED: "Not recorded: the class is closed (you can still practise).",
    store.Outcome.GONE: "Not recorded: you are no longer in this class (you can still practise).",
    store.Outcome.FAILED: "Not sent to your teacher: the class's records are unavailable just now. "
                          "Check again later.",
}
# Where a class student's checks go, as the banner says it; after a Check, as its outcome
# showed (a database that failed tells nothing of the class: the banner stays as it was).
STATUSES = {
    store.Outcome.RECORDED: "your checks go to your teacher.",
    store.Outcome.CLOSED: "the class is closed, so checks are not recorded.",
    store.Outcome.GONE: "you are no longer in this class, so checks are not recorded.",
}
_KEPT = (store.Outcome.RECORDED, store.Outcome.CLOSED)  # the entries are on the server


@bp.app_template_global()
def class_note(note: str, kept: bool = True, oob: bool = False) -> Markup:
    """The note of what became of a class student's last post, under the score. With
    `oob`, an htmx answer's: it replaces the page's by id. `kept` tells the page's
    script whether the server holds what was sent (static/handgrid.js)."""
    return Markup('<p id="class-note" class="class-note" role="status" data-kept="{}"{}>{}</p>').format(
        "true" if kept else "false", Markup(' hx-swap-oob="true"') if oob else "", note)


@bp.app_template_global()
def class_status(status: str, oob: bool = False) -> Markup:
    """The banner's word on where the student's checks go."""
    return Markup('<span id="class-status"{}>{}</span>').format(
        Markup(' hx-swap-oob="true"') if oob else "", status)


def _told(outcome: store.Outcome) -> tuple[str, bool, str | None]:
    """What the page says of a post's outcome: its note, whether the server kept what
    was sent, and the banner's new word on where checks go (None: as it was)."""
    return NOTES[outcome], outcome in _KEPT, STATUSES.get(outcome)


def _after_check(outcome: store.Outcome) -> Markup:
    """What an htmx Check's answer adds to its marks: the note and the banner's word."""
    note, kept, status = _told(outcome)
    return class_note(note, kept=kept, oob=True) + (class_status(status, oob=True) if status else Markup())


def lost_note(missing: store.Outcome) -> Markup | None:
    """For a post from a class problem's page (its form carries a CSRF token) whose
    student `student_with` found missing (GONE or FAILED): why nothing was recorded.
    None when the page was not a class's."""
    return _after_check(missing) if csrf.FIELD in request.form else None


def _banner_after(who: ClassStudent, code: str, outcome: store.Outcome) -> ClassBanner:
    note, kept, status = _told(outcome)
    shown = banner(who, code, note)
    return replace(shown, kept=kept, status=status or shown.status)


def after_post(who: ClassStudent, code: str, attempt: layout.Attempt, checked: bool) -> ClassBanner:
    """Keep the entries the student posted and, for a Check, record it with them, in
    one write: the banner, with the note the page shows. A post without a valid CSRF
    token is answered as any other, but nothing is stored (nothing typed is lost
    either: the page keeps it). An htmx Check takes `answer_check` instead."""
    if not csrf.valid():
        return replace(banner(who, code, STALE_PAGE), kept=False)
    if checked and attempt.report is not None:
        check = _check_to_store(who, code, attempt, attempt.report)
        [outcome] = recorder.store_now(store.database(), [check])
        return _banner_after(who, code, outcome)
    try:
        store.save_entries(who.student, code, attempt.answers)
    except (SQLAlchemyError, Unavailable) as error:
        log.error("classes database unavailable on a practice page: %s", error)
        return _banner_after(who, code, store.Outcome.FAILED)
    return banner(who, code)


def answer_check(who: ClassStudent, code: str, attempt: layout.Attempt, marks: Markup) -> Response:
    """The answer to a class student's Check with htmx: the marks, and the note of what
    became of the check, sent once the check and the entries are stored. It joins
    the worker's group commit as an API check does (app/recording.py): a class of
    students checking at once shares its commits."""
    if not csrf.valid() or attempt.report is None:
        return make_response(marks + class_note(STALE_PAGE, kept=False, oob=True))

    def finish(outcome: store.Outcome) -> tuple[int, bytes]:
        return 200, str(marks + _after_check(outcome)).encode()

    return recording.answer_when_stored(_check_to_store(who, code, attempt, attempt.report), finish,
                                        "text/html")


def _check_to_store(who: ClassStudent, code: str, attempt: layout.Attempt,
                    report: Report) -> store.CheckToStore:
    return store.check_to_store(who.student, code, attempt.answers, report, attempt.helped,
                                attempt.revealed, keep_entries=True)


def banner(who: ClassStudent, code: str, note: str = "") -> ClassBanner:
    path = url_for("practice.problem", code=code)
    status = STATUSES[store.Outcome.CLOSED if who.closed else store.Outcome.RECORDED]
    return ClassBanner(class_name=who.student.class_name, student=who.student.name, status=status,
                       me=url_for("classes.me"), csrf=csrf.token(path), note=note, kept=True)


def next_for(who: ClassStudent, code: str) -> str:
    """Where "Next problem" takes a class student once `code` is all right: their
    next problem, or their page after the last."""
    codes = who.student.codes
    at = codes.index(code) if code in codes else len(codes)
    if at + 1 < len(codes):
        return url_for("practice.problem", code=codes[at + 1])
    return url_for("classes.me")


def keep_csrf(response: Response) -> Response:
    """Set the CSRF cookie a banner's token was made from, if this request made it."""
    return csrf.keep_cookie(response)


