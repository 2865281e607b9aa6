"""Printed worksheets: the sizes in millimetres, how many problems fit a page,
and the pages in print order.

The pages are planned here, from a model of the printed sizes, so that a
problem is never split across pages and the page count is known before
anything is printed. This module is the one place those sizes live: the PDF
(app/present/drawing.py places every box from them) and the HTML preview
(static/worksheet.css, whose size variables are the ones `CSS_SIZES` lists;
tests/test_worksheet.py compares the two) both draw from here.

Paper is not wasted: answer boxes stay at least `MIN_ANSWER_W` wide, and
within that floor the scale that needs the fewest pages is chosen; the room
left on a version's last page becomes a "Working" area; a double-sided set pads
each version to an even number of pages (with a working page), so that no
sheet carries two students' work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, TypeVar

from ..core import codes, worksheet
from ..core.problem import Sizes
from ..core.worksheet import Item, Settings, Version

T = TypeVar("T")


@dataclass(frozen=True)
class Paper:
    name: str  # as CSS's @page size names it
    width: float  # mm
    height: float  # mm
    margin: float = 10.0  # mm, every side (static/worksheet.css: @page)

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def content_height(self) -> float:
        return self.height - 2 * self.margin


PAPERS = {"a4": Paper("A4", 210.0, 297.0), "letter": Paper("letter", 215.9, 279.4)}
assert PAPERS.keys() == worksheet.PAPERS.keys()


def paper_of(settings: Settings) -> Paper:
    return PAPERS[settings.paper]


SCALES = tuple(range(100, 55, -5))  # percent; one is chosen per worksheet
MIN_ANSWER_W = 8.0  # mm: an answer box is never narrower, so handwriting fits (but see sheet_layout)
# Grid and equation cells at 100 %.
ANSWER_W, ANSWER_H, GIVEN_W, X_H, ONES_H, GAP = 9.5, 8.5, 7.5, 6.5, 6.0, 0.8
ARROW_W, COL_GAP, ROW_GAP, CAPTION, LABELS = 11.0, 2.5, 2.0, 4.5, 4.0
CAPTION_W = {"h_z": 22.5, "y_z": 22.5, "y": 18.0, "W": 16.0}  # "h_z W1·X + b1" and the others
OPERATOR_W, BRACKET_PAD, BRACKET_RULE, LINE_GAP = 4.5, 1.2, 0.4, 3.5
# Not scaled: the problem's tag (number, code and QR code) and its frame.
TAG_WIDE = (44.0, 17.0)  # text beside the QR code
TAG_TALL = (25.0, 33.0)  # text above it
# A problem code longer than a generated one's is set small in the tag, up to
# three lines; a longer one is cut there (its QR code holds it whole).
TAG_CODE_CHARS, TAG_LONG_CODE_CHARS, KEY_CODE_CHARS = 11, 41, 12
PROBLEM_FRAME = 5.0  # padding above and below, and the rule between problems
# The header of a version's first page, the lines it may add, and later pages' header.
HEADER, TITLE_LONG, INSTRUCTION_LINE, RUNNING_HEADER = 29.0, 4.0, 4.0, 11.5
HEADER_TITLE = 7.0  # the title's line, with the version number at its right
VERSION_W, CODE_W = 60.0, 46.0  # the version number's width; the version code's, right of the Name line
# A version code longer than this (a set with problem codes of its own in it)
# gets lines of its own under the title, CODE_CHARS to a line.
SHORT_CODE, CODE_LINE, CODE_CHARS = 24, 3.6, 90
PROBLEM_TOP = 2.5  # of PROBLEM_FRAME: above a problem's drawing
TITLE_SHORT_CHARS, INSTRUCTION_CHARS = 36, 60  # per line, counted low: a line holds more
FUDGE = 1.0  # mm per problem, for rounding in the browser's layout
# Room left on a version's last page becomes a "Working" area when it is at least this tall.
WORKING_MIN = 25.0
# The key, at a fixed small size: 7.5 pt digits in 5.4 x 4.2 mm cells stay legible.
KEY_W, KEY_H, KEY_GAP, KEY_LABEL, KEY_HEAD, KEY_MIN_W = 5.4, 4.2, 0.4, 3.6, 4.8, 31.0
KEY_BLOCK_GAP, KEY_FRAME, KEY_COL_GAP, KEY_ROW_GAP, KEY_HEADER = 2.5, 2.8, 3.0, 2.0, 17.0
MAX_KEY_COLUMNS = 8

# The custom properties of static/worksheet.css's .ws-doc that draw these sizes:
# (millimetres, whether scaled by the worksheet's --s).
CSS_SIZES = {
    "--aw": (ANSWER_W, True), "--ah": (ANSWER_H, True), "--gw": (GIVEN_W, True), "--xh": (X_H, True),
    "--oh": (ONES_H, True), "--gap": (GAP, True), "--arrow": (ARROW_W, True), "--colgap": (COL_GAP, True),
    "--rowgap": (ROW_GAP, True), "--qr": (TAG_WIDE[1], False), "--tag-tall": (TAG_TALL[0], False),
    "--key-w": (KEY_W, False), "--key-h": (KEY_H, False), "--key-gap": (KEY_GAP, False),
    "--key-label": (KEY_LABEL, False), "--key-head": (KEY_HEAD, False),
    "--key-block-gap": (KEY_BLOCK_GAP, False), "--key-col-gap": (KEY_COL_GAP, False),
    "--key-row-gap": (KEY_ROW_GAP, False),
}


def _span(count: int, pitch: float, gap: float) -> float:
    return count * (pitch + gap) - gap


@lru_cache(maxsize=1024)
def problem_box(notation: str, z: Sizes, scale: int) -> tuple[float, float, bool]:
    """(width, height, tag stacked) of one printed problem of sizes `z` at `scale` percent."""
    s = scale / 100
    gap = GAP * s
    if notation == "grid":
        # Columns: [W1|b1], h_z (and X), ReLU, h, ReLU, y; W2 spans the first two.
        # A column is as wide as its widest matrix or caption (captions do not wrap).
        x_col = _span(z.batch, ANSWER_W * s, gap)
        h_z_col, h_col, y_col = (max(x_col, CAPTION_W["h_z"] * s), max(x_col, CAPTION_W["y_z"] * s),
                                 max(x_col, CAPTION_W["y"] * s))
        w1_col = max(_span(z.inputs + 1, GIVEN_W * s, gap), CAPTION_W["W"] * s)
        # [W2 | b2] spans the h_z and first ReLU columns, and widens them if need be.
        middle = max(h_z_col + COL_GAP * s + ARROW_W * s, _span(z.hidden + 1, GIVEN_W * s, gap))
        right = h_col + ARROW_W * s + y_col + 2 * COL_GAP * s  # h, ReLU, y: the tag's area
        stacked = right < TAG_WIDE[0]
        tag_w, tag_h = TAG_TALL if stacked else TAG_WIDE
        width = w1_col + middle + 2 * COL_GAP * s + max(right, tag_w)
        x_block = LABELS * s + _span(z.inputs, X_H * s, gap) + 2 * gap + ONES_H * s
        row1 = max(x_block, tag_h)
        row2 = _span(z.hidden, ANSWER_H * s, gap) + gap + ONES_H * s + CAPTION * s
        row3 = _span(z.outputs, ANSWER_H * s, gap) + CAPTION * s
        height = row1 + row2 + row3 + 2 * ROW_GAP * s
    else:
        stacked = True
        frame = 2 * (BRACKET_PAD * s + BRACKET_RULE)

        def matrix(rows: int, cols: int, cell_w: float) -> tuple[float, float]:
            return (cols * (cell_w * s + gap) + gap + frame,
                    rows * (ANSWER_H * s + gap) + gap + 2 * 0.6 * s + CAPTION * s)

        h_z, w1, x, b1 = (matrix(z.hidden, z.batch, ANSWER_W), matrix(z.hidden, z.inputs, GIVEN_W),
                          matrix(z.inputs, z.batch, GIVEN_W), matrix(z.hidden, 1, GIVEN_W))
        y_z, w2, b2 = (matrix(z.outputs, z.batch, ANSWER_W), matrix(z.outputs, z.hidden, GIVEN_W),
                       matrix(z.outputs, 1, GIVEN_W))
        line1 = h_z[0] + w1[0] + x[0] + b1[0] + 4 * OPERATOR_W * s
        line3 = y_z[0] + w2[0] + b2[0] + 5 * OPERATOR_W * s
        width = max(line1, line3) + COL_GAP * s + TAG_TALL[0]
        lines = max(h_z[1], w1[1], x[1] + LABELS * s) + h_z[1] + 2 * y_z[1] + 3 * LINE_GAP * s
        height = max(lines, TAG_TALL[1])
    return width + FUDGE, height + PROBLEM_FRAME + FUDGE, stacked


def title_lines(settings: Settings) -> int:
    """1 or 2: a long title is set smaller, on at most two lines (CSS: .ws-title.long)."""
    return 1 if len(settings.title) <= TITLE_SHORT_CHARS else 2


def instruction_lines(settings: Settings) -> int:
    """0 to 3 lines; CSS cuts the instructions at this many (.lines-N), so the
    page never holds more than was planned."""
    return min(3, -(-len(settings.instructions) // INSTRUCTION_CHARS))


def code_lines(code: str) -> int:
    """Lines of their own a version code takes in the header (0 for a short one)."""
    return 0 if len(code) <= SHORT_CODE else -(-(len(code) + 13) // CODE_CHARS)


@lru_cache(maxsize=256)
def header_height(settings: Settings) -> float:
    code = worksheet.version_code(worksheet.set_code(settings), settings.versions)
    return (HEADER + (TITLE_LONG if title_lines(settings) == 2 else 0.0)
            + INSTRUCTION_LINE * instruction_lines(settings) + CODE_LINE * code_lines(code))


@dataclass(frozen=True)
class SheetLayout:
    scale: int  # percent: the cell size class of the whole worksheet
    first_room: float  # mm for problems on a version's first page (under the full header)
    next_room: float  # mm for problems on each later page (under a one-line header)
    title_lines: int  # of the header's title (title_lines)
    instruction_lines: int  # of the header's instructions (instruction_lines)
    code_lines: int = 0  # lines of its own the version code takes (code_lines; 0: beside the title)
    below_floor: bool = False  # answer boxes narrower than MIN_ANSWER_W: nothing else fits

    @property
    def answer_width(self) -> float:
        return ANSWER_W * self.scale / 100


def _fits(settings: Settings, sizes: Iterable[Sizes], scale: int) -> bool:
    paper = paper_of(settings)
    boxes = [problem_box(settings.notation, z, scale) for z in sizes]
    return all(w <= paper.content_width and h <= paper.content_height - header_height(settings)
               for w, h, _ in boxes)


def _pack(heights: list[float], first: float, rest: float) -> list[list[int]]:
    """Indexes of `heights` page by page, in order, as many on a page as fit
    (at least one, so a page always moves on)."""
    pages: list[list[int]] = []
    room = 0.0
    for index, height in enumerate(heights):
        if not pages or height > room:
            pages.append([])
            room = first if len(pages) == 1 else rest
        pages[-1].append(index)
        room -= height
    return pages


def _version_pages(settings: Settings, layout: SheetLayout, sizes: list[Sizes]) -> list[list[int]]:
    heights = [problem_box(settings.notation, z, layout.scale)[1] for z in sizes]
    return _pack(heights, layout.first_room, layout.next_room)


def sheet_layout(settings: Settings, sizes: Iterable[Sizes] | None = None,
                 versions: list[list[Sizes]] | None = None) -> SheetLayout:
    """The scale of the worksheet's cells: among the scales at which every
    problem fits the page with answer boxes at least MIN_ANSWER_W wide, the one
    that prints the fewest pages, the largest of those on a tie. Only when no
    scale within that floor fits (the largest custom sizes) does it go below,
    to the largest scale that fits, and says so (`below_floor`)."""
    paper = paper_of(settings)
    shapes = list(versions or [[settings.sizes] * settings.problems])
    every = set(sizes or [z for shape in shapes for z in shape])
    first, rest = paper.content_height - header_height(settings), paper.content_height - RUNNING_HEADER

    lines = code_lines(worksheet.version_code(worksheet.set_code(settings), settings.versions))

    def layout(scale: int, below: bool = False) -> SheetLayout:
        return SheetLayout(scale, first, rest, title_lines(settings), instruction_lines(settings), lines,
                           below)

    within = [scale for scale in SCALES
              if ANSWER_W * scale / 100 >= MIN_ANSWER_W and _fits(settings, every, scale)]
    if within:
        distinct = {tuple(shape) for shape in shapes}

        def printed(scale: int) -> int:
            return sum(len(_version_pages(settings, layout(scale), list(shape))) * shapes.count(list(shape))
                       for shape in distinct)

        pages = {scale: printed(scale) for scale in within}
        return layout(min(within, key=lambda scale: (pages[scale], -scale)))
    below = [scale for scale in SCALES if _fits(settings, every, scale)]
    return layout(below[0] if below else SCALES[-1], below=True)


@dataclass(frozen=True)
class KeyLayout:
    columns: int
    rows: int

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


def key_entry_box(sizes: Sizes) -> tuple[float, float]:
    """(width, height) of one key entry: h_z beside h, y_z beside y, under a head line."""
    width = max(2 * _span(sizes.batch, KEY_W, KEY_GAP) + KEY_BLOCK_GAP + KEY_FRAME, KEY_MIN_W)
    height = (KEY_HEAD + 2 * KEY_LABEL + _span(sizes.hidden, KEY_H, KEY_GAP)
              + _span(sizes.outputs, KEY_H, KEY_GAP) + KEY_BLOCK_GAP + KEY_FRAME)
    return width + FUDGE, height + FUDGE


def largest(sizes: Iterable[Sizes]) -> Sizes:
    """Sizes at least as large as each of `sizes` in every dimension (a key
    entry's room holds any of them)."""
    found = list(sizes)
    return Sizes(*(max(getattr(z, name) for z in found) for name in ("inputs", "hidden", "outputs", "batch")))


def key_layout(settings: Settings, sizes: Iterable[Sizes] | None = None) -> KeyLayout:
    paper = paper_of(settings)
    width, height = key_entry_box(largest(sizes or [settings.sizes]))
    columns = int((paper.content_width + KEY_COL_GAP) // (width + KEY_COL_GAP))
    rows = int((paper.content_height - KEY_HEADER + KEY_ROW_GAP) // (height + KEY_ROW_GAP))
    return KeyLayout(max(1, min(columns, MAX_KEY_COLUMNS)), max(1, rows))


@dataclass(frozen=True)
class Page:
    kind: Literal["sheet", "key"]
    number: int  # 1-based, in the whole document
    version: Version | None = None
    part: int = 1  # the page's number within its version (or within the key)
    parts: int = 1
    items: list[Item] = field(default_factory=list)
    entries: list[tuple[Version, Item]] = field(default_factory=list)  # on a key page
    working: float = 0.0  # mm of "Working" area under the problems (0: none)


@dataclass(frozen=True)
class PaperUse:
    """What a worksheet costs in paper, for the teacher choosing its settings."""

    pages_per_version: int
    sheets_per_version: int  # pages_per_version, or half of it (rounded up) double-sided
    key_pages: int
    sheets: int  # in all, the key included
    one_more_free: bool  # one more problem per version would need no more paper
    problems: int  # per version, now
    duplex: bool
    answer_width: float  # mm
    below_floor: bool  # answer boxes narrower than MIN_ANSWER_W (the largest sizes)


@dataclass(frozen=True)
class Worksheet:
    """A whole worksheet as printed: its versions, how they fill pages, and the pages."""

    settings: Settings
    set_code: str
    versions: list[Version]
    sheet_layout: SheetLayout
    key_layout: KeyLayout
    pages: list[Page]
    paper_use: PaperUse

    @property
    def sheet_pages(self) -> int:
        return sum(page.kind == "sheet" for page in self.pages)


def _chunks(items: list[T], first: int, rest: int) -> list[list[T]]:
    chunks, start, size = [], 0, first
    while start < len(items):
        chunks.append(items[start:start + size])
        start, size = start + size, rest
    return chunks


def _sheets(settings: Settings, layout: SheetLayout, version: Version) -> list[tuple[list[Item], float]]:
    """A version's pages: the problems on each and the working area under them
    (the room left on the last page; a whole page to make a double-sided
    version even)."""
    chunks = _version_pages(settings, layout, [item.problem.sizes for item in version.items])
    pages: list[tuple[list[Item], float]] = []
    for number, chunk in enumerate(chunks):
        room = layout.first_room if number == 0 else layout.next_room
        used = sum(problem_box(settings.notation, version.items[i].problem.sizes, layout.scale)[1]
                   for i in chunk)
        left = room - used if number == len(chunks) - 1 else 0.0
        pages.append(([version.items[i] for i in chunk], left if left >= WORKING_MIN else 0.0))
    if settings.duplex and len(pages) % 2:
        pages.append(([], layout.next_room))
    return pages


def version_shape(settings: Settings) -> list[Sizes]:
    """The sizes of a version's problems, in order, known before any is made:
    the listed codes' and then the generated ones' (every version alike)."""
    listed = [codes.load(code).problem.sizes for code in settings.codes]
    return listed + [settings.sizes] * settings.generated_per_version


def _sheets_of(settings: Settings, shape: list[Sizes]) -> tuple[SheetLayout, int, int]:
    """The layout one version of these problem sizes gets, its pages (made even
    double-sided) and the sheets of paper they take."""
    layout = sheet_layout(settings, versions=[shape])
    pages = len(_version_pages(settings, layout, shape))
    if settings.duplex:
        pages += pages % 2
    return layout, pages, -(-pages // 2) if settings.duplex else pages


def paper_use(settings: Settings) -> PaperUse:
    """What the worksheet costs in paper, without making its problems (the form
    asks for it as the teacher types)."""
    shape = version_shape(settings)
    layout, pages, sheets = _sheets_of(settings, shape)
    can_add = ((settings.generated_per_version > 0 or not settings.codes)
               and settings.problems < worksheet.MAX_PROBLEMS)
    free = can_add and _sheets_of(settings, [*shape, settings.sizes])[2] <= sheets
    key_pages = 0
    if settings.answer_key != "none":
        key_pages = -(-settings.versions * len(shape) // key_layout(settings, shape).per_page)
    printed = sheets * settings.versions if settings.answer_key != "only" else 0
    key_sheets = -(-key_pages // 2) if settings.duplex else key_pages
    return PaperUse(pages, sheets, key_pages, printed + key_sheets, free, len(shape), settings.duplex,
                    layout.answer_width, layout.below_floor)


def build(settings: Settings) -> Worksheet:
    """The whole worksheet: its versions and every page, in print order."""
    all_versions = worksheet.versions(settings)
    shapes = [[item.problem.sizes for item in version.items] for version in all_versions]
    sheet = sheet_layout(settings, versions=shapes)
    key = key_layout(settings, [z for shape in shapes for z in shape])
    pages: list[Page] = []
    if settings.answer_key != "only":
        for version in all_versions:
            planned = _sheets(settings, sheet, version)
            for part, (chunk, working) in enumerate(planned, 1):
                pages.append(Page("sheet", len(pages) + 1, version, part, len(planned), items=chunk,
                                  working=working))
    if settings.answer_key != "none":
        entries = [(version, item) for version in all_versions for item in version.items]
        key_chunks = _chunks(entries, key.per_page, key.per_page)
        for part, entry_chunk in enumerate(key_chunks, 1):
            pages.append(Page("key", len(pages) + 1, None, part, len(key_chunks), entries=entry_chunk))
    return Worksheet(settings, worksheet.set_code(settings), all_versions, sheet, key, pages,
                     paper_use(settings))
