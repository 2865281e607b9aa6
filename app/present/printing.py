"""Printed worksheets: the sizes in millimetres, how many problems fit a page,
and the pages in print order.

The pages are planned here, from a model of the printed sizes, so that a
problem is never split across pages and the page count is known before
anything is printed. static/worksheet.css draws with the same sizes: its size
variables are the ones `CSS_SIZES` lists (tests/test_worksheet.py compares the
two), and the PDF test prints the preview and holds Chromium to this plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeVar

from ..core import worksheet
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
# Grid and equation cells at 100 %.
ANSWER_W, ANSWER_H, GIVEN_W, X_H, ONES_H, GAP = 9.5, 8.5, 7.5, 6.5, 6.0, 0.8
ARROW_W, COL_GAP, ROW_GAP, CAPTION, LABELS = 11.0, 2.5, 2.0, 4.5, 4.0
CAPTION_W = {"h_z": 22.5, "y_z": 22.5, "y": 18.0, "W": 16.0}  # "h_z W1·X + b1" and the others
OPERATOR_W, BRACKET_PAD, BRACKET_RULE, LINE_GAP = 4.5, 1.2, 0.4, 3.5
# Not scaled: the problem's tag (number, code and QR code) and its frame.
TAG_WIDE = (44.0, 17.0)  # text beside the QR code
TAG_TALL = (25.0, 33.0)  # text above it
PROBLEM_FRAME = 5.0  # padding above and below, and the rule between problems
# The header of a version's first page, the lines it may add, and later pages' header.
HEADER, TITLE_LONG, INSTRUCTION_LINE, RUNNING_HEADER = 29.0, 4.0, 4.0, 11.5
TITLE_SHORT_CHARS, INSTRUCTION_CHARS = 36, 60  # per line, counted low: a line holds more
FUDGE = 1.0  # mm per problem, for rounding in the browser's layout
# The key, at a fixed small size.
KEY_W, KEY_H, KEY_GAP, KEY_LABEL, KEY_HEAD, KEY_MIN_W = 6.2, 4.6, 0.4, 3.6, 4.8, 31.0
KEY_BLOCK_GAP, KEY_FRAME, KEY_COL_GAP, KEY_ROW_GAP, KEY_HEADER = 2.5, 2.8, 4.0, 2.5, 11.0
MAX_KEY_COLUMNS = 6

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


def problem_box(settings: Settings, scale: int) -> tuple[float, float, bool]:
    """(width, height, tag stacked) of one printed problem at `scale` percent."""
    s, z = scale / 100, settings.sizes
    gap = GAP * s
    if settings.notation == "grid":
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


def header_height(settings: Settings) -> float:
    return (HEADER + (TITLE_LONG if title_lines(settings) == 2 else 0.0)
            + INSTRUCTION_LINE * instruction_lines(settings))


@dataclass(frozen=True)
class SheetLayout:
    scale: int  # percent: the cell size class of the whole worksheet
    tag_stacked: bool
    first_page: int  # problems on a version's first page (under the full header)
    next_pages: int  # problems on each later page (under a one-line header)
    title_lines: int  # of the header's title (title_lines)
    instruction_lines: int  # of the header's instructions (instruction_lines)


def sheet_layout(settings: Settings) -> SheetLayout:
    """The largest scale at which a problem fits the page, and how many fit on one."""
    paper = paper_of(settings)
    for scale in SCALES:
        width, height, stacked = problem_box(settings, scale)
        if width <= paper.content_width and height <= paper.content_height - header_height(settings):
            break
    first = int((paper.content_height - header_height(settings)) // height)
    after = int((paper.content_height - RUNNING_HEADER) // height)
    return SheetLayout(scale, stacked, max(first, 1), max(after, 1), title_lines(settings),
                       instruction_lines(settings))


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


def key_layout(settings: Settings) -> KeyLayout:
    paper = paper_of(settings)
    width, height = key_entry_box(settings.sizes)
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


@dataclass(frozen=True)
class Worksheet:
    """A whole worksheet as printed: its versions, how they fill pages, and the pages."""

    settings: Settings
    set_code: str
    versions: list[Version]
    sheet_layout: SheetLayout
    key_layout: KeyLayout
    pages: list[Page]

    @property
    def sheet_pages(self) -> int:
        return sum(page.kind == "sheet" for page in self.pages)


def _chunks(items: list[T], first: int, rest: int) -> list[list[T]]:
    chunks, start, size = [], 0, first
    while start < len(items):
        chunks.append(items[start:start + size])
        start, size = start + size, rest
    return chunks


def build(settings: Settings) -> Worksheet:
    """The whole worksheet: its versions and every page, in print order."""
    all_versions = worksheet.versions(settings)
    sheet, key = sheet_layout(settings), key_layout(settings)
    pages: list[Page] = []
    if settings.answer_key != "only":
        for version in all_versions:
            chunks = _chunks(version.items, sheet.first_page, sheet.next_pages)
            for part, chunk in enumerate(chunks, 1):
                pages.append(Page("sheet", len(pages) + 1, version, part, len(chunks), items=chunk))
    if settings.answer_key != "none":
        entries = [(version, item) for version in all_versions for item in version.items]
        key_chunks = _chunks(entries, key.per_page, key.per_page)
        for part, entry_chunk in enumerate(key_chunks, 1):
            pages.append(Page("key", len(pages) + 1, None, part, len(key_chunks), entries=entry_chunk))
    return Worksheet(settings, worksheet.set_code(settings), all_versions, sheet, key, pages)


