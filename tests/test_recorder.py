"""The group commit (app/classroom/recorder.py): the checks a worker's requests leave
while its event loop is busy are stored in one transaction, each is answered only
once that transaction is over, and each answer says what became of its check:
recorded, a closed class, a student gone, or a database that failed."""

from __future__ import annotations

import asyncio
import fcntl
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.classroom import recorder, store
from app.classroom.store import Outcome
from app.core import codes
from app.core.answers import answers_from_json
from app.core.grading import grade
from app.core.problem import solve
from tests.aio import run


def _class(client, students: int) -> tuple[dict, list[dict]]:
    made = client.post("/api/classes", json={"name": "7B", "preset": "classic", "problems": 1}).json
    joined = [client.post(f"/api/classes/{made['join_code']}/students", json={"name": f"S{n}"}).json
              for n in range(students)]
    return made, joined


def _check(app, joined: dict, slip: int = 0) -> store.CheckToStore:
    """A check of the student's problem, with one h_z cell off by `slip`."""
    code = joined["problems"][0]["code"]
    problem = codes.load(code).problem
    rows = solve(problem).as_lists()
    rows["h_z"][0][0] += slip
    answers = answers_from_json(problem.sizes, rows)
    with app.app_context():
        student = store.student_for_token(joined["student_token"])
        return store.check_to_store(student, code, answers, grade(problem, answers))


def _submit_together(app, checks: list[store.CheckToStore]) -> tuple[list[Outcome], recorder.Recorder]:
    """Submit every check in one turn of an event loop, as requests that are ready
    together do, and wait for all their answers."""
    with app.app_context():
        found = recorder.for_database(store.database())

    async def together():
        futures = [found.submit(check) for check in checks]
        return await asyncio.gather(*futures)

    return run(together()), found


def _checks(client, made: dict) -> dict[str, int]:
    results = client.get(f"/api/classes/{made['id']}/results",
                         headers={"Authorization": f"Bearer {made['teacher_token']}"}).json
    return {s["name"]: s["problems"][0]["checks"] for s in results["students"]}


@pytest.mark.databases
def test_checks_that_arrive_together_are_stored_in_one_transaction(app, client):
    made, joined = _class(client, 12)
    checks = [_check(app, student, slip=1) for student in joined] + [_check(app, joined[0])]
    outcomes, used = _submit_together(app, checks)
    assert outcomes == [Outcome.RECORDED] * 13
    assert (used.batches, used.stored) == (1, 13)
    counted = _checks(client, made)
    assert counted == {f"S{n}": 2 if n == 0 else 1 for n in range(12)}  # two of one row count as two
    with app.app_context():
        results = store.results(made["id"])
    first = next(s for s in results.students if s.name == "S0").problems[0]
    # S0's row holds their later check (all right) and the wrong cell of the earlier one.
    assert first.correct == first.total
    [heatmap] = results.heatmaps
    assert heatmap.wrong["h_z"][0][0] == 12 and heatmap.students == 12


@pytest.mark.databases
def test_each_check_of_a_batch_gets_its_own_outcome(app, client):
    made, joined = _class(client, 3)
    other, (outsider,) = _class(client, 1)
    headers = {"Authorization": f"Bearer {made['teacher_token']}"}
    checks = [_check(app, student) for student in joined] + [_check(app, outsider)]
    assert client.delete(f"/api/classes/{made['id']}/students/{joined[1]['student_id']}",
                         headers=headers).status_code == 204
    assert client.post(f"/api/classes/{other['id']}/close",
                       headers={"Authorization": f"Bearer {other['teacher_token']}"}).status_code == 200
    outcomes, used = _submit_together(app, checks)
    assert outcomes == [Outcome.RECORDED, Outcome.GONE, Outcome.RECORDED, Outcome.CLOSED]
    assert used.batches == 1 and _checks(client, made) == {"S0": 1, "S2": 1}
    assert _checks(client, other) == {"S0": 0}


@pytest.mark.databases
def test_a_database_that_fails_answers_every_waiting_check_and_the_next_batch_goes_in(app, client,
                                                                                      monkeypatch):
    made, joined = _class(client, 2)
    real = recorder.store_checks

    def failing(database, checks, wait=True):
        raise OperationalError("UPDATE progress", {}, Exception("disk I/O error"))

    monkeypatch.setattr(recorder, "store_checks", failing)
    outcomes, _ = _submit_together(app, [_check(app, student) for student in joined])
    assert outcomes == [Outcome.FAILED, Outcome.FAILED]
    monkeypatch.setattr(recorder, "store_checks", real)
    outcomes, _ = _submit_together(app, [_check(app, joined[0])])
    assert outcomes == [Outcome.RECORDED] and _checks(client, made) == {"S0": 1, "S1": 0}


def test_a_batch_waits_its_turn_while_another_process_writes_to_the_sqlite_file(app, client, database_url):
    """Another worker holding SQLite's write turn: the recorder never holds the event
    loop waiting for it (other requests are served meanwhile: here a ticker), tries
    again until it is free, and nothing is answered before it is stored. (SQLite
    only: PostgreSQL's writers take row locks, not a turn; the next test.)"""
    made, joined = _class(client, 2)
    checks = [_check(app, student) for student in joined]
    path = database_url.removeprefix("sqlite:///") + ".write-lock"
    with app.app_context():
        found = recorder.for_database(store.database())

    released, answered = [], []

    def release(other) -> None:
        released.append(time.monotonic())
        fcntl.flock(other, fcntl.LOCK_UN)

    async def while_another_writes():
        with open(path, "a") as other:  # another open file: a lock of its own, as another process's
            fcntl.flock(other, fcntl.LOCK_EX)
            timer = threading.Timer(0.1, release, (other,))
            timer.start()
            futures = [found.submit(check) for check in checks]
            for future in futures:
                future.add_done_callback(lambda _: answered.append(time.monotonic()))
            ticks = asyncio.ensure_future(tick())
            outcomes = await asyncio.wait_for(asyncio.gather(*futures), 10)
            ticks.cancel()
            timer.join()
        return outcomes

    ticked: list[float] = []

    async def tick():
        while True:
            ticked.append(time.monotonic())
            await asyncio.sleep(0.005)

    assert run(while_another_writes()) == [Outcome.RECORDED] * 2
    assert len(answered) == 2 and min(answered) > released[0]
    assert sum(tick < released[0] for tick in ticked) >= 5  # the loop went on while the turn was taken
    assert _checks(client, made) == {"S0": 1, "S1": 1}


@pytest.mark.databases
def test_a_check_whose_answer_gave_up_waiting_is_not_stored(app, client):
    """The answer said "not recorded" (its wait timed out: app/deferred.py): the check is
    taken out before its batch, so a student who checks again is not counted twice."""
    made, joined = _class(client, 2)
    checks = [_check(app, student) for student in joined]
    with app.app_context():
        found = recorder.for_database(store.database())

    async def one_gives_up():
        futures = [found.submit(check) for check in checks]
        futures[0].cancel()  # as asyncio.timeout does to what it waits for
        return await futures[1]

    assert run(one_gives_up()) == Outcome.RECORDED
    assert _checks(client, made) == {"S0": 0, "S1": 1}


@pytest.mark.databases
def test_an_unexpected_error_in_a_write_answers_its_checks_and_the_next_batch_goes_in(app, client,
                                                                                      monkeypatch):
    made, joined = _class(client, 2)
    real = recorder.store_checks
    monkeypatch.setattr(recorder, "store_checks", lambda database, checks, wait=True: [])  # a bug's shape
    outcomes, _ = _submit_together(app, [_check(app, student) for student in joined])
    assert outcomes == [Outcome.FAILED, Outcome.FAILED]
    monkeypatch.setattr(recorder, "store_checks", real)
    outcomes, _ = _submit_together(app, [_check(app, joined[1])])
    assert outcomes == [Outcome.RECORDED] and _checks(client, made) == {"S0": 0, "S1": 1}


@pytest.mark.system
def test_on_postgresql_a_batch_waits_for_a_row_lock_only_so_long(postgres, pg_template, monkeypatch):
    """Another transaction holding a student's row: the batch gives up after the short lock
    wait (answered "not recorded") instead of holding the worker's event loop."""
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.classroom import db

    monkeypatch.setattr(db, "SHORT_LOCK_WAIT", 1)
    with postgres.database(pg_template) as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        client = app.test_client()
        made, (ada,) = _class(client, 1)
        check = _check(app, ada)
        engine = create_engine(url)
        try:
            with engine.begin() as other:
                other.execute(text("SELECT 1 FROM progress WHERE student_id = :s FOR UPDATE"),
                              {"s": ada["student_id"]})
                start = time.monotonic()
                outcomes, _ = _submit_together(app, [check])
                waited = time.monotonic() - start
            assert outcomes == [Outcome.FAILED] and 1 <= waited < 5
            assert _submit_together(app, [check])[0] == [Outcome.RECORDED]  # the lock gone, it goes in
        finally:
            engine.dispose()
            app.extensions["handgrid.classes"].dispose()


@pytest.mark.databases
def test_the_driver_reads_and_writes_each_column_as_sqlalchemy_does(app, client):
    """A batch runs its two statements on the driver's cursor (db.DriverStatement): what
    it reads is what SQLAlchemy reads of the same row, and what it writes SQLAlchemy
    reads back as written (dates, JSON, a closed flag), on either database."""
    from sqlalchemy import update

    from app.classroom.models import classes, progress

    made, (ada,) = _class(client, 1)
    at, closes = datetime(2026, 12, 2, 9, 41, 7, 123456), datetime(2027, 1, 5, 16, 0)
    marks = {"wrong": [["h_z", 0, 1]], "slips": [["h_z", "no bias"]]}
    read = store._progress_for_checks(1)
    with app.app_context():
        database = store.database()
        with database.begin(write=True) as connection:
            connection.execute(update(classes).where(classes.c.id == made["id"]).values(closes_at=closes))
            connection.execute(update(progress).where(progress.c.student_id == ada["student_id"])
                               .values(last_check_at=at, marks=marks, checks=2))
            expected = [dict(row) for row in connection.execute(read, {"p_0": ada["student_id"]}).mappings()]
        with database.driver_transaction() as cursor:
            assert database.prepared(read).rows(cursor, {"p_0": ada["student_id"]}) == expected
        [row] = expected
        assert (row["last_check_at"], row["marks"], row["closed"], row["closes_at"]) == (
            at, marks, False, closes)

        later, answers = at + timedelta(seconds=1), {"cells": {"h_z-0-0": "−3"}, "helped": [], "revealed": []}
        with database.driver_transaction() as cursor:
            database.prepared(store._RECORD).execute_many(cursor, [{
                "p_student": ada["student_id"], "p_code": row["code"], "p_correct": 1, "p_carried": 2,
                "p_with_help": 3, "p_total": row["total"], "p_checks": 3, "p_at": later,
                "p_marks": {"wrong": [], "slips": []}, "p_answers": answers}])
        with database.begin() as connection:
            written = connection.execute(
                select(progress.c.correct, progress.c.carried, progress.c.with_help, progress.c.checks,
                       progress.c.last_check_at, progress.c.marks, progress.c.answers)
                .where(progress.c.student_id == ada["student_id"])).one()
    assert tuple(written) == (1, 2, 3, 3, later, {"wrong": [], "slips": []}, answers)


@pytest.mark.databases
def test_a_batch_that_fails_halfway_leaves_nothing_of_itself(app, client, monkeypatch):
    """The write fails after its UPDATE ran: the transaction is rolled back (no count
    went up), every check is answered "not recorded" (the driver's error is logged as
    SQLAlchemy's would be, also where no Recorder waits), and the next batch goes in."""
    from app.classroom import db

    made, joined = _class(client, 2)
    real = db.DriverStatement.execute_many

    def fails_after(self, cursor, many):
        real(self, cursor, many)
        cursor.execute("SELECT * FROM no_such_table")  # the driver's own error, as a failing disk gives

    monkeypatch.setattr(db.DriverStatement, "execute_many", fails_after)
    outcomes, _ = _submit_together(app, [_check(app, student) for student in joined])
    assert outcomes == [Outcome.FAILED, Outcome.FAILED] and _checks(client, made) == {"S0": 0, "S1": 0}
    with app.app_context():
        assert recorder.store_now(store.database(), [_check(app, joined[0])]) == [Outcome.FAILED]
    monkeypatch.setattr(db.DriverStatement, "execute_many", real)
    outcomes, _ = _submit_together(app, [_check(app, joined[1])])
    assert outcomes == [Outcome.RECORDED] and _checks(client, made) == {"S0": 0, "S1": 1}
