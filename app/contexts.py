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

from .core import codereading, codes, matrixtext, parsing, printed, worksheet
from .core.codes import Generated
from .core.grading import Mark
from .core.presets import Profile
from .core.problem import MAX_SIZE, MAX_VALUE, MIN_SIZE, MIN_VALUE, Sizes
from .core.working import Working
from .core.worksheet import Settings, Version
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


LIMITS = Limits()


@dataclass(frozen=True, kw_only=True)
class Page:
    """What base.html, around every page, needs."""

    limits: Limits = documented("the limits forms and their wording state", default=LIMITS)
    typed: str = documented("what the header's Open a code box shows (a code that failed)", default="")


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


def render(template: str, page: Page | PaperNote) -> str:
    """`template` with the page's fields as its variables (not dataclasses.asdict:
    the values are handed over as they are, not copied)."""
    return render_template(template, **{name.name: getattr(page, name.name) for name in fields(page)})

