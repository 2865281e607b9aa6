"""A class's results as the teacher's dashboard draws them, as data.

`core.classroom.aggregate` says what the class did; this module says how it
reads: each student's row (a cell per problem with its counts, the totals,
how long ago they were last active), the slips the class shares in the
tutor's words (app/present/slips.py), and each heat map as rows of cells with
a level from 0 to 5 that the stylesheet shades (CSP: no inline style), its
count written in the cell so that colour is never the only sign. The template
only walks these rows; the live fragment for 300 students is drawn from them
(its time is in make bench).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..core.classroom import ClassResults, HeatMap, ProblemResult, StudentResult
from ..core.problem import ANSWER_NAMES
from ..core.wording import cell_label
from . import slips

LEVELS = 5  # heat-map shades, 1..LEVELS; 0 is a cell nobody got wrong


@dataclass(frozen=True)
class ProblemCell:
    """One student's one problem, in the table."""

    number: int  # 1-based, in the student's own order
    code: str
    correct: int
    carried: int
    with_help: int
    total: int
    checks: int
    done: bool  # every cell right
    started: bool  # checked at least once
    detail: str  # "2 carried · 4 with help · 3 checks"


@dataclass(frozen=True)
class StudentRow:
    student_id: str
    name: str
    url: str  # their grids, read-only (and + "/remove": the confirmation of removing them)
    problems: list[ProblemCell]
    correct: int
    carried: int
    with_help: int
    total: int
    percent: int  # of cells correct, rounded down (100 only when all are)
    checks: int
    last_activity: str  # "just now", "4 min ago"
    last_activity_iso: str  # for <time datetime>
    detail: str  # "97 % · 2 carried · 4 with help"


@dataclass(frozen=True)
class SlipLine:
    matrix: str
    kind: str
    students: int
    text: str  # "9 of 28 left out the bias in h_z"
    share: int  # percent of the students who checked anything, for the bar


@dataclass(frozen=True)
class HeatCell:
    count: int
    level: int  # 0..LEVELS
    label: str  # "h_z row 1, column 2: 3 of 9 students wrong"


@dataclass(frozen=True)
class HeatGrid:
    name: str  # the answer matrix
    rows: list[list[HeatCell]]


@dataclass(frozen=True)
class HeatShape:
    shape: str  # "3-4-2-3" (inputs-hidden-outputs-batch)
    students: int
    grids: list[HeatGrid]


@dataclass(frozen=True)
class Dashboard:
    students: list[StudentRow]
    problems: int  # columns of problems: the most any student has
    checked: int  # students who checked at least once
    slips: list[SlipLine]
    heatmaps: list[HeatShape]
    correct: int  # the class's cells correct, out of
    total: int
    checks: int


def ago(when: datetime | None, now: datetime) -> str:
    """How long ago, as a teacher glances at it: "just now", "4 min ago", "2 h ago", "3 days ago"."""
    if when is None:
        return "never"
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return "1 day ago" if days == 1 else f"{days} days ago"


def _detail(first: str, carried: int, with_help: int, last: str = "") -> str:
    parts = [first] if first else []
    parts += [f"{carried} carried"] if carried else []
    parts += [f"{with_help} with help"] if with_help else []
    return " · ".join(parts + ([last] if last else []))


def _cell(number: int, result: ProblemResult) -> ProblemCell:
    checks = f"{result.checks} check{'' if result.checks == 1 else 's'}"
    return ProblemCell(number, result.code, result.correct, result.carried, result.with_help, result.total,
                       result.checks, result.total > 0 and result.correct == result.total, result.checks > 0,
                       _detail("", result.carried, result.with_help, checks))


def _row(student: StudentResult, now: datetime, base: str) -> StudentRow:
    cells = [_cell(n, problem) for n, problem in enumerate(student.problems, 1)]
    correct, total = sum(c.correct for c in cells), sum(c.total for c in cells)
    carried, with_help = sum(c.carried for c in cells), sum(c.with_help for c in cells)
    percent = 100 * correct // total if total else 0
    return StudentRow(
        student.student_id, student.name, f"{base}/students/{student.student_id}", cells, correct, carried,
        with_help, total, percent, sum(c.checks for c in cells), ago(student.last_activity, now),
        student.last_activity.replace(microsecond=0).isoformat() + "Z",
        _detail(f"{percent} %", carried, with_help))


def _level(count: int, students: int) -> int:
    if count <= 0 or students <= 0:
        return 0
    return max(1, min(LEVELS, -(-count * LEVELS // students)))


def _heat(heatmap: HeatMap) -> HeatShape:
    of = heatmap.students
    grids = []
    for name in ANSWER_NAMES:
        counts = heatmap.wrong.get(name)
        if not counts:
            continue
        grids.append(HeatGrid(name, [
            [HeatCell(count, _level(count, of), f"{cell_label(name, i, j)}: {count} of {of} wrong")
             for j, count in enumerate(row)] for i, row in enumerate(counts)]))
    sizes = heatmap.sizes
    shape = f"{sizes.inputs}-{sizes.hidden}-{sizes.outputs}-{sizes.batch}"
    return HeatShape(shape, of, grids)


def dashboard(results: ClassResults, now: datetime, base: str, max_slips: int = 8) -> Dashboard:
    """The dashboard of `results` at `now` (naive UTC, as stored): students in
    the order given, the `max_slips` commonest slips. `base` is the class's
    dashboard path, which a student's page extends (/students/<id>: ids are
    URL-safe, so 300 rows need no url_for)."""
    rows = [_row(student, now, base) for student in results.students]
    checked = sum(1 for row in rows if row.checks)
    of = checked or 1
    lines = [SlipLine(slip.matrix, slip.kind, slip.students,
                      slips.line(slip.kind, slip.matrix, slip.students, checked),
                      100 * slip.students // of)
             for slip in results.slips[:max_slips]]
    return Dashboard(
        students=rows, problems=max([0, *(len(row.problems) for row in rows)]), checked=checked,
        slips=lines, heatmaps=[_heat(heatmap) for heatmap in results.heatmaps],
        correct=sum(row.correct for row in rows), total=sum(row.total for row in rows),
        checks=sum(row.checks for row in rows))
