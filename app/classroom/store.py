"""What the class routes ask of the database, one short transaction each.

Every function works on the current Flask app's database (app.classroom.init_app;
inside a request, or `with app.app_context()`), and every write takes the
write lock first (db.Database.begin(write=True)), so that concurrent checks
queue instead of failing. The queries are SQLAlchemy Core and portable: no
upsert, no dialect function; `with_for_update` locks the row on PostgreSQL and
is nothing on SQLite, whose BEGIN IMMEDIATE already holds the lock.

Secrets: a teacher or student token is 128 random bits (`secrets.token_urlsafe(16)`),
shown once and kept only as its SHA-256; a token is found by its hash.
Times are naive UTC.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Connection, RowMapping, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from ..core import classroom
from ..core.answers import Answers, answers_from_form, field_ids
from ..core.classroom import (
    MAX_STUDENTS,
    Assignment,
    ClassClosed,
    ClassError,
    ClassFull,
    ClassInfo,
    ClassResults,
    Progress,
    StudentRecord,
)
from ..core.codes import load
from ..core.grading import Report, grade
from ..core.parsing import MAX_ECHO
from . import EXTENSION
from .db import Database
from .models import classes, progress, students

ClassRow = ClassInfo  # what a class is, as the routes see it
PURGE_EVERY = 600  # seconds between a worker's sweeps for expired classes
_last_purge = 0.0


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_token() -> str:
    return secrets.token_urlsafe(16)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_id() -> str:
    return secrets.token_urlsafe(12)


def database() -> Database:
    return current_app.extensions[EXTENSION]


def retention_days() -> int:
    return int(current_app.config.get("CLASS_RETENTION_DAYS", classroom.RETENTION_DAYS))


@dataclass(frozen=True)
class NewClass:
    id: str
    name: str
    join_code: str  # canonical
    teacher_token: str  # shown once, never stored


@dataclass(frozen=True)
class Joined:
    student_id: str
    student_token: str  # shown once, never stored
    class_id: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class StudentRow:
    id: str
    class_id: str
    class_name: str
    name: str
    number: int
    codes: tuple[str, ...]  # display form, in order
    joined_at: datetime


class Grid(NamedTuple):
    """A student's latest checked work on one problem, marked again as it was then."""

    code: str
    answers: dict[str, str] | None  # as typed, by field id (h_z-0-2); None before their first check
    report: Report | None


# --- classes ----------------------------------------------------------------------


def _closed(closed: bool, closes_at: datetime | None, at: datetime | None = None) -> bool:
    """Closed by the teacher, or its closing time has passed."""
    return bool(closed) or (closes_at is not None and closes_at <= (at or now()))


def _info(row: RowMapping, count: int, at: datetime | None = None,
          last_check: datetime | None = None) -> ClassInfo:
    closes_at = row["closes_at"]
    closed = _closed(row["closed"], closes_at, at)
    last = max(row["last_activity"], last_check) if last_check else row["last_activity"]
    return ClassInfo(id=row["id"], name=row["name"], join_code=row["join_code"],
                     assignment=Assignment.from_dict(row["assignment"]), created_at=row["created_at"],
                     closes_at=closes_at, closed=closed, students=count, last_activity=last)


def _count(connection: Connection, class_id: str) -> int:
    return connection.execute(select(func.count()).select_from(students)
                              .where(students.c.class_id == class_id)).scalar_one()


def _full_info(connection: Connection, row: RowMapping) -> ClassInfo:
    """The class's info with its student count and its last activity, checks included
    (a check does not write the class's row: see record_check)."""
    last_check = connection.execute(select(func.max(progress.c.last_check_at))
                                    .where(progress.c.class_id == row["id"])).scalar()
    return _info(row, _count(connection, row["id"]), last_check=last_check)


def create_class(name: str, assignment: Assignment, closes_at: datetime | None) -> NewClass:
    """A new class; `name` is checked here (classroom.check_class_name)."""
    name = classroom.check_class_name(name)
    token = new_token()
    at = now()
    maybe_purge(at)
    for _ in range(5):  # a join code already taken (about one in 10^6 per class): draw again
        class_id, join_code = _new_id(), classroom.new_join_code(secrets.randbelow)
        try:
            with database().begin(write=True) as connection:
                connection.execute(classes.insert().values(
                    id=class_id, name=name, join_code=join_code, teacher_hash=token_hash(token),
                    assignment=assignment.as_dict(), created_at=at, closes_at=closes_at, closed=False,
                    joined=0, last_activity=at))
        except IntegrityError:
            continue
        return NewClass(class_id, name, join_code, token)
    raise RuntimeError("no free join code after 5 draws")


def _class_row(connection: Connection, class_id: str, lock: bool = False) -> RowMapping | None:
    query = select(classes).where(classes.c.id == class_id)
    return connection.execute(query.with_for_update() if lock else query).mappings().first()


def class_for_teacher(class_id: str, teacher_token: str) -> ClassRow | None:
    """The class, when `teacher_token` is its teacher's; None for any mismatch."""
    if not isinstance(class_id, str) or not isinstance(teacher_token, str) or len(class_id) > 64:
        return None
    with database().begin() as connection:
        row = _class_row(connection, class_id)
        if row is None or not hmac.compare_digest(row["teacher_hash"], token_hash(teacher_token)):
            return None
        return _full_info(connection, row)


def class_by_id(class_id: str) -> ClassRow | None:
    """For a teacher already recognised (by a cookie the web pages checked)."""
    with database().begin() as connection:
        row = _class_row(connection, class_id)
        return None if row is None else _full_info(connection, row)


def class_by_join_code(join_code: str) -> ClassRow | None:
    """The class of a join code as typed (None when it is not one, or not in use)."""
    try:
        code = classroom.normalize_join_code(join_code)
    except ClassError:
        return None
    with database().begin() as connection:
        row = connection.execute(select(classes).where(classes.c.join_code == code)).mappings().first()
        return None if row is None else _full_info(connection, row)


def _touch(connection: Connection, class_id: str, at: datetime) -> None:
    connection.execute(update(classes).where(classes.c.id == class_id).values(last_activity=at))


def close(class_id: str) -> bool:
    with database().begin(write=True) as connection:
        return connection.execute(update(classes).where(classes.c.id == class_id)
                                  .values(closed=True, last_activity=now())).rowcount > 0


def reopen(class_id: str) -> bool:
    """Open again; a closing time already past is dropped (it would close it at once)."""
    at = now()
    with database().begin(write=True) as connection:
        row = _class_row(connection, class_id, lock=True)
        if row is None:
            return False
        closes_at = row["closes_at"] if row["closes_at"] is not None and row["closes_at"] > at else None
        connection.execute(update(classes).where(classes.c.id == class_id)
                           .values(closed=False, closes_at=closes_at, last_activity=at))
        return True


def _delete_classes(connection: Connection, where) -> int:
    ids = select(classes.c.id).where(where)
    connection.execute(progress.delete().where(progress.c.class_id.in_(ids)))
    connection.execute(students.delete().where(students.c.class_id.in_(ids)))
    return connection.execute(classes.delete().where(where)).rowcount


def delete(class_id: str) -> bool:
    """The class and everything of it, gone."""
    with database().begin(write=True) as connection:
        return _delete_classes(connection, classes.c.id == class_id) > 0


def remove_student(class_id: str, student_id: str) -> bool:
    with database().begin(write=True) as connection:
        found = (students.c.id == student_id) & (students.c.class_id == class_id)
        connection.execute(progress.delete().where((progress.c.student_id == student_id)
                                                   & (progress.c.class_id == class_id)))
        return connection.execute(students.delete().where(found)).rowcount > 0


def purge_expired(at: datetime | None = None, days: int | None = None) -> int:
    """Delete every class whose last activity is more than `days` (the
    retention, HANDGRID_CLASS_RETENTION_DAYS) before `at`; how many were."""
    at = at or now()
    days = retention_days() if days is None else days
    cutoff = at - timedelta(days=days)
    checked_since = select(progress.c.class_id).where(
        (progress.c.class_id == classes.c.id) & (progress.c.last_check_at >= cutoff)).exists()
    with database().begin(write=True) as connection:
        return _delete_classes(connection, (classes.c.last_activity < cutoff) & ~checked_since)


def maybe_purge(at: datetime) -> None:
    """`purge_expired`, at most every PURGE_EVERY seconds in a worker: called as
    classes are made and joined, so a server that runs for months still deletes
    what has expired (it also does at start-up: app/server.py)."""
    global _last_purge
    if time.monotonic() - _last_purge >= PURGE_EVERY or _last_purge == 0.0:
        _last_purge = time.monotonic()
        purge_expired(at)


# --- students ---------------------------------------------------------------------


def join(join_code: str, name: str) -> Joined:
    """A new student of the class; ClassError for a bad name, ClassClosed,
    ClassFull, or LookupError when the join code is no class's."""
    name = classroom.check_name(name)
    code = classroom.normalize_join_code(join_code) if classroom.is_join_code(join_code) else None
    if code is None:
        raise LookupError("no such class")
    token, student_id, at = new_token(), _new_id(), now()
    maybe_purge(at)
    with database().begin(write=True) as connection:
        row = connection.execute(select(classes).where(classes.c.join_code == code)
                                 .with_for_update()).mappings().first()
        if row is None:
            raise LookupError("no such class")
        if _info(row, 0, at).closed:
            raise ClassClosed("This class is closed: ask your teacher to reopen it.")
        if _count(connection, row["id"]) >= MAX_STUDENTS:
            raise ClassFull(f"This class has {MAX_STUDENTS} students, as many as a class can have.")
        number = row["joined"] + 1
        # Versions go round after MAX_STUDENTS joins (only when students were removed).
        codes = classroom.codes_for_student(Assignment.from_dict(row["assignment"]),
                                            (number - 1) % MAX_STUDENTS + 1)
        connection.execute(update(classes).where(classes.c.id == row["id"])
                           .values(joined=number, last_activity=at))
        connection.execute(students.insert().values(
            id=student_id, class_id=row["id"], number=number, name=name, token_hash=token_hash(token),
            codes=list(codes), joined_at=at))
        connection.execute(progress.insert(), [
            {"student_id": student_id, "code": code_, "class_id": row["id"], "position": position,
             "total": load(code_).problem.sizes.answer_cells(), "correct": 0, "carried": 0, "with_help": 0,
             "checks": 0, "last_check_at": None, "marks": {}, "answers": None, "entries": None}
            for position, code_ in enumerate(codes)])
    return Joined(student_id, token, row["id"], codes)


def _students(where):
    return (select(students, classes.c.name.label("class_name"))
            .join(classes, classes.c.id == students.c.class_id).where(where))


def _student(row: RowMapping) -> StudentRow:
    return StudentRow(id=row["id"], class_id=row["class_id"], class_name=row["class_name"], name=row["name"],
                      number=row["number"], codes=tuple(row["codes"]), joined_at=row["joined_at"])


def student_for_token(student_token: str, remembered: bool = False) -> StudentRow | None:
    """The student whose token this is, or None. `remembered`: from this process's
    memory when it has seen the token before, for a caller whose write finds out
    anyway when the student has gone since (a check: store_checks says GONE, and
    the caller calls `forget_student`). What is remembered never changes while
    the student exists (their id, class, name, number and problems)."""
    key = _student_key(student_token)
    if key is None:
        return None
    db = database()
    if remembered and (found := db.remembered.get(key)) is not None:
        return found
    with db.begin() as connection:
        row = connection.execute(_STUDENT_BY_TOKEN, {"p_hash": key}).mappings().first()
    if row is None:
        db.remembered.pop(key, None)
        return None
    student = _student(row)
    if len(db.remembered) >= REMEMBERED_STUDENTS:
        with contextlib.suppress(StopIteration, RuntimeError):  # another thread got there first
            db.remembered.pop(next(iter(db.remembered)), None)  # the first remembered: a dict keeps its order
    db.remembered[key] = student
    return student


def _student_key(student_token: str) -> str | None:
    """What a student's token is looked up by (its hash); None for what cannot be one."""
    if not isinstance(student_token, str) or not 0 < len(student_token) <= 64:
        return None
    return token_hash(student_token)


def student_on_page(student_token: str) -> tuple[StudentRow, bool] | None:
    """The student whose token this is, and whether their class is closed now, in one
    read: what a class student's practice page shows (None as student_for_token)."""
    key = _student_key(student_token)
    if key is None:
        return None
    with database().begin() as connection:
        row = connection.execute(_STUDENT_ON_PAGE, {"p_hash": key}).mappings().first()
    return None if row is None else (_student(row), _closed(row["class_closed"], row["class_closes_at"]))


def forget_student(student_token: str, db: Database) -> None:
    db.remembered.pop(token_hash(student_token), None)


REMEMBERED_STUDENTS = 10_000  # a few megabytes: every student of a busy server's classes


_STUDENT_BY_TOKEN = _students(students.c.token_hash == bindparam("p_hash"))  # a token's first check
_STUDENT_ON_PAGE = _STUDENT_BY_TOKEN.add_columns(classes.c.closed.label("class_closed"),
                                                 classes.c.closes_at.label("class_closes_at"))


def student_in_class(class_id: str, student_id: str) -> StudentRow | None:
    with database().begin() as connection:
        found = (students.c.id == student_id) & (students.c.class_id == class_id)
        row = connection.execute(_students(found)).mappings().first()
        return None if row is None else _student(row)


def _texts(answers: Answers) -> dict[str, str]:
    """Answers as stored: what was typed in each cell, by field id (``h_z-0-2``), at
    most MAX_ECHO characters each, blank cells left out. (Answers have the problem's
    shape: answers_from_json and answers_from_form make them so.)"""
    kept = {}
    for name, grid in answers.items():
        for ids, row in zip(field_ids(name, len(grid), len(grid[0]) if grid else 0), grid, strict=True):
            for field_, cell in zip(ids, row, strict=True):
                text = cell.text
                if text and not text.isspace():
                    kept[field_] = text[:MAX_ECHO]
    return kept


class Outcome(enum.Enum):
    """What became of a check sent to be stored."""

    RECORDED = "recorded"  # on disk: the answer may say so
    CLOSED = "closed"  # the class is closed: answered, not stored
    GONE = "gone"  # the student (or their class) was removed meanwhile
    FAILED = "failed"  # the database failed (logged): answered, not stored


@dataclass(frozen=True)
class CheckToStore:
    """One check as it is stored: whose, which problem, what the teacher sees of it."""

    student_id: str
    code: str  # display form
    summary: classroom.CheckSummary
    stored: dict[str, Any]  # the answers as typed: {"cells", "helped", "revealed"}
    at: datetime
    # The page's Check keeps the entries too, in the same write (as save_entries keeps
    # them); None leaves them as they were (an API check: the API keeps no entries).
    entries: dict[str, Any] | None = None


def check_to_store(student: StudentRow, code: str, answers: Answers, report: Report,
                   helped: frozenset[str] = frozenset(), revealed: frozenset[str] = frozenset(),
                   keep_entries: bool = False) -> CheckToStore:
    cells = _texts(answers)
    stored = {"cells": cells, "helped": sorted(helped), "revealed": sorted(revealed)}
    return CheckToStore(student.id, code, classroom.summarize(report), stored, now(),
                        _entries(cells) if keep_entries else None)


def _entries(cells: dict[str, str]) -> dict[str, Any]:
    """Entries as kept: the cells typed, and when (ms since 1970, for the page's script)."""
    return {"answers": cells, "saved_at": int(time.time() * 1000)}


def record_check(student: StudentRow, code: str, answers: Answers, report: Report,
                 helped: frozenset[str] = frozenset(), revealed: frozenset[str] = frozenset()) -> bool:
    """Store a check of one of the student's problems (`code` in display form), now;
    False, and nothing stored, when the class is closed or the student gone."""
    if code not in student.codes:
        return False
    check = check_to_store(student, code, answers, report, helped, revealed)
    return store_checks(database(), [check]) == [Outcome.RECORDED]


def store_checks(database: Database, checks: Sequence[CheckToStore], wait: bool = True) -> list[Outcome]:
    """Store checks in one transaction, so one commit (one fsync) serves them all
    (app/classroom/recorder.py gathers them): the outcome of each, in order.

    The writers' turn is the whole server's (SQLite has one writer): a few
    statements in it, however many checks. Every progress row of the checks'
    students is read with its class's state and locked; each check is laid over its
    row (two checks of one row in a batch count as two, in order); the rows written
    back in one executemany, and the entries a page's Check keeps in another (kept
    even when the class is closed, as save_entries keeps them: nothing typed is
    lost). All run on the driver's cursor (db.DriverStatement: SQLAlchemy's
    execution cost more than the rest of the batch). The class's last activity is
    not written for a recorded check: purge_expired reads the last check's time
    from the progress rows. Busy (nothing written) when another process is writing
    and `wait` is False."""
    if not checks:
        return []
    with database.driver_transaction(wait=wait) as cursor:
        students_ = sorted({check.student_id for check in checks})
        read = database.prepared(_progress_for_checks(len(students_)))
        rows = {(row["student_id"], row["code"]): row
                for row in read.rows(cursor, {f"p_{n}": id_ for n, id_ in enumerate(students_)})}
        outcomes = []
        recorded: dict[tuple[str, str], tuple[Progress, CheckToStore]] = {}
        entries: dict[tuple[str, str], dict[str, Any]] = {}  # each row's latest, kept even when closed
        touched: dict[str, datetime] = {}  # classes whose entries alone were kept: their last activity
        for check in checks:
            key = (check.student_id, check.code)
            row = rows.get(key)
            if row is None:
                outcomes.append(Outcome.GONE)
                continue
            if check.entries is not None:
                entries[key] = check.entries
            if row["closed"] or (row["closes_at"] is not None and row["closes_at"] <= check.at):
                outcomes.append(Outcome.CLOSED)
                if check.entries is not None:
                    touched[row["class_id"]] = check.at
                continue
            before = recorded[key][0] if key in recorded else _progress(row)
            recorded[key] = (before.after(check.summary, check.at), check)
            outcomes.append(Outcome.RECORDED)
        if recorded:
            database.prepared(_RECORD).execute_many(cursor, [
                {"p_student": check.student_id, "p_code": check.code, "p_correct": after.correct,
                 "p_carried": after.carried, "p_with_help": after.with_help, "p_total": after.total,
                 "p_checks": after.checks, "p_at": check.at, "p_marks": after.marks_json(),
                 "p_answers": check.stored}
                for after, check in recorded.values()])
        if entries:
            database.prepared(_KEEP_ENTRIES).execute_many(cursor, [
                {"p_student": student_id, "p_code": code, "p_entries": kept}
                for (student_id, code), kept in entries.items()])
        if touched:
            database.prepared(_TOUCH).execute_many(cursor, [
                {"p_class": class_id, "p_at": at} for class_id, at in touched.items()])
    return outcomes


# The statements of a check, made once (a check is the commonest write by far).
@functools.lru_cache(maxsize=512)  # one for each size of batch (recorder.MAX_BATCH at most)
def _progress_for_checks(students_: int):
    """The progress rows of `students_` students, with their classes' state, locked: a
    statement for each number of students, each compiled once (an expanding IN would be
    rendered again at every batch, which cost more than the rest of the batch's work)."""
    read = ("student_id", "code", "class_id", "total", "correct", "carried", "with_help", "checks",
            "last_check_at", "marks")
    return (select(*[progress.c[name] for name in read],
                   classes.c.closed, classes.c.closes_at)
            .join(classes, classes.c.id == progress.c.class_id)
            .where(progress.c.student_id.in_([bindparam(f"p_{n}") for n in range(students_)]))
            .order_by(progress.c.student_id, progress.c.code)  # every batch locks in one order: no deadlock
            .with_for_update(of=progress))


_RECORD = (
    update(progress)
    .where((progress.c.student_id == bindparam("p_student")) & (progress.c.code == bindparam("p_code")))
    .values(correct=bindparam("p_correct"), carried=bindparam("p_carried"),
            with_help=bindparam("p_with_help"), total=bindparam("p_total"), checks=bindparam("p_checks"),
            last_check_at=bindparam("p_at"),
            marks=bindparam("p_marks", type_=progress.c.marks.type),
            answers=bindparam("p_answers", type_=progress.c.answers.type)))
_KEEP_ENTRIES = (
    update(progress)
    .where((progress.c.student_id == bindparam("p_student")) & (progress.c.code == bindparam("p_code")))
    .values(entries=bindparam("p_entries", type_=progress.c.entries.type)))
_TOUCH = update(classes).where(classes.c.id == bindparam("p_class")).values(last_activity=bindparam("p_at"))


def save_entries(student: StudentRow, code: str, answers: Answers) -> bool:
    """Keep what the student has typed on one of their problems (no grading);
    False when it is not one of theirs any more. Saved even when the class is
    closed: nothing typed is lost."""
    if code not in student.codes:
        return False
    where = (progress.c.student_id == student.id) & (progress.c.code == code)
    at = now()
    entries = _entries(_texts(answers))
    with database().begin(write=True) as connection:
        done = connection.execute(update(progress).where(where).values(entries=entries)).rowcount
        if done:
            _touch(connection, student.class_id, at)
    return bool(done)


def entries_for(student: StudentRow, code: str) -> dict[str, Any] | None:
    """{"answers": {field id: text}, "saved_at": ms since 1970}: the entries last
    saved, else those of the last check (saved_at 0), else None."""
    with database().begin() as connection:
        row = connection.execute(select(progress.c.entries, progress.c.answers).where(
            (progress.c.student_id == student.id) & (progress.c.code == code))).first()
    if row is None:
        return None
    if row.entries is not None:
        return row.entries
    return {"answers": row.answers["cells"], "saved_at": 0} if row.answers else None


def _progress(row: RowMapping) -> Progress:
    wrong, slips = Progress.from_marks_json(row["marks"] or {})
    return Progress(code=row["code"], total=row["total"], correct=row["correct"], carried=row["carried"],
                    with_help=row["with_help"], checks=row["checks"], last_check_at=row["last_check_at"],
                    wrong=wrong, slips=slips)


def latest_grids(class_id: str, student_id: str) -> list[Grid]:
    """A student's problems, in order, each with their last checked answers and its marks."""
    with database().begin() as connection:
        rows = connection.execute(
            select(progress.c.code, progress.c.answers).where(
                (progress.c.student_id == student_id) & (progress.c.class_id == class_id))
            .order_by(progress.c.position)).all()
    grids = []
    for code, stored in rows:
        if not stored:
            grids.append(Grid(code, None, None))
            continue
        problem = load(code).problem
        cells = stored["cells"]
        report = grade(problem, answers_from_form(problem.sizes, cells),
                       revealed=frozenset(stored.get("revealed", ())),
                       helped=frozenset(stored.get("helped", ())))
        grids.append(Grid(code, cells, report))
    return grids


# --- results ----------------------------------------------------------------------


def results(class_id: str) -> ClassResults | None:
    """Everything the dashboard and the API show of a class (None when it is gone)."""
    with database().begin() as connection:
        row = _class_row(connection, class_id)
        if row is None:
            return None
        people = connection.execute(select(students.c.id, students.c.name, students.c.joined_at)
                                    .where(students.c.class_id == class_id)
                                    .order_by(students.c.number)).all()
        # Not the answers and entries: each is a JSON document to decode per row, and
        # the results need only the counts and marks (7 ms of a 300-student dashboard).
        counted = [column for column in progress.c if column.name not in ("answers", "entries")]
        rows = connection.execute(select(*counted).where(progress.c.class_id == class_id)
                                  .order_by(progress.c.student_id, progress.c.position)).mappings().all()
    by_student: dict[str, list[Progress]] = {}
    for found in rows:
        by_student.setdefault(found["student_id"], []).append(_progress(found))
    records = [StudentRecord(student_id, name, joined_at, by_student.get(student_id, []))
               for student_id, name, joined_at in people]
    last_check = max((p.last_check_at for found in by_student.values() for p in found if p.last_check_at),
                     default=None)
    return classroom.aggregate(_info(row, len(people), last_check=last_check), records)


def gradebook_csv(class_id: str) -> str | None:
    found = results(class_id)
    return None if found is None else classroom.gradebook_csv(found)
