"""A planned worksheet as marks on paper: every box, rule and line of text of
every page, placed in millimetres from the top left of the page's printable
area. The PDF (app/present/pdf.py) only draws these; nothing here or there
lays anything out on its own, so what prints is what `printing` planned.

Positions come from the sizes in `printing` and nothing else: a problem is
drawn inside the box `printing.problem_box` reserved for it, the key entries
inside `printing.key_entry_box`, the headers within `printing.header_height`.
tests/test_pdf.py holds every page's marks to those boxes.

Marks are plain tuples, cheap to make by the ten thousand and to hand to
Typst as JSON:

* ``("r", x, y, w, h, stroke, dashed)``: a box (stroke in mm; 0 for none);
* ``("l", x1, y1, x2, y2, stroke)``: a rule;
* ``("t", x, y, w, h, text, size, style, align)``: text clipped to its box;
  style is "" or letters of b (bold) and m (monospaced); align is one of
  l, c, r followed by t, m or b (e.g. "rm": right, middle);
* ``("q", x, y, size, link)``: the QR code of `link`.

Marks are listed in reading order (a problem's code before its matrices, a key
entry's code before its numbers), which is the order a PDF's text comes back in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.problem import ANSWER_NAMES, Problem, Solution
from ..core.wording import number
from ..core.worksheet import Item
from . import printing as P
from .printing import Page, Worksheet

Mark = tuple[object, ...]
DEFAULT_TITLE = "A neural network by hand"
TASK = "Fill in the empty boxes: h_z = W1·X + b1, then h = ReLU(h_z), y_z = W2·h + b2 and y = ReLU(y_z)."
NOTES = {"h_z": "W1·X + b1", "h": "ReLU(h_z)", "y_z": "W2·h + b2", "y": "ReLU(y_z)"}
THIN, RULE, BOX = 0.2, 0.3, 0.35  # mm: given boxes, header rules, answer boxes


@dataclass
class Canvas:
    """The marks of one page, with an origin to draw a part (a problem) at."""

    marks: list[Mark]
    dx: float = 0.0
    dy: float = 0.0

    def box(self, x: float, y: float, w: float, h: float, stroke: float = THIN, dashed: bool = False) -> None:
        self.marks.append(("r", self.dx + x, self.dy + y, w, h, stroke, dashed))

    def rule(self, x1: float, y1: float, x2: float, y2: float, stroke: float = RULE) -> None:
        self.marks.append(("l", self.dx + x1, self.dy + y1, self.dx + x2, self.dy + y2,
                           stroke))

    def text(self, x: float, y: float, w: float, h: float, text: str, size: float,
             style: str = "", align: str = "lm") -> None:
        self.marks.append(("t", self.dx + x, self.dy + y, w, h, text, size, style, align))

    def qr(self, x: float, y: float, size: float, link: str) -> None:
        self.marks.append(("q", self.dx + x, self.dy + y, size, link))


def _span(count: int, pitch: float, gap: float) -> float:
    return count * (pitch + gap) - gap


# --- a matrix ---------------------------------------------------------------


def _grid(canvas: Canvas, x: float, y: float, values: list[list[int | None]], cell_w: float,
          row_h: list[float], gap: float, size: float, bias: bool = False, ones: bool = False,
          answer: bool = False) -> tuple[float, float]:
    """A matrix's cells from (x, y): numbers in thin boxes, blanks in bold ones,
    a last row of dashed 1s (`ones`), a rule before a bias column (`bias`).
    Returns its (width, height)."""
    cols = len(values[0])
    width = _span(cols, cell_w, gap)
    top = y
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            cx = x + j * (cell_w + gap)
            one = ones and i == len(values) - 1
            canvas.box(cx, top, cell_w, row_h[i], BOX if answer and not one else THIN, dashed=one)
            if value is not None:
                canvas.text(cx, top, cell_w - 0.9, row_h[i], number(value), size * (0.82 if one else 1),
                            "m", "rm")
        top += row_h[i] + gap
    height = top - gap - y
    if bias:
        rx = x + (cols - 1) * (cell_w + gap) - gap / 2
        canvas.rule(rx, y - 0.3, rx, y + height + 0.3, 0.25)
    if ones:
        ry = y + height - row_h[-1] - gap / 2
        canvas.rule(x - 0.3, ry, x + width + 0.3, ry, 0.25)
    return width, height


def _caption(canvas: Canvas, x: float, y: float, w: float, h: float, name: str, note: str, size: float,
             align: str = "lt") -> None:
    canvas.text(x, y, w, h, f"{name} {note}".strip(), size, "", align)


def _with(matrix: list[list[int]], bias: list[int] | None = None,
          ones: bool = False) -> list[list[int | None]]:
    rows: list[list[int | None]] = [[*row, *([bias[i]] if bias else [])] for i, row in enumerate(matrix)]
    if ones:
        rows.append([1] * len(rows[0]))
    return rows


def _blank(rows: int, cols: int, ones: bool = False) -> list[list[int | None]]:
    found: list[list[int | None]] = [[None] * cols for _ in range(rows)]
    return found + ([[1] * cols] if ones else [])


# --- a problem --------------------------------------------------------------


def shown_code(code: str, limit: int) -> str:
    """A code as a tag or key entry has room for: whole, or its start and "…"
    when longer than `limit` (a large custom problem's code: its QR code holds it whole)."""
    return code if len(code) <= limit else code[:limit - 1] + "…"


def _tag(canvas: Canvas, x: float, y: float, stacked: bool, number_: int, code: str, link: str) -> None:
    """The problem's number, code and QR code: text left of the QR code, or above
    it. A long code (a custom problem's) is set smaller, over up to three lines."""
    qr = P.TAG_WIDE[1]
    long = len(code) > P.TAG_CODE_CHARS
    code_h = 9.0 if long else 4.4
    shown = shown_code(code, P.TAG_LONG_CODE_CHARS)
    cut = len(code) > P.TAG_LONG_CODE_CHARS
    hint = "scan the QR code to check" if cut else "scan or type the code to check"
    if stacked:
        w = P.TAG_TALL[0]
        canvas.text(x, y, w, 4.0, f"Problem {number_}", 9, "b", "rt")
        canvas.text(x, y + 4.0, w, code_h, shown, 6.5 if long else 8.5, "bm", "rt")
        canvas.text(x, y + 4.2 + code_h, w, 5.5, hint, 6, "", "rt")
        canvas.qr(x + w - qr, y + P.TAG_TALL[1] - qr, qr, link)
    else:
        w = P.TAG_WIDE[0]
        text_w = w - qr - 2
        canvas.text(x, y, text_w, 4.0, f"Problem {number_}", 9, "b", "rt")
        canvas.text(x, y + 4.0, text_w, code_h, shown, 6.5 if long else 10, "bm", "rt")
        canvas.text(x, y + 4.2 + code_h, text_w, qr - 4.2 - code_h, hint, 6 if long else 6.5, "", "rt")
        canvas.qr(x + w - qr, y, qr, link)


def _staircase(canvas: Canvas, problem: Problem, scale: int, stacked: bool, width: float,
               tag: Callable[[float, float, bool], None]) -> None:
    """The AI by Hand picture: X on top, [W1 | b1] left of h_z, h beside it,
    [W2 | b2] under h_z, y_z under h and y beside it (printing.problem_box's columns)."""
    s, z = scale / 100, problem.sizes
    gap, cw, gw = P.GAP * s, P.ANSWER_W * s, P.GIVEN_W * s
    colgap, rowgap, arrow = P.COL_GAP * s, P.ROW_GAP * s, P.ARROW_W * s
    num, small = 11 * s, 8 * s
    x_col = _span(z.batch, cw, gap)
    h_z_col, h_col = max(x_col, P.CAPTION_W["h_z"] * s), max(x_col, P.CAPTION_W["y_z"] * s)
    w1_col = max(_span(z.inputs + 1, gw, gap), P.CAPTION_W["W"] * s)
    middle = max(h_z_col + colgap + arrow, _span(z.hidden + 1, gw, gap))
    x1 = w1_col + colgap
    x3 = x1 + middle + colgap
    x4 = x3 + h_col + colgap
    x5 = x4 + arrow + colgap
    tag_w, tag_h = P.TAG_TALL if stacked else P.TAG_WIDE
    labels, x_rows = P.LABELS * s, [P.X_H * s] * z.inputs + [P.ONES_H * s]
    x_block = labels + _span(z.inputs, P.X_H * s, gap) + 2 * gap + P.ONES_H * s
    row1 = max(x_block, tag_h)
    tag(width - P.FUDGE - tag_w, 0.0, stacked)
    # X, bottom-aligned over h_z, its columns labelled x1, x2, ...
    top = row1 - x_block
    for j in range(z.batch):
        canvas.text(x1 + j * (cw + gap), top, cw, labels, f"x{j + 1}", 7.5 * s, "", "cb")
    _grid(canvas, x1, top + labels + gap, _with(problem.X.tolist(), ones=True), cw, x_rows, gap, num,
          ones=True)
    canvas.text(x1 - 12 * s, top + labels, 10 * s, 5 * s, "X", small, "m", "rt")
    y1 = row1 + rowgap
    height = _layer(canvas, s, z.batch, y1, problem.W1.tolist(), problem.b1.tolist(), x1 - colgap, w1_col,
                    ("[W1 | b1]", "h_z", "h"), (x1, x1 + h_z_col + colgap, x3), (h_z_col, h_col + arrow),
                    ones=True)
    _layer(canvas, s, z.batch, y1 + height + rowgap, problem.W2.tolist(), problem.b2.tolist(), x3 - colgap,
           _span(z.hidden + 1, gw, gap), ("[W2 | b2]", "y_z", "y"), (x3, x4, x5),
           (h_col, max(x_col, P.CAPTION_W["y"] * s)), ones=False)


def _layer(canvas: Canvas, s: float, batch: int, y: float, weights: list[list[int]], bias: list[int],
           w_right: float, w_caption: float, names: tuple[str, str, str], xs: tuple[float, float, float],
           caption_ws: tuple[float, float], ones: bool) -> float:
    """One layer of the staircase from height `y`, at scale `s`: [W | b] ending
    at `w_right` (its caption `w_caption` wide), the pre-activation's boxes,
    the ReLU arrow and the activation's boxes at `xs` (the activation with its
    row of 1s when it feeds the next layer). Returns the activation's height
    with its caption."""
    cell, given, gap, arrow = P.ANSWER_W * s, P.GIVEN_W * s, P.GAP * s, P.ARROW_W * s
    caption, num, small = P.CAPTION * s, 11 * s, 8 * s
    rows = [P.ANSWER_H * s] * len(weights)
    w_width = _span(len(weights[0]) + 1, given, gap)
    _, w_h = _grid(canvas, w_right - w_width, y, _with(weights, bias), given, rows, gap, num, bias=True)
    _caption(canvas, w_right - w_caption, y + w_h + 0.8 * s, w_caption, caption - 0.8 * s, names[0], "",
             small, "rt")
    pre_x, arrow_x, act_x = xs
    _, pre_h = _grid(canvas, pre_x, y, _blank(len(weights), batch), cell, rows, gap, num, answer=True)
    _caption(canvas, pre_x, y + pre_h + 0.8 * s, caption_ws[0], caption - 0.8 * s, names[1], NOTES[names[1]],
             small)
    canvas.text(arrow_x, y + P.ANSWER_H * s * 0.5 - 2 * s, arrow, 4 * s, "ReLU →", small, "", "cm")
    act_rows = [*rows, P.ONES_H * s] if ones else rows
    _, act_h = _grid(canvas, act_x, y, _blank(len(weights), batch, ones=ones), cell, act_rows, gap, num,
                     ones=ones, answer=True)
    _caption(canvas, act_x, y + act_h + 0.8 * s, caption_ws[1], caption - 0.8 * s, names[2], NOTES[names[2]],
             small)
    return act_h + caption


def _equations(canvas: Canvas, problem: Problem, scale: int, width: float,
               tag: Callable[[float, float, bool], None]) -> None:
    """NumPy notation: h_z = W1 · X + b1, h = ReLU(h_z), y_z = W2 · h + b2, y = ReLU(y_z),
    each matrix in brackets with its name under it, the tag at the right."""
    s, z = scale / 100, problem.sizes
    gap, ah, op, pad = P.GAP * s, P.ANSWER_H * s, P.OPERATOR_W * s, P.BRACKET_PAD * s
    num, small, caption = 11 * s, 8 * s, P.CAPTION * s
    tag(width - P.FUDGE - P.TAG_TALL[0], 0.0, True)

    def matrix(x: float, y: float, name: str, values: list[list[int | None]], cell_w: float,
               answer: bool = False, labels: bool = False) -> float:
        """One bracketed matrix at (x, y); returns its width."""
        rows, cols = len(values), len(values[0])
        top = y + (P.LABELS * s if labels else 0)
        inner_w = cols * (cell_w * s + gap) + gap
        inner_h = rows * (ah + gap) + gap + 2 * 0.6 * s
        left = x + P.BRACKET_RULE + pad + gap
        if labels:
            for j in range(cols):
                canvas.text(left + j * (cell_w * s + gap), y, cell_w * s, P.LABELS * s, f"x{j + 1}", 7.5 * s,
                            "", "cb")
        for side in (x + P.BRACKET_RULE / 2, x + inner_w + 2 * pad + 1.5 * P.BRACKET_RULE):
            canvas.rule(side, top, side, top + inner_h, P.BRACKET_RULE)
        for side, tick in ((x, 1.0), (x + inner_w + 2 * pad + 2 * P.BRACKET_RULE, -1.0)):
            for edge in (top, top + inner_h):
                canvas.rule(side + P.BRACKET_RULE / 2, edge, side + P.BRACKET_RULE / 2 + tick * 1.2 * s, edge,
                            P.BRACKET_RULE)
        _grid(canvas, left, top + 0.6 * s + gap, values, cell_w * s, [ah] * rows, gap, num, answer=answer)
        total = inner_w + 2 * (pad + P.BRACKET_RULE)
        canvas.text(x, top + inner_h + 0.8 * s, total, caption - 0.8 * s, name, small, "m", "ct")
        return total

    def operator(x: float, y: float, text: str, w: float = op) -> float:
        canvas.text(x, y, w, ah, text, num, "", "cm")
        return w

    def height(rows: int) -> float:
        return rows * (ah + gap) + gap + 2 * 0.6 * s + caption

    line1 = max(height(z.hidden), height(z.inputs) + P.LABELS * s)
    mid = line1 - height(z.hidden)  # the h_z line's matrices share a top, under X's labels
    x = matrix(0.0, mid, "h_z", _blank(z.hidden, z.batch), P.ANSWER_W, answer=True)
    x += operator(x, mid + 0.6 * s + gap, "=")
    x += matrix(x, mid, "W1", _with(problem.W1.tolist()), P.GIVEN_W)
    x += operator(x, mid + 0.6 * s + gap, "·")
    x += matrix(x, mid - P.LABELS * s, "X", _with(problem.X.tolist()), P.GIVEN_W, labels=True)
    x += operator(x, mid + 0.6 * s + gap, "+")
    matrix(x, mid, "b1", [[value] for value in problem.b1.tolist()], P.GIVEN_W)
    y = line1 + P.LINE_GAP * s
    x = matrix(0.0, y, "h", _blank(z.hidden, z.batch), P.ANSWER_W, answer=True)
    x += operator(x, y + 0.6 * s + gap, "=")
    operator(x, y + 0.6 * s + gap, "ReLU(h_z)", 22 * s)
    y += height(z.hidden) + P.LINE_GAP * s
    x = matrix(0.0, y, "y_z", _blank(z.outputs, z.batch), P.ANSWER_W, answer=True)
    x += operator(x, y + 0.6 * s + gap, "=")
    x += matrix(x, y, "W2", _with(problem.W2.tolist()), P.GIVEN_W)
    x += operator(x, y + 0.6 * s + gap, "·")
    x += operator(x, y + 0.6 * s + gap, "h")
    x += operator(x, y + 0.6 * s + gap, "+")
    matrix(x, y, "b2", [[value] for value in problem.b2.tolist()], P.GIVEN_W)
    y += height(z.outputs) + P.LINE_GAP * s
    x = matrix(0.0, y, "y", _blank(z.outputs, z.batch), P.ANSWER_W, answer=True)
    x += operator(x, y + 0.6 * s + gap, "=")
    operator(x, y + 0.6 * s + gap, "ReLU(y_z)", 22 * s)


# --- pages ------------------------------------------------------------------


def _first_header(canvas: Canvas, sheet: Worksheet, page: Page, home: str) -> float:
    """Title and version number; the version code at the right of the Name,
    Class and Date line (on lines of its own when long); the instructions, the
    task and where to check."""
    settings, layout = sheet.settings, sheet.sheet_layout
    assert page.version is not None
    width = P.paper_of(settings).content_width
    code = page.version.code
    version = f"Version {page.version.number} of {settings.versions}"
    if page.parts > 1:
        version += f" · page 1 of {page.parts}"
    title_h = P.HEADER_TITLE + (P.TITLE_LONG if layout.title_lines == 2 else 0)
    canvas.text(0, 0, width - P.VERSION_W, title_h, settings.title or DEFAULT_TITLE,
                15 if layout.title_lines == 1 else 12, "b", "lt")
    canvas.text(width - P.VERSION_W, 0, P.VERSION_W, P.HEADER_TITLE, version, 10, "", "rm")
    y = title_h
    if layout.code_lines:
        canvas.text(0, y, width, P.CODE_LINE * layout.code_lines, f"Version code {code}", 8, "m", "lt")
        y += P.CODE_LINE * layout.code_lines
        fields = width
    else:
        canvas.text(width - P.CODE_W, y + 1.0, P.CODE_W, 7.5, code, 10, "bm", "rb")
        fields = width - P.CODE_W - 4
    # Name, Class and Date, each with a line to write on.
    y += 1.0
    for label, x, w in (("Name", 0.0, 0.5), ("Class", 0.53, 0.22), ("Date", 0.78, 0.22)):
        left = x * fields
        canvas.text(left, y, 14, 7.5, label, 10, "", "lb")
        canvas.rule(left + 11, y + 7.2, left + w * fields - 2, y + 7.2, RULE)
    y += 8.0 + 1.5
    if layout.instruction_lines:
        h = P.INSTRUCTION_LINE * layout.instruction_lines
        canvas.text(0, y, width, h, settings.instructions, 9, "b", "lt")
        y += h
    canvas.text(0, y, width, 3.6, TASK, 8, "", "lm")
    check = f"To check: type a problem's code under “Open a code” at {home}, or scan its QR code."
    canvas.text(0, y + 3.6, width, 3.6, check, 8, "", "lm")
    y += 7.2 + 2.0
    canvas.rule(0, y, width, y, 0.5)
    return P.header_height(settings)


def _running_header(canvas: Canvas, sheet: Worksheet, page: Page) -> float:
    assert page.version is not None
    width = P.paper_of(sheet.settings).content_width
    code = page.version.code
    where = f"Version {page.version.number}" + ("" if sheet.sheet_layout.code_lines else f" · {code}")
    where += f" · page {page.part} of {page.parts}"
    canvas.text(0, 0, width * 0.32, 8, sheet.settings.title or DEFAULT_TITLE, 9, "b", "lb")
    canvas.text(width * 0.33, 0, width * 0.47, 8, where, 8.5, "", "lb")
    canvas.text(width * 0.8, 0, 14, 8, "Name", 9, "", "lb")
    canvas.rule(width * 0.8 + 10, 7.6, width, 7.6, RULE)
    canvas.rule(0, 9.2, width, 9.2, RULE)
    return P.RUNNING_HEADER


def _sheet(marks: list[Mark], sheet: Worksheet, page: Page, home: str, link: Callable[[str], str]) -> None:
    settings, layout = sheet.settings, sheet.sheet_layout
    canvas = Canvas(marks)
    y = _first_header(canvas, sheet, page, home) if page.part == 1 else _running_header(canvas, sheet, page)
    width = P.paper_of(settings).content_width
    for index, item in enumerate(page.items):
        box_w, box_h, stacked = P.problem_box(settings.notation, item.problem.sizes, layout.scale)
        if index:
            canvas.rule(0, y, width, y, 0.25)
        part = Canvas(marks, 0.0, y + P.PROBLEM_TOP)

        def tag(x: float, ty: float, tall: bool, item: Item = item, part: Canvas = part) -> None:
            _tag(part, x, ty, tall, item.number, item.code, link(item.code))

        if settings.notation == "numpy":
            _equations(part, item.problem, layout.scale, box_w, tag)
        else:
            _staircase(part, item.problem, layout.scale, stacked, box_w, tag)
        y += box_h
    if page.working:
        top = y + 2.0
        height = P.paper_of(settings).content_height - top
        canvas.box(0, top, width, height, THIN, dashed=True)
        canvas.text(2.5, top + 1.5, 60, 5, "Working", 9, "b", "lt")


def key_values(solution: Solution) -> list[tuple[str, list[list[int]]]]:
    return [(name, solution[name].tolist()) for name in ANSWER_NAMES]


def _key(marks: list[Mark], sheet: Worksheet, page: Page) -> None:
    settings = sheet.settings
    canvas = Canvas(marks)
    width = P.paper_of(settings).content_width
    pages = f"page {page.part} of {page.parts}"
    canvas.text(0, 0, width - 40, 7.0, "Answer key", 15, "b", "lt")
    canvas.text(width - 40, 0, 40, 7.0, pages, 9, "", "rm")
    about = (f"{settings.title or DEFAULT_TITLE} · set {sheet.set_code} · "
             "each entry: version.problem and its code")
    canvas.text(0, 7.5, width, P.KEY_HEADER - 9.0, about, 7 if len(about) < 160 else 5.5, "", "lt")
    canvas.rule(0, P.KEY_HEADER - 1.5, width, P.KEY_HEADER - 1.5, 0.5)
    layout = sheet.key_layout
    entry_w, entry_h = P.key_entry_box(P.largest(item.problem.sizes for _, item in page.entries))
    for index, (version, item) in enumerate(page.entries):
        row, col = divmod(index, layout.columns)
        x, y = col * (entry_w + P.KEY_COL_GAP), P.KEY_HEADER + row * (entry_h + P.KEY_ROW_GAP)
        _key_entry(Canvas(marks, x, y), version.number, item.number, item.code, item.solution,
                   entry_w - P.FUDGE, entry_h - P.FUDGE)


def _key_entry(canvas: Canvas, version: int, number_: int, code: str, solution: Solution,
               width: float, height: float) -> None:
    canvas.box(0, 0, width, height, THIN)
    pad = P.KEY_FRAME / 2
    canvas.text(pad, pad / 2, 10, P.KEY_HEAD, f"{version}.{number_}", 8, "b", "lm")
    canvas.text(pad + 10, pad / 2, width - 2 * pad - 10, P.KEY_HEAD, shown_code(code, P.KEY_CODE_CHARS), 7.5,
                "m", "lm")
    top = pad / 2 + P.KEY_HEAD
    block_w = _span(len(solution["h_z"][0]), P.KEY_W, P.KEY_GAP)
    for pair in (("h_z", "h"), ("y_z", "y")):
        rows = len(solution[pair[0]])
        for k, name in enumerate(pair):
            x = pad + k * (block_w + P.KEY_BLOCK_GAP)
            canvas.text(x, top, block_w, P.KEY_LABEL, name, 6.5, "bm", "lm")
            for i, row in enumerate(solution[name].tolist()):
                for j, value in enumerate(row):
                    cx, cy = x + j * (P.KEY_W + P.KEY_GAP), top + P.KEY_LABEL + i * (P.KEY_H + P.KEY_GAP)
                    canvas.text(cx, cy, P.KEY_W - 0.6, P.KEY_H, number(value), 7.5, "m", "rm")
                line_y = top + P.KEY_LABEL + i * (P.KEY_H + P.KEY_GAP) + P.KEY_H
                canvas.rule(x, line_y, x + block_w, line_y, 0.15)
        top += P.KEY_LABEL + _span(rows, P.KEY_H, P.KEY_GAP) + P.KEY_BLOCK_GAP


def pages(sheet: Worksheet, home: str, link: Callable[[str], str]) -> list[list[Mark]]:
    """Every page's marks, in print order. `home` is the address printed for
    students to type codes into; `link(code)` the address a problem's QR code holds."""
    drawn: list[list[Mark]] = []
    for page in sheet.pages:
        marks: list[Mark] = []
        if page.kind == "sheet":
            _sheet(marks, sheet, page, home, link)
        else:
            _key(marks, sheet, page)
        drawn.append(marks)
    return drawn
