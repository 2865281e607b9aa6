"""Worksheets as data: settings and a seed -> versions -> problem codes -> pages.

A worksheet is a class set of printed sheets, one *version* per student, each
with 1-6 problems, plus an optional answer key. Everything follows from the
settings and one seed, so the worksheet's URL is the whole worksheet:

* ``parse`` reads the settings from a URL's query (strings in, plain messages
  out for anything over a limit); ``Settings.query`` writes the canonical query.
* ``build`` derives every problem's seed from the worksheet seed (a NumPy
  ``SeedSequence`` keyed by the seed and the problem shape, read through the
  PCG64 bit stream only, whose output NumPy keeps stable), drops any seed whose
  problem is already on the worksheet (so every problem of every version is
  different), and lays the problems out on pages.
* Each problem is an ordinary generated problem with an ordinary code, so a
  student can type the code printed beside it into "Open a code" and check it.
* The pages are planned here, from a model of the printed sizes in millimetres
  (the same numbers as ``static/worksheet.css``), so a problem is never split
  across pages and the page count is known before anything is printed; the
  PDF test prints the preview and holds Chromium to this plan.

Nothing here imports Flask.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import segno

from . import presets
from .codes import ALPHABET, display, generated_code
from .generate import MAX_SEED, generate
from .presets import Profile
from .problem import DIMENSIONS, MAX_SIZE, MIN_SIZE, Problem, Sizes, Solution, solve

MAX_PROBLEMS = 6
MAX_VERSIONS = 60
MAX_TITLE = 80
MAX_INSTRUCTIONS = 200
CUSTOM = "custom"
NOTATIONS = {"grid": "AI by Hand grid", "numpy": "NumPy notation"}
KEYS = {
    "end": "after the sheets",
    "only": "on its own (the key alone, to print separately)",
    "none": "no key",
}
DEFAULTS = {"preset": presets.DEFAULT.name, "problems": "2", "versions": "30", "notation": "grid",
            "title": "", "instructions": "", "paper": "a4", "key": "end"}
# A tag mixed into every seed sequence so worksheet seeds never coincide with
# the seed sequences that generate problems.
_STREAM_TAG = 0x57534854  # "WSHT"


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
PAPER_LABELS = {"a4": "A4 (210 × 297 mm)", "letter": "US Letter (8.5 × 11 in)"}


class WorksheetError(ValueError):
    """Settings over a limit; `messages` says every limit that was broken."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Settings:
    preset: str  # a preset's name, or CUSTOM
    sizes: Sizes
    problems: int
    versions: int
    notation: str
    title: str
    instructions: str
    paper: str
    key: str
    seed: int

    @property
    def profile(self) -> Profile:
        return presets.CUSTOM_SIZES_PROFILE if self.preset == CUSTOM else presets.BY_NAME[self.preset]

    @property
    def paper_size(self) -> Paper:
        return PAPERS[self.paper]

    def query(self) -> dict[str, str]:
        """The canonical query: every setting and the seed, in a fixed order."""
        query = {"preset": self.preset}
        if self.preset == CUSTOM:
            query.update({name: str(value) for name, value in self.sizes.as_dict().items()})
        query.update(problems=str(self.problems), versions=str(self.versions), notation=self.notation,
                     title=self.title, instructions=self.instructions, paper=self.paper, key=self.key,
                     seed=str(self.seed))
        return query


def _clean_text(value: str) -> str:
    """One line of printable text: control characters dropped, spaces collapsed."""
    kept = "".join(" " if ch.isspace() else ch for ch in value
                   if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def _whole(args: Mapping[str, str], name: str, low: int, high: int, what: str, errors: list[str]):
    text = str(args.get(name, DEFAULTS.get(name, ""))).strip()
    try:
        value = int(text)
    except ValueError:
        errors.append(f"{what} must be a whole number from {low} to {high}.")
        return None
    if not low <= value <= high:
        errors.append(f"{what} go from {low} to {high}; {value} is over the limit."
                      if value > high else f"{what} go from {low} to {high}; {value} is too few.")
        return None
    return value


def _choice(args: Mapping[str, str], name: str, choices, what: str, errors: list[str]):
    value = str(args.get(name, DEFAULTS[name]))
    if value not in choices:
        errors.append(f"{what} is one of {', '.join(choices)}.")
        return None
    return value


def parse(args: Mapping[str, str], new_seed) -> Settings:
    """Settings from a query; a missing seed comes from `new_seed()`.

    Raises WorksheetError naming every limit that was broken."""
    errors: list[str] = []
    preset = _choice(args, "preset", [*presets.BY_NAME, CUSTOM], "The preset", errors)
    sizes = None
    if preset == CUSTOM:
        values = {name: _whole(args, name, MIN_SIZE, MAX_SIZE, f"Sizes ({name})", errors)
                  for name in DIMENSIONS}
        if None not in values.values():
            sizes = Sizes(**values)
    elif preset is not None:
        sizes = presets.BY_NAME[preset].sizes
    problems = _whole(args, "problems", 1, MAX_PROBLEMS, "Problems per sheet", errors)
    versions = _whole(args, "versions", 1, MAX_VERSIONS, "Versions", errors)
    notation = _choice(args, "notation", NOTATIONS, "The notation", errors)
    paper = _choice(args, "paper", PAPERS, "The paper size", errors)
    key = _choice(args, "key", KEYS, "The answer key", errors)
    title = _clean_text(str(args.get("title", "")))
    if len(title) > MAX_TITLE:
        errors.append(f"A title has at most {MAX_TITLE} characters; this one has {len(title)}.")
    instructions = _clean_text(str(args.get("instructions", "")))
    if len(instructions) > MAX_INSTRUCTIONS:
        errors.append(f"Instructions have at most {MAX_INSTRUCTIONS} characters; "
                      f"these have {len(instructions)}.")
    seed = new_seed() if "seed" not in args else _whole(args, "seed", 0, MAX_SEED, "Seeds", errors)
    if errors:
        raise WorksheetError(errors)
    settings = Settings(preset=preset, sizes=sizes, problems=problems, versions=versions,
                        notation=notation, title=title, instructions=instructions, paper=paper,
                        key=key, seed=seed)
    return settings


def _shape(sizes: Sizes) -> str:
    return "-".join(str(value) for value in sizes.as_dict().values())


def _search_budget(needed: int) -> int:
    return 8 * needed + 64


# ---------------------------------------------------------------------------
# Versions and problems


@dataclass(frozen=True)
class Item:
    number: int  # 1-based, within its version
    code: str  # display form, e.g. "G3KQ7-WN6A3"
    problem: Problem
    solution: Solution


@dataclass(frozen=True)
class Version:
    number: int  # 1-based
    code: str  # the set code and the version number, e.g. "7K3QM-03"
    items: list[Item]


def set_code(settings: Settings) -> str:
    """Five symbols naming the whole worksheet (settings and seed), printed on
    every sheet and the key so a stray page finds its key."""
    text = "&".join(f"{name}={value}" for name, value in settings.query().items())
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 7
    return "".join(ALPHABET[number >> shift & 31] for shift in (20, 15, 10, 5, 0))


def _problem_seeds(settings: Settings) -> list[tuple[int, Problem]]:
    """(seed, problem) for every problem of the worksheet, all different."""
    needed = settings.problems * settings.versions
    sequence = np.random.SeedSequence(
        [_STREAM_TAG, settings.seed, settings.profile.id, *settings.sizes.as_dict().values()])
    bits = np.random.PCG64(sequence)
    chosen: list[tuple[int, Problem]] = []
    seen_seeds: set[int] = set()
    seen_problems: set[Problem] = set()
    budget = _search_budget(needed)
    while len(chosen) < needed and budget > 0:
        for word in bits.random_raw(min(budget, needed - len(chosen) + 8)).tolist():
            budget -= 1
            seed = word % (MAX_SEED + 1)
            if seed in seen_seeds:
                continue
            seen_seeds.add(seed)
            problem = generate(settings.profile, settings.sizes, seed)
            if problem in seen_problems:
                continue
            seen_problems.add(problem)
            chosen.append((seed, problem))
            if len(chosen) == needed:
                break
    if len(chosen) < needed:
        raise WorksheetError([f"Could not find {needed} different problems of sizes "
                              f"{_shape(settings.sizes)}; ask for fewer versions or problems."])
    return chosen


def versions(settings: Settings) -> list[Version]:
    found = iter(_problem_seeds(settings))
    code = set_code(settings)
    result = []
    for v in range(1, settings.versions + 1):
        items = []
        for n in range(1, settings.problems + 1):
            seed, problem = next(found)
            items.append(Item(n, display(generated_code(settings.profile, settings.sizes, seed)),
                              problem, solve(problem)))
        result.append(Version(v, f"{code}-{v:02d}", items))
    return result


# ---------------------------------------------------------------------------
# Printed sizes and pages (millimetres; keep in step with static/worksheet.css)

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


def sheet_layout(settings: Settings) -> SheetLayout:
    """The largest scale at which a problem fits the page, and how many fit on one."""
    paper = settings.paper_size
    for scale in SCALES:
        width, height, stacked = problem_box(settings, scale)
        if width <= paper.content_width and height <= paper.content_height - header_height(settings):
            break
    first = int((paper.content_height - header_height(settings)) // height)
    after = int((paper.content_height - RUNNING_HEADER) // height)
    return SheetLayout(scale, stacked, max(first, 1), max(after, 1))


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
    paper = settings.paper_size
    width, height = key_entry_box(settings.sizes)
    columns = int((paper.content_width + KEY_COL_GAP) // (width + KEY_COL_GAP))
    rows = int((paper.content_height - KEY_HEADER + KEY_ROW_GAP) // (height + KEY_ROW_GAP))
    return KeyLayout(max(1, min(columns, MAX_KEY_COLUMNS)), max(1, rows))


@dataclass(frozen=True)
class Page:
    kind: str  # "sheet" or "key"
    number: int  # 1-based, in the whole document
    version: Version | None = None
    part: int = 1  # the page's number within its version (or within the key)
    parts: int = 1
    items: list[Item] = field(default_factory=list)
    entries: list[tuple[Version, Item]] = field(default_factory=list)  # on a key page


@dataclass(frozen=True)
class Worksheet:
    settings: Settings
    set_code: str
    versions: list[Version]
    sheet: SheetLayout
    key: KeyLayout
    pages: list[Page]

    @property
    def sheet_pages(self) -> int:
        return sum(page.kind == "sheet" for page in self.pages)


def _chunks(items: list, first: int, rest: int) -> list[list]:
    chunks, start, size = [], 0, first
    while start < len(items):
        chunks.append(items[start:start + size])
        start, size = start + size, rest
    return chunks


def build(settings: Settings) -> Worksheet:
    """The whole worksheet: its versions and every page, in print order."""
    all_versions = versions(settings)
    sheet, key = sheet_layout(settings), key_layout(settings)
    pages: list[Page] = []
    if settings.key != "only":
        for version in all_versions:
            chunks = _chunks(version.items, sheet.first_page, sheet.next_pages)
            for part, chunk in enumerate(chunks, 1):
                pages.append(Page("sheet", len(pages) + 1, version, part, len(chunks), items=chunk))
    if settings.key != "none":
        entries = [(version, item) for version in all_versions for item in version.items]
        chunks = _chunks(entries, key.per_page, key.per_page)
        for part, chunk in enumerate(chunks, 1):
            pages.append(Page("key", len(pages) + 1, None, part, len(chunks), entries=chunk))
    return Worksheet(settings, set_code(settings), all_versions, sheet, key, pages)


@lru_cache(maxsize=1024)
def qr_svg(text: str) -> str:
    """An SVG QR code of `text` (error correction M), sized by CSS: segno writes
    only a viewBox, a class and a stroked path, no style attribute."""
    return segno.make(text, error="m", micro=False).svg_inline(border=2, omitsize=True, dark="#000")
