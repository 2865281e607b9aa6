"""Classes as data: what a teacher assigns, who joins, and what the class did.

A class has no accounts: a teacher holds a secret link, each student a secret
resume link, and the class a short *join code* that is safe to project. This
module holds the rules those pages and the JSON API share, without Flask or a
database (app/classroom/ stores what is decided here):

* Join codes are 6 symbols of the problem codes' alphabet and a check symbol,
  read as forgivingly as problem codes (app.core.codes): lower case, O for 0,
  I and L for 1, hyphens and spaces ignored, a typo caught by the check. Their
  first symbol is never a scheme letter (G, H, C, W), so a join code typed
  into "Open a code" is never taken for a problem or a worksheet.
* `Assignment` is what every student gets: a preset or sizes with 1-6
  problems, each student their own version (student n gets the worksheet's
  version n: `codes_for_student`), or a list of codes that everyone gets.
* `CheckSummary` is what a check leaves behind for the teacher, and
  `Progress` one student's record of one problem; `aggregate` turns a class's
  records into `ClassResults`: the table, the slips the class shares and a
  heat map of wrong cells per problem shape.
* `gradebook_rows` lays the results out for a spreadsheet, every text cell
  through `spreadsheet_safe` so that a name is never run as a formula.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from . import codes, presets, worksheet
from .codes import CodeError, display
from .diagnosis import KINDS
from .generate import MAX_SEED, NEWEST
from .grading import Report
from .problem import ANSWER_NAMES, MAX_SIZE, MIN_SIZE, ProblemError, Sizes
from .problem_request import sizes_from

MAX_STUDENTS = 300
MAX_NAME = 40  # a student's display name, in characters
MAX_CLASS_NAME = 80
MAX_PROBLEMS = worksheet.MAX_PROBLEMS  # per student
DEFAULT_PROBLEMS = 2
JOIN_LENGTH = 6  # random symbols, before the check symbol
RETENTION_DAYS = 180  # a class's data is deleted this long after its last activity
# A join code never starts with a scheme letter (see the module docstring).
_SCHEME_LETTERS = frozenset((*codes.VERSION_OF_LETTER, codes.CUSTOM, codes.WORKSHEET))
JOIN_FIRST = "".join(symbol for symbol in codes.ALPHABET if symbol not in _SCHEME_LETTERS)
# Characters that make text run backwards or hide: never in a name shown to a class.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class ClassError(ValueError):
    """Something a teacher or student sent that cannot make or join a class; the
    message is for people."""


class ClassClosed(ClassError):
    """Joining a class that is closed (409)."""


class ClassFull(ClassError):
    """Joining a class that has MAX_STUDENTS students already (409)."""


# --- names ----------------------------------------------------------------------


def _clean_name(value: object, limit: int, what: str) -> str:
    if not isinstance(value, str):
        raise ClassError(f"{what} must be text.")
    if len(value) > limit * 4:  # before any work on it
        raise ClassError(f"{what} has at most {limit} characters.")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch in _BIDI for ch in text):
        raise ClassError(f"{what} holds a character that cannot be shown; type letters, digits "
                         "and punctuation only.")
    if not text:
        raise ClassError(f"{what} cannot be empty.")
    if len(text) > limit:
        raise ClassError(f"{what} has at most {limit} characters; this one has {len(text)}.")
    return text


def check_name(value: object) -> str:
    """A student's display name as it is kept: spaces collapsed, 1-MAX_NAME
    characters, nothing invisible; a ClassError saying what is wrong."""
    return _clean_name(value, MAX_NAME, "A name")


def check_class_name(value: object) -> str:
    return _clean_name(value, MAX_CLASS_NAME, "A class name")


# --- join codes -----------------------------------------------------------------


def new_join_code(randbelow: Callable[[int], int]) -> str:
    """A canonical join code (7 symbols); `randbelow` is secrets.randbelow in use."""
    first = JOIN_FIRST[randbelow(len(JOIN_FIRST))]
    rest = "".join(codes.ALPHABET[randbelow(32)] for _ in range(JOIN_LENGTH - 1))
    return codes.with_check_symbol(first + rest)


def normalize_join_code(text: object) -> str:
    """The canonical join code of what someone typed, or a ClassError."""
    if not isinstance(text, str) or len(text) > 40:
        raise ClassError("A join code is 7 letters and digits, such as K3QM-7WX.")
    try:
        canonical = codes.canonical_symbols(text)
    except CodeError as error:
        raise ClassError(str(error)) from None
    if len(canonical) != JOIN_LENGTH + 1:
        raise ClassError(f"A join code has {JOIN_LENGTH + 1} symbols; this one has {len(canonical)}.")
    if canonical[0] not in JOIN_FIRST or not codes.checks_out(canonical):
        raise ClassError("That join code has a typo: its check symbol does not match. "
                         "Compare it symbol by symbol.")
    return canonical


def display_join_code(code: str) -> str:
    """Two groups, to read out to a class: ``K3QM-7WX``."""
    code = code.replace("-", "")
    return f"{code[:4]}-{code[4:]}"


def is_join_code(text: str) -> bool:
    try:
        normalize_join_code(text)
    except ClassError:
        return False
    return True


# --- what a class is assigned ---------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """What every student of a class gets. `preset` is a preset's name or
    worksheet.CUSTOM (custom sizes); `codes` (display form) are the problems
    everyone gets, and then `problems` is their number."""

    preset: str
    sizes: Sizes
    problems: int
    seed: int
    gen: int = NEWEST
    codes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """"codes", "sizes" or "preset": which of the three a teacher chose."""
        return "codes" if self.codes else "sizes" if self.preset == worksheet.CUSTOM else "preset"

    def settings(self, versions: int = worksheet.MAX_VERSIONS, title: str = "") -> worksheet.Settings:
        """The worksheet with this class's versions (to print them, or to derive them)."""
        return worksheet.Settings(
            preset=self.preset, sizes=self.sizes, problems=self.problems, versions=versions,
            notation="grid", title=title[:worksheet.MAX_TITLE], instructions="", paper="a4",
            answer_key="end", seed=self.seed, codes=self.codes, mix="same", gen=self.gen)

    def as_dict(self) -> dict[str, Any]:
        """As stored (JSON); `from_dict` reads it back."""
        return {"preset": self.preset, "sizes": self.sizes.as_dict(), "problems": self.problems,
                "seed": self.seed, "gen": self.gen, "codes": list(self.codes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assignment:
        return cls(preset=data["preset"], sizes=Sizes(**data["sizes"]), problems=data["problems"],
                   seed=data["seed"], gen=data["gen"], codes=tuple(data["codes"]))

    def public(self) -> dict[str, Any]:
        """What the API shows of it (the seed is the class's own business)."""
        shown: dict[str, Any] = {"problems": self.problems}
        if self.kind == "codes":
            shown["codes"] = list(self.codes)
        elif self.kind == "sizes":
            shown["sizes"] = self.sizes.as_dict()
        else:
            shown["preset"] = self.preset
        return shown


def _problems(value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_PROBLEMS:
        raise ClassError(f"problems must be a whole number from 1 to {MAX_PROBLEMS}.")
    return value


def listed_codes(given: Iterable[object]) -> tuple[str, ...]:
    """Problem codes as "Open a code" reads them (display form), 1-MAX_PROBLEMS, all different."""
    words = list(given)
    if len(words) > MAX_PROBLEMS:
        raise ClassError(f"List at most {MAX_PROBLEMS} problem codes; this list has {len(words)}.")
    found: list[str] = []
    for number, word in enumerate(words, 1):
        if not isinstance(word, str):
            raise ClassError(f"Code {number} must be text, such as G1A2B-3C4DX.")
        try:
            code = display(codes.load(word).code)
        except CodeError as error:
            raise ClassError(f"Code {number} ({word[:24]}): {error}") from None
        if code in found:
            raise ClassError(f"Code {number} ({word[:24]}) is listed twice; every problem is different.")
        found.append(code)
    if not found:
        raise ClassError("List at least one problem code.")
    return tuple(found)


def assignment(preset: str | None = None, sizes: Sizes | None = None, listed: Sequence[str] = (),
               problems: int | None = None, *, seed: int, gen: int = NEWEST) -> Assignment:
    """An Assignment from exactly one of a preset name, sizes or listed codes."""
    given = [what for what, value in (("preset", preset), ("sizes", sizes), ("codes", listed)) if value]
    if len(given) != 1:
        raise ClassError("Assign a preset, sizes or a list of problem codes: exactly one of them.")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError("seed out of range")
    if listed:
        found = listed_codes(listed)
        if problems is not None and problems != len(found):
            raise ClassError(f"{len(found)} codes are listed, so each student gets {len(found)} "
                             f"problems, not {problems}.")
        return Assignment(worksheet.CUSTOM, presets.DEFAULT.sizes, len(found), seed, gen, found)
    count = _problems(DEFAULT_PROBLEMS if problems is None else problems)
    if sizes is not None:
        made = Assignment(worksheet.CUSTOM, sizes, count, seed, gen)
    else:
        try:
            profile = presets.by_name(preset)
        except ProblemError as error:
            raise ClassError(str(error)) from None
        made = Assignment(profile.name, profile.sizes, count, seed, gen)
    codes_for_student(made, 1)  # a ClassError now, not at the first join, when there is not one version
    return made


def assignment_from_json(data: Mapping[str, object], seed: int) -> Assignment:
    """The API's "preset" | "sizes" | "codes" and "problems" (see openapi.json)."""
    preset, sizes, listed = data.get("preset"), data.get("sizes"), data.get("codes")
    if preset is not None and not isinstance(preset, str):
        raise ClassError("preset must be the name of a preset, such as classic.")
    try:
        read_sizes = sizes_from(sizes) if sizes is not None else None
    except ProblemError as error:
        raise ClassError(f"{error} Each size goes from {MIN_SIZE} to {MAX_SIZE}.") from None
    if listed is not None and not isinstance(listed, list):
        raise ClassError("codes must be a list of problem codes.")
    problems = data.get("problems")
    if problems is not None:
        problems = _problems(problems)
    if listed == []:
        raise ClassError("List at least one problem code.")
    return assignment(preset, read_sizes, listed or (), problems, seed=seed)


# Each worker keeps the versions it has derived for its recent classes, so the
# 300th student to join costs 6 problems, not 1800 (see `codes_for_student`).
_STREAMS: OrderedDict[Assignment, _VersionStream] = OrderedDict()
_STREAMS_KEPT = 64


class _VersionStream:
    """A worksheet's generated problems in order, drawn as far as asked for.

    The same draws as worksheet's `_problem_seeds` (the same seed sequence,
    read word by word from the same bit stream, the same rule for skipping a
    seed or problem already seen): how far a worksheet draws changes none of
    its earlier problems, so version n is the same here for any n. The search
    stops for good after a fixed number of words (enough for every student of
    the largest class), so that what a shape with few problems has is the same
    in every worker, however its students joined."""

    def __init__(self, settings: worksheet.Settings) -> None:
        self.settings = settings
        sequence = np.random.SeedSequence([worksheet._STREAM_TAG, settings.seed, settings.profile.id,
                                           *settings.sizes.as_dict().values()])
        self.bits = np.random.PCG64(sequence)
        self.chosen: list[str] = []
        self.seen_seeds: set[int] = set()
        self.seen_problems = {codes.load(code).problem for code in settings.codes}
        self.words = 0
        # Room for every student of the largest class, and for a worksheet's search (8 per problem, for
        # 60 versions) within it; a shape that runs out costs one long search per worker (1-1-1-1: 0.7 s).
        self.limit = 4 * MAX_STUDENTS * settings.problems + 64

    def first(self, count: int) -> list[str]:
        while len(self.chosen) < count and self.words < self.limit:
            for word in self.bits.random_raw(min(count - len(self.chosen), self.limit - self.words)).tolist():
                self.words += 1
                seed = word % (MAX_SEED + 1)
                if seed in self.seen_seeds:
                    continue
                self.seen_seeds.add(seed)
                code, problem = worksheet.seeded(self.settings.profile, self.settings.sizes, seed,
                                                 self.settings.gen)
                if problem in self.seen_problems:
                    continue
                self.seen_problems.add(problem)
                self.chosen.append(display(code))
        if len(self.chosen) < count:
            raise ClassError(f"There are not enough different problems of these sizes for "
                             f"{count // self.settings.problems} students; choose larger sizes.")
        return self.chosen[:count]


def codes_for_student(given: Assignment, number: int) -> tuple[str, ...]:
    """The problem codes (display form) of the class's `number`th student
    (1-based): the worksheet's version `number`, or the listed codes. Sizes so
    small that they have fewer different problems than the class needs (1-1-1-1
    has a few dozen) give out their versions again, in order, once all are given;
    a ClassError when they have not even one version's."""
    if not 1 <= number <= MAX_STUDENTS:
        raise ValueError(f"students are numbered 1 to {MAX_STUDENTS}")
    if given.codes:
        return given.codes
    stream = _STREAMS.get(given)
    if stream is None:
        stream = _STREAMS[given] = _VersionStream(given.settings())
        while len(_STREAMS) > _STREAMS_KEPT:
            _STREAMS.popitem(last=False)
    _STREAMS.move_to_end(given)
    try:
        drawn = stream.first(number * given.problems)
    except ClassError:
        versions = len(stream.chosen) // given.problems
        if not versions:
            raise
        number = (number - 1) % versions + 1
        drawn = stream.chosen[:number * given.problems]
    return tuple(drawn[(number - 1) * given.problems:])


# --- closing time ---------------------------------------------------------------


def parse_closes_at(value: object, now: datetime) -> datetime | None:
    """An ISO 8601 date and time with its offset (e.g. 2026-12-24T16:00:00+01:00),
    as naive UTC (how times are stored), or None; it must be in the future."""
    if value is None:
        return None
    message = "closes_at must be a date and time with its offset, such as 2026-12-24T16:00:00+01:00."
    if not isinstance(value, str) or len(value) > 40:
        raise ClassError(message)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise ClassError(message)
        when = when.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not a time; or, moved to UTC, before year 1 or after 9999
        raise ClassError(message) from None
    if when <= now:
        raise ClassError("closes_at is in the past; give a time to come, or none.")
    return when


def iso(when: datetime | None) -> str | None:
    """A stored (naive UTC) time as the API writes it: 2026-12-02T09:15:00Z."""
    return None if when is None else when.replace(microsecond=0).isoformat() + "Z"


# --- what a check leaves behind -------------------------------------------------

# A cell's mark as stored: its status, or for a wrong cell its slip's kind.
Cell = tuple[str, int, int]


@dataclass(frozen=True)
class CheckSummary:
    """The part of a graded check the teacher sees."""

    correct: int
    carried: int
    with_help: int
    total: int
    wrong: frozenset[Cell]
    slips: frozenset[tuple[str, str]]  # (matrix, kind) of each wrong cell with a named slip


def summarize(report: Report) -> CheckSummary:
    wrong, slips = set(), set()
    for name, i, j, mark in report.cells():
        if mark.status == "wrong":
            wrong.add((name, i, j))
            if mark.diagnosis is not None:
                slips.add((name, str(mark.diagnosis)))
    return CheckSummary(correct=report.counts["correct"], carried=report.counts["carried"],
                        with_help=report.with_help, total=report.total, wrong=frozenset(wrong),
                        slips=frozenset(slips))


@dataclass(frozen=True)
class Progress:
    """One student's record of one problem: their latest check's counts, how
    many checks, and every wrong cell and slip of any of their checks (a slip
    made and then put right is still one the class made)."""

    code: str
    total: int  # cells to fill in
    correct: int = 0
    carried: int = 0
    with_help: int = 0
    checks: int = 0
    last_check_at: datetime | None = None
    wrong: frozenset[Cell] = frozenset()
    slips: frozenset[tuple[str, str]] = frozenset()

    def after(self, check: CheckSummary, at: datetime) -> Progress:
        return replace(self, correct=check.correct, carried=check.carried, with_help=check.with_help,
                       total=check.total, checks=self.checks + 1, last_check_at=at,
                       wrong=self.wrong | check.wrong, slips=self.slips | check.slips)

    def marks_json(self) -> dict[str, list[list[Any]]]:
        """The cumulative sets as stored (JSON): `from_marks_json` reads them back."""
        return {"wrong": sorted([list(cell) for cell in self.wrong]),
                "slips": sorted([list(slip) for slip in self.slips])}

    @staticmethod
    def from_marks_json(data: Mapping[str, Any]) -> tuple[frozenset[Cell], frozenset[tuple[str, str]]]:
        # Lists of [matrix, row, column] and [matrix, kind] as marks_json wrote them: made
        # tuples in C, for a dashboard reads 900 of these at every update.
        wrong = frozenset(map(tuple, data.get("wrong", ())))
        slips = frozenset(map(tuple, data.get("slips", ())))
        return wrong, slips


# --- a class's results ----------------------------------------------------------


@dataclass(frozen=True)
class ClassInfo:
    id: str
    name: str
    join_code: str  # canonical; display_join_code for people
    assignment: Assignment
    created_at: datetime
    closes_at: datetime | None
    closed: bool  # by the teacher, or its closing time has passed
    students: int
    last_activity: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "join_code": display_join_code(self.join_code),
                "assignment": self.assignment.public(), "created_at": iso(self.created_at),
                "closes_at": iso(self.closes_at), "closed": self.closed, "students": self.students,
                "last_activity": iso(self.last_activity)}


@dataclass(frozen=True)
class ProblemResult:
    code: str
    correct: int
    carried: int
    with_help: int
    total: int
    checks: int
    last_check_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "correct": self.correct, "carried": self.carried,
                "with_help": self.with_help, "total": self.total, "checks": self.checks,
                "last_check_at": iso(self.last_check_at)}


@dataclass(frozen=True)
class StudentResult:
    student_id: str
    name: str
    problems: list[ProblemResult]
    last_activity: datetime  # their last check, or when they joined

    @property
    def correct(self) -> int:
        return sum(problem.correct for problem in self.problems)

    @property
    def total(self) -> int:
        return sum(problem.total for problem in self.problems)

    @property
    def checks(self) -> int:
        return sum(problem.checks for problem in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {"student_id": self.student_id, "name": self.name,
                "problems": [problem.as_dict() for problem in self.problems],
                "last_activity": iso(self.last_activity)}


@dataclass(frozen=True)
class SlipCount:
    matrix: str
    kind: str  # one of diagnosis.KINDS
    students: int  # how many different students made it

    def as_dict(self) -> dict[str, Any]:
        return {"matrix": self.matrix, "kind": self.kind, "students": self.students}


@dataclass(frozen=True)
class HeatMap:
    """For one problem shape: how many students got each answer cell wrong in
    any of their checks (of any problem of that shape), out of `students` who
    checked one."""

    sizes: Sizes
    wrong: dict[str, list[list[int]]]
    students: int

    def as_dict(self) -> dict[str, Any]:
        return {"sizes": self.sizes.as_dict(), "wrong": self.wrong, "students": self.students}


@dataclass(frozen=True)
class ClassResults:
    class_info: ClassInfo
    students: list[StudentResult]
    slips: list[SlipCount]
    heatmaps: list[HeatMap] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The API's results (openapi.json)."""
        return {"class": self.class_info.as_dict(),
                "students": [student.as_dict() for student in self.students],
                "slips": [slip.as_dict() for slip in self.slips],
                "heatmaps": [heatmap.as_dict() for heatmap in self.heatmaps]}


@dataclass(frozen=True)
class StudentRecord:
    """A student as stored, with their record of each of their problems (in order)."""

    student_id: str
    name: str
    joined_at: datetime
    progress: list[Progress]


_MATRIX_ORDER = {name: i for i, name in enumerate(ANSWER_NAMES)}
_KIND_ORDER: dict[str, int] = {kind: i for i, kind in enumerate(KINDS)}


def aggregate(info: ClassInfo, records: Sequence[StudentRecord]) -> ClassResults:
    """The class's results from its students' records (in the order given)."""
    students, slip_students = [], Counter[tuple[str, str]]()
    wrong_students: dict[Sizes, Counter[Cell]] = {}  # per shape: students who got each cell wrong
    shape_students: dict[Sizes, set[str]] = {}
    for record in records:
        problems = [ProblemResult(p.code, p.correct, p.carried, p.with_help, p.total, p.checks,
                                  p.last_check_at) for p in record.progress]
        last = max([record.joined_at, *(p.last_check_at for p in record.progress if p.last_check_at)])
        students.append(StudentResult(record.student_id, record.name, problems, last))
        slip_students.update({slip for p in record.progress for slip in p.slips})
        wrong_by_shape: dict[Sizes, set[Cell]] = {}
        for p in record.progress:
            if not p.checks:
                continue
            sizes = codes.load(p.code).problem.sizes
            shape_students.setdefault(sizes, set()).add(record.student_id)
            wrong_by_shape.setdefault(sizes, set()).update(p.wrong)
        for sizes, cells in wrong_by_shape.items():
            wrong_students.setdefault(sizes, Counter()).update(cells)
    slips = [SlipCount(matrix, kind, count) for (matrix, kind), count in slip_students.items()]
    slips.sort(key=lambda s: (-s.students, _MATRIX_ORDER.get(s.matrix, 9), _KIND_ORDER.get(s.kind, 99)))
    heatmaps = [HeatMap(sizes, _heat_grids(sizes, wrong_students[sizes]), len(shape_students[sizes]))
                for sizes in sorted(wrong_students, key=lambda s: tuple(s.as_dict().values()))]
    return ClassResults(info, students, slips, heatmaps)


def _heat_grids(sizes: Sizes, counts: Counter[Cell]) -> dict[str, list[list[int]]]:
    """Each answer matrix of this shape as rows of how many students got each cell wrong
    (cells outside the shape, which only a corrupt row could hold, are left out)."""
    grids = {}
    for name in ANSWER_NAMES:
        rows, cols = sizes.answer_shape(name)
        grids[name] = [[counts[name, i, j] for j in range(cols)] for i in range(rows)]
    return grids


# --- the gradebook --------------------------------------------------------------

# What a spreadsheet reads as the start of a formula (OWASP's CSV injection
# list), full-width forms included: such a cell gets a leading apostrophe,
# which spreadsheets show as text and do not display.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _percent(correct: int, total: int) -> str:
    return f"{100 * correct / total:.1f}" if total else "0.0"


def gradebook_rows(results: ClassResults) -> list[list[str]]:
    """A header and one row per student: name, each problem's code, correct
    cells and cells, then the totals, percent correct and last activity."""
    width = max([results.class_info.assignment.problems, *(len(s.problems) for s in results.students)])
    header = ["Name"]
    for n in range(1, width + 1):
        header += [f"Problem {n}", f"Problem {n} correct", f"Problem {n} cells"]
    header += ["Correct", "Carried forward", "Cells", "Percent correct", "Checks", "Last activity (UTC)"]
    rows = [header]
    for student in results.students:
        row = [spreadsheet_safe(student.name)]
        for problem in student.problems:
            row += [spreadsheet_safe(problem.code), str(problem.correct), str(problem.total)]
        row += [""] * (len(header) - 6 - len(row))
        carried = sum(problem.carried for problem in student.problems)
        row += [str(student.correct), str(carried), str(student.total),
                _percent(student.correct, student.total), str(student.checks),
                student.last_activity.strftime("%Y-%m-%d %H:%M:%S")]
        rows.append(row)
    return rows


def gradebook_csv(results: ClassResults) -> str:
    """The gradebook as CSV, every field quoted, with a byte order mark so that
    Excel reads the names as UTF-8 (other spreadsheets skip it)."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(gradebook_rows(results))
    return out.getvalue()
