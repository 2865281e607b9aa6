"""What each page's template is given: one dataclass per page, as Datasette does.

A view fills in its page's dataclass and `render` hands the fields to the
template, so a template's inputs are written down in one place, each with a
line of help. tests/test_contexts.py holds every template to using its
dataclass's fields and nothing else (and every field to having help), so the
documentation cannot fall behind the templates.

A template reads no module, no request and no configuration: what it needs the
view works out (links, the page's blocks, the limits the forms state).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from flask import render_template
from markupsafe import Markup

from .core import classroom, codereading, codes, matrixtext, parsing, printed, worksheet
from .core.classroom import ClassInfo
from .core.codes import Generated
from .core.grading import Mark
from .core.presets import Profile
from .core.problem import MAX_SIZE, MAX_VALUE, MIN_SIZE, MIN_VALUE, Sizes
from .core.working import Working
from .core.worksheet import Settings, Version
from .present.dashboard import Dashboard
from .present.layout import Arrow, Attempt, Block
from .present.printing import PaperUse, Worksheet
from .present.script import FillLine


def documented(help: str, **options: Any) -> Any:
    """A dataclass field with its help text (read by tests/test_contexts.py)."""
    return field(metadata={"help": help}, **options)


@dataclass(frozen=True)
class Limits:
    """The limits the forms and their wording state, from the core's constants."""

    min_size: int = documented("smallest size of inputs, hidden, outputs and batch", default=MIN_SIZE)
    max_size: int = documented("largest size", default=MAX_SIZE)
    min_value: int = documented("smallest value of a custom problem", default=MIN_VALUE)
    max_value: int = documented("largest value of a custom problem", default=MAX_VALUE)
    cell_chars: int = documented("characters an answer cell takes", default=parsing.MAX_CELL_TEXT)
    code_chars: int = documented("characters the Open a code box takes", default=codes.MAX_TYPED)
    matrix_chars: int = documented("characters a custom matrix box takes", default=matrixtext.MAX_TEXT)
    problems: int = documented("problems per worksheet", default=worksheet.MAX_PROBLEMS)
    versions: int = documented("versions of a worksheet", default=worksheet.MAX_VERSIONS)
    title: int = documented("characters of a worksheet's title", default=worksheet.MAX_TITLE)
    instructions: int = documented("characters of its instructions", default=worksheet.MAX_INSTRUCTIONS)
    blank_chars: int = documented("characters a fill-in-the-code blank or line takes",
                                  default=codereading.MAX_TEXT)
    output_chars: int = documented("characters of a script's output pasted back", default=printed.MAX_OUTPUT)
    listed_chars: int = documented("characters of a worksheet's list of problem codes",
                                   default=worksheet.MAX_LISTED_CHARS)
    class_name: int = documented("characters of a class's name", default=classroom.MAX_CLASS_NAME)
    student_name: int = documented("characters of a student's display name", default=classroom.MAX_NAME)


LIMITS = Limits()


@dataclass(frozen=True, kw_only=True)
class Page:
    """What base.html, around every page, needs."""

    limits: Limits = documented("the limits forms and their wording state", default=LIMITS)
    typed: str = documented("what the header's Open a code box shows (a code that failed)", default="")


@dataclass(frozen=True)
class ClassBanner:
    """What a class student's practice page adds for one of their problems."""

    class_name: str = documented("the class's name")
    student: str = documented("the student's display name")
    status: str = documented("where their checks go: to the teacher, or nowhere as the class is closed")
    me: str = documented("their page of problems (/me)")
    csrf: str = documented("the token the page's form posts with (app/csrf.py)")
    note: str = documented("what became of the last post: recorded, or why not; empty before one")
    kept: bool = documented("the server kept what the last post sent (the page's script trusts it then)")


@dataclass(frozen=True, kw_only=True)
class ProblemPage(Page):
    """practice.html, and _work.html alone: the answer to Check without JavaScript,
    the view switch, a hint or a reveal (with htmx, the fragment)."""

    code: str = documented("the problem's code in groups of five")
    generated: Generated | None = documented("what generated the problem; None for a custom code")
    preset: str | None = documented("the preset's name when the problem is exactly a preset")
    presets: tuple[Profile, ...] = documented("the presets the New problem menu offers")
    sizes: Sizes = documented("the sizes the Custom sizes form starts from")
    view: str = documented('"grid" (the staircase) or "numpy" (the equations)')
    attempt: Attempt = documented("the problem and the student's attempt: answers, marks, reveals, hint")
    parts: list[Block | Arrow] | list[list[Block | str]] = documented(
        "the staircase's blocks and arrows, or the equations' lines, as the view draws them")
    hint_menu: list[tuple[str, list[tuple[str, str, bool]]]] = documented(
        "the Hint menu: per answer matrix, (field, label, selected) of each cell")
    score: str | None = documented("the score line after a check, else None")
    invalid: list[tuple[str, str, Mark]] = documented("(label, field, mark) of every cell marked invalid")
    fragment: bool = documented("answering htmx: _work.html alone, with the score line out of band")
    next_url: str | None = documented("once every cell is right: a new problem of the same preset or sizes")
    first_cell: Working = documented("the working of h_z's first cell, for the first visit's how-to panel")
    notice: str = documented("what could not be read of a script's output pasted back; empty if none",
                             default="")
    classroom: ClassBanner | None = documented(
        "for a class student's own problem: the class, the CSRF token, the note of the last post; else None",
        default=None)


@dataclass(frozen=True, kw_only=True)
class CodePage(Page):
    """code.html: a problem as a NumPy script, its downloads, and the form that
    takes the script's printed output back to the grids."""

    code: str = documented("the problem's code in groups of five")
    script: str = documented("the problem's NumPy script, as the .py download holds it")
    output: str = documented("the output pasted back, kept when it could not be read")
    error: str | None = documented("why the pasted output could not be read, or None")


@dataclass(frozen=True, kw_only=True)
class FillPage(Page):
    """fill.html, and _fill.html alone (htmx): the script with blanks in its forward pass."""

    code: str = documented("the problem's code in groups of five")
    given: str = documented("the script up to the forward pass: imports, matrices, inputs")
    lines: list[FillLine] = documented("the forward pass's lines: code, blanks as typed, marks")
    score: str | None = documented("the score line after a check, else None")
    error: str | None = documented("why the request was refused (a 400), or None")
    fragment: bool = documented("answering htmx: _fill.html alone, with the score line out of band")


@dataclass(frozen=True, kw_only=True)
class StartPage(Page):
    """start.html: a new problem, or why a code did not open."""

    message: str = documented("why the code did not open, or why the request failed; empty if none")
    presets: tuple[Profile, ...] = documented("the presets the New problem menu offers")


@dataclass(frozen=True, kw_only=True)
class CustomPage(Page):
    """custom.html: the five boxes of a teacher's own problem."""

    boxes: dict[str, str] = documented("the text of each matrix box (W1, b1, W2, b2, X)")
    error: str | None = documented("what is wrong with the matrices, or None")
    example: str = documented("the page of Prof. Tom Yeh's original exercise")
    example_worksheet: str = documented("a worksheet of that exercise")


@dataclass(frozen=True, kw_only=True)
class ErrorPage(Page):
    """error.html: any error as a plain message."""

    status: int = documented("the HTTP status")
    message: str = documented("what went wrong, for people")


@dataclass(frozen=True)
class DrawnProblem:
    """One problem of a worksheet as printed."""

    link: str = documented("its page's full URL, which the QR code holds")
    qr: Markup = documented("the QR code of `link`, as SVG")
    parts: list[Block | Arrow] | list[list[Block | str]] = documented(
        "its blocks, blank, in the worksheet's notation")
    key: list[Block] = documented("its answers filled in, for the key")
    stacked: bool = documented("its tag's text sits above the QR code (a narrow problem)")


@dataclass(frozen=True, kw_only=True)
class WorksheetPage(Page):
    """worksheet.html: the settings form and, when they are within the limits, the pages."""

    values: dict[str, str] = documented("the form's fields as filled, by query name")
    errors: list[str] = documented("every limit the settings broke (the page is then a 400)")
    profiles: tuple[Profile, ...] = documented("the presets the form offers")
    custom: str = documented('the preset value that means "custom sizes"')
    dimensions: tuple[str, ...] = documented("the names of the four sizes")
    notations: dict[str, str] = documented("notation value -> label")
    papers: dict[str, str] = documented("paper value -> label")
    answer_key_places: dict[str, str] = documented("where the answer key goes: value -> label")
    mixes: dict[str, str] = documented("how listed codes make the versions: value -> label")
    worksheet: Worksheet | None = documented("the worksheet as printed; None when a setting broke a limit")
    drawn: dict[str, DrawnProblem] = documented("each problem as printed, by its code")
    link: str = documented("this worksheet's full URL")
    home: str = documented("the public address printed for students to type codes into")
    pdf: str = documented("this worksheet's PDF file")
    without_key: str = documented("this worksheet's URL with no answer key")
    key_only: str = documented("this worksheet's URL with the answer key alone")
    local_only: str | None = documented(
        '"this computer" or "this network" when printed links would only work there; else None')
    paper_note: PaperUse | None = documented(
        "what the worksheet costs in paper; None when a setting broke a limit")
    paper_url: str = documented("where the form asks for the paper line as settings change (htmx)")
    example: str = documented("a worksheet of Prof. Tom Yeh's original exercise")
    example_code: str = documented("that exercise's problem code")
    join: JoinSheet | None = documented("a class's join code, link and QR code for every sheet; None here",
                                        default=None)


@dataclass(frozen=True)
class PaperNote:
    """_worksheet_paper.html alone: the paper line under the worksheet form, for htmx."""

    paper_note: PaperUse | None = documented(
        "what the worksheet costs in paper; None when a setting broke a limit")


@dataclass(frozen=True, kw_only=True)
class VersionPage(Page):
    """version.html: one version of a worksheet, opened from its version code."""

    version: Version = documented("the version: its number, code and problems in order")
    settings: Settings = documented("the worksheet's settings, read from the code")
    set_code: str = documented("the worksheet's set code")
    links: list[str] = documented("each problem's page, in the version's order")
    worksheet: str = documented("the whole worksheet's page")


@dataclass(frozen=True)
class JoinSheet:
    """How students join a class, as printed on its sheets."""

    code: str = documented("the join code, as read out (K3QM-7WX)")
    link: str = documented("the join link's full URL, which the QR code holds")
    qr: Markup = documented("the QR code of `link`, as SVG")


@dataclass(frozen=True, kw_only=True)
class ClassNewPage(Page):
    """classes_new.html: the form that makes a class."""

    values: dict[str, str] = documented("the form's fields as filled, by name")
    errors: list[str] = documented("what is wrong with them (the page is then a 400); empty if nothing")
    profiles: tuple[Profile, ...] = documented("the presets the form offers")
    dimensions: tuple[str, ...] = documented("the names of the four sizes")
    closings: dict[str, str] = documented("when the class closes: value -> label")
    action: str = documented("where the form posts")
    csrf: str = documented("the token the form posts with (app/csrf.py)")


@dataclass(frozen=True, kw_only=True)
class ClassLinksPage(Page):
    """classes_links.html: the teacher link and how students join."""

    name: str = documented("the class's name")
    created: bool = documented("the class was made just now")
    teacher_url: str = documented("the teacher link's full URL (from this browser's teacher cookie)")
    join_code: str = documented("the join code, as read out")
    join_url: str = documented("the join link's full URL")
    qr: Markup = documented("the QR code of the join link, as SVG")
    home: str = documented("the public address students open")
    local_only: str | None = documented(
        '"this computer" or "this network" when the join link would only work there; else None')
    dashboard: str = documented("the class's dashboard")
    project: str = documented("the join code full screen, to project")
    print_url: str = documented("the class's versions to print")


@dataclass(frozen=True, kw_only=True)
class ClassProjectPage(Page):
    """classes_project.html: the join code, link and QR code, big, to project."""

    name: str = documented("the class's name")
    closed: bool = documented("the class is closed")
    join_code: str = documented("the join code, as read out")
    join_url: str = documented("the join link's full URL")
    qr: Markup = documented("the QR code of the join link, as SVG")
    home: str = documented("the public address students open")
    dashboard: str = documented("the class's dashboard")


@dataclass(frozen=True, kw_only=True)
class JoinPage(Page):
    """classes_join.html: a student joins a class with a display name."""

    class_name: str = documented("the class's name")
    closed: bool = documented("the class is closed: no form")
    error: str | None = documented("why the name was refused, or None")
    name: str = documented("the name as typed, kept when refused")
    current: str | None = documented("the name this browser is in the class as, or None")
    me: str = documented("the student's page of problems")
    action: str = documented("where the form posts")
    csrf: str = documented("the token the form posts with (app/csrf.py)")


@dataclass(frozen=True)
class MyProblem:
    """One of a student's problems, on their page."""

    number: int = documented("1-based, in the student's order")
    code: str = documented("its code in groups of five")
    url: str = documented("its practice page")
    progress: str = documented('what the server recorded, e.g. "30 of 36 correct, 3 checks"')
    done: bool = documented("every cell right")


@dataclass(frozen=True, kw_only=True)
class MePage(Page):
    """classes_me.html: a student's problems and their personal resume link."""

    name: str = documented("the student's display name")
    class_name: str = documented("the class's name")
    closed: bool = documented("the class is closed: checks are not recorded")
    problems: list[MyProblem] = documented("their problems, in order, with progress")
    resume_url: str = documented("their personal resume link's full URL (from this browser's cookie)")
    resume_qr: Markup = documented("the QR code of `resume_url`, as SVG")


@dataclass(frozen=True)
class DashboardLinks:
    """Where the dashboard's controls go."""

    dashboard: str = documented("the dashboard itself (Refresh without JavaScript)")
    live: str = documented("its live part, which htmx asks for")
    links: str = documented("the teacher link and join code page")
    project: str = documented("the join code full screen")
    print: str = documented("the versions to print")
    csv: str = documented("the gradebook download")
    close: str = documented("the confirmation of closing the class")
    reopen: str = documented("the confirmation of reopening it")
    delete: str = documented("the confirmation of deleting it")


@dataclass(frozen=True, kw_only=True)
class DashboardPage(Page):
    """classes_dashboard.html, and _class_live.html alone (htmx): a class's work, live."""

    info: ClassInfo = documented("the class: id, name, state, student count")
    board: Dashboard = documented("the results as drawn: rows, slips, heat maps")
    join_code: str = documented("the join code, as read out")
    join_url: str = documented("the join link's full URL")
    qr: Markup = documented("the QR code of the join link, as SVG")
    home: str = documented("the public address students open")
    assigned: str = documented('what the class was assigned, e.g. "2 classic problems each"')
    closes_in: str | None = documented('when an open class closes by itself ("in 40 min"), or None')
    updated: str = documented("when the results were read, as a time of day (UTC)")
    updated_iso: str = documented("the same moment in ISO 8601, which classes.js shows in local time")
    poll_seconds: int = documented("how often htmx asks for the live part")
    links: DashboardLinks = documented("where the controls go")


@dataclass(frozen=True)
class StudentProblem:
    """One problem of a student's latest work, read-only."""

    number: int = documented("1-based, in the student's order")
    code: str = documented("its code in groups of five")
    score: str | None = documented("the latest check's score line, or None before one")
    parts: list[Block | Arrow] = documented("the staircase with their entries and marks; empty before any")


@dataclass(frozen=True, kw_only=True)
class StudentWorkPage(Page):
    """classes_student.html: a student's latest grids with marks, for the teacher."""

    class_name: str = documented("the class's name")
    student: str = documented("the student's display name")
    problems: list[StudentProblem] = documented("their problems in order")
    dashboard: str = documented("the class's dashboard")
    remove: str = documented("the confirmation of removing the student")


@dataclass(frozen=True, kw_only=True)
class ConfirmPage(Page):
    """classes_confirm.html: the confirmation of a teacher's action, which posts it."""

    title: str = documented("the page's heading, e.g. “Delete 10B?”")
    question: str = documented("what the action does, in a sentence or two")
    button: str = documented("the button's words")
    danger: bool = documented("the action destroys data (a red button)")
    action: str = documented("where the form posts")
    cancel: str = documented("where Cancel goes")
    csrf: str = documented("the token the form posts with (app/csrf.py)")


@dataclass(frozen=True, kw_only=True)
class ClassPrintPage(Page):
    """classes_print.html: a class's versions as worksheet pages, each with the join QR code."""

    class_name: str = documented("the class's name")
    worksheet: Worksheet = documented("the versions as printed")
    drawn: dict[str, DrawnProblem] = documented("each problem as printed, by its code")
    home: str = documented("the public address printed for students")
    join: JoinSheet = documented("the join code, link and QR code printed on every sheet")
    papers: dict[str, str] = documented("paper value -> label")
    error: str | None = documented("why the versions asked for could not be printed, or None")
    action: str = documented("where the form goes (GET)")
    dashboard: str = documented("the class's dashboard")


def render(template: str, page: Page | PaperNote) -> str:
    """`template` with the page's fields as its variables (not dataclasses.asdict:
    the values are handed over as they are, not copied)."""
    return render_template(template, **{name.name: getattr(page, name.name) for name in fields(page)})

