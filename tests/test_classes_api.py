"""The classes' JSON API (app/classes_api.py) and its storage (app/classroom/),
on a real SQLite file per test (the `database_url` fixture): every flow and
error case of issue 14, the limits, the rate limit on failures, the retention,
migrations from several processes at once, and practice with no database."""

from __future__ import annotations

import csv
import functools
import io
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, inspect, text

from app import ROOT, classes_api, create_app
from app.classroom import store
from app.core import classroom, codes
from app.core.answers import answers_from_form, answers_from_json
from app.core.grading import grade
from app.core.problem import solve
from tests.conftest import DATABASES

HEAD = "0002"  # the newest migration (app/classroom/migrations/versions)

pytestmark = pytest.mark.databases  # each storing test on SQLite and on PostgreSQL


def _post(client, path, body=None, token=None, method="POST"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, json=body, headers=headers)


def _class(client, **fields):
    body = {"name": "7B maths", "preset": "classic", "problems": 2, **fields}
    response = _post(client, "/api/classes", body)
    assert response.status_code == 201, response.json
    return response.json


def _join(client, made, name="Ada"):
    response = _post(client, f"/api/classes/{made['join_code']}/students", {"name": name})
    assert response.status_code == 201, response.json
    return response.json


def _answers(code, wrong=None):
    rows = solve(codes.load(code).problem).as_lists()
    for (name, i, j), value in (wrong or {}).items():
        rows[name][i][j] = value
    return rows


def _check(client, code, token=None, wrong=None):
    return _post(client, f"/api/problems/{code}/check", _answers(code, wrong), token)


def _results(client, made, token=None):
    return client.get(f"/api/classes/{made['id']}/results",
                      headers={"Authorization": f"Bearer {token or made['teacher_token']}"})


# --- the flow -------------------------------------------------------------------


def test_a_teacher_makes_a_class_and_gets_its_links_and_secret(client, database_url):
    made = _class(client)
    assert set(made) == {"id", "name", "join_code", "join_url", "teacher_url", "teacher_token"}
    assert made["name"] == "7B maths"
    assert classroom.normalize_join_code(made["join_code"]) == made["join_code"].replace("-", "")
    assert made["join_url"] == f"http://localhost/c/{made['join_code']}"
    assert made["teacher_url"] == f"http://localhost/classes/{made['id']}/t/{made['teacher_token']}"
    assert len(made["teacher_token"]) == 22  # 16 random bytes, URL-safe base64
    assert len(made["id"]) >= 16
    # The database keeps the token's hash only: in no row of any table (and, for a SQLite
    # file, nowhere in its bytes, its WAL included).
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = repr([connection.execute(text(f"SELECT * FROM {table}")).all()
                       for table in ("classes", "students", "progress")])
    engine.dispose()
    assert made["teacher_token"] not in stored and store.token_hash(made["teacher_token"]) in stored
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(file.read_bytes() for file in path.parent.glob(path.name + "*"))  # with its WAL
        assert made["teacher_token"].encode() not in raw


def test_students_join_each_with_their_own_version_and_a_token(client):
    made = _class(client)
    ada, bo = _join(client, made, "Ada"), _join(client, made, "  Bo  ")
    given = classroom.Assignment.from_dict(
        {"preset": "classic", "sizes": {"inputs": 3, "hidden": 4, "outputs": 2, "batch": 3}, "problems": 2,
         "seed": 0, "gen": 2, "codes": []})
    assert len(ada["problems"]) == len(bo["problems"]) == given.problems
    assert {p["code"] for p in ada["problems"]}.isdisjoint({p["code"] for p in bo["problems"]})
    assert ada["problems"][0]["url"] == f"/p/{ada['problems'][0]['code']}"
    assert ada["student_token"] != bo["student_token"] and len(ada["student_token"]) == 22
    students = _results(client, made).json["students"]
    assert [s["name"] for s in students] == ["Ada", "Bo"]


def test_a_recorded_check_answers_as_today_and_shows_in_the_results(client):
    made = _class(client)
    ada = _join(client, made)
    code = ada["problems"][0]["code"]
    plain = _check(client, code, wrong={("h_z", 0, 0): 99})
    recorded = _check(client, code, ada["student_token"], wrong={("h_z", 0, 0): 99})
    body = recorded.json
    assert recorded.status_code == 200 and body.pop("recorded") is True
    assert body == plain.json and "recorded" not in plain.json
    assert _check(client, code, ada["student_token"]).json["recorded"] is True
    (student,) = _results(client, made).json["students"]
    first = student["problems"][0]
    total = codes.load(code).problem.sizes.answer_cells()
    assert first == {"code": code, "correct": total, "carried": 0, "with_help": 0, "total": total,
                     "checks": 2, "last_check_at": first["last_check_at"]}
    assert datetime.fromisoformat(first["last_check_at"].replace("Z", "+00:00"))
    assert student["problems"][1]["checks"] == 0


def test_a_check_with_help_counts_its_helped_cells(client):
    made = _class(client)
    ada = _join(client, made)
    code = ada["problems"][0]["code"]
    body = _answers(code) | {"helped": [["h_z", 0, 0], ["h", 1, 1]]}
    assert _post(client, f"/api/problems/{code}/check", body, ada["student_token"]).json["recorded"]
    assert _results(client, made).json["students"][0]["problems"][0]["with_help"] == 2


def test_the_class_shares_its_slips_and_the_heat_map_counts_students(client):
    made = _class(client, preset=None, problems=None, codes=[_slip_code()[0]])
    code, slip, cell = _slip_code()
    for name in ("Ada", "Bo", "Cy"):
        token = _join(client, made, name)["student_token"]
        if name != "Cy":
            assert _check(client, code, token, wrong={cell: slip}).json["recorded"]
            assert _check(client, code, token).json["recorded"]  # put right: still a slip they made
    body = _results(client, made).json
    assert body["slips"] == [{"matrix": "h", "kind": "relu_missed", "students": 2}]
    (heat,) = body["heatmaps"]
    assert heat["students"] == 2 and heat["wrong"]["h"][cell[1]][cell[2]] == 2


@functools.cache
def _slip_code():
    """A code, and a value for one cell of its h, that diagnosis names relu_missed."""
    for n in range(1, 60):
        for code in classroom.codes_for_student(classroom.assignment("classic", seed=11), n):
            problem = codes.load(code).problem
            for (i, j), value in np.ndenumerate(solve(problem)["h_z"]):
                if value >= 0:
                    continue
                answers = answers_from_json(problem.sizes, _answers(code, {("h", i, j): int(value)}))
                marks = grade(problem, answers).marks["h"]
                if marks[i][j].diagnosis == "relu_missed":
                    return code, int(value), ("h", i, j)
    raise AssertionError("no problem with a named ReLU slip")


def test_a_class_of_listed_codes_gives_everyone_the_same_custom_problems(client):
    custom = codes.display(codes.custom_code(codes.load(_slip_code()[0]).problem))
    made = _class(client, preset=None, problems=None, codes=[custom])
    assert [p["code"] for p in _join(client, made)["problems"]] == [custom]
    assert [p["code"] for p in _join(client, made, "Bo")["problems"]] == [custom]


def test_the_gradebook_has_a_row_per_student_and_runs_no_formula(client):
    made = _class(client)
    ada = _join(client, made, "Ada")
    _join(client, made, "=HYPERLINK(\"http://evil\",\"x\")")
    _join(client, made, "@SUM(1)")
    _check(client, ada["problems"][0]["code"], ada["student_token"])
    response = client.get(f"/api/classes/{made['id']}/results.csv",
                          headers={"Authorization": f"Bearer {made['teacher_token']}"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="handgrid-7B-maths.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[0][0] == "Name"
    assert [row[0] for row in rows[1:]] == ["Ada", "'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(1)"]
    ada_row = dict(zip(rows[0], rows[1], strict=True))
    assert ada_row["Problem 1 correct"] == ada_row["Problem 1 cells"] == "36"
    assert ada_row["Percent correct"] == "50.0"


def test_close_and_reopen(client):
    made = _class(client)
    ada = _join(client, made)
    code = ada["problems"][0]["code"]
    closed = _post(client, f"/api/classes/{made['id']}/close", token=made["teacher_token"])
    assert closed.status_code == 200 and closed.json["class"]["closed"] is True
    answer = _check(client, code, ada["student_token"])
    assert answer.status_code == 200 and answer.json["recorded"] is False and answer.json["score"]
    joining = _post(client, f"/api/classes/{made['join_code']}/students", {"name": "Late"})
    assert joining.status_code == 409 and "closed" in joining.json["error"]
    reopened = _post(client, f"/api/classes/{made['id']}/reopen", token=made["teacher_token"])
    assert reopened.json["class"]["closed"] is False
    assert _check(client, code, ada["student_token"]).json["recorded"] is True
    assert _results(client, made).json["students"][0]["problems"][0]["checks"] == 1


def test_a_class_closes_at_its_closing_time(client, monkeypatch):
    soon = (datetime.now().astimezone() + timedelta(hours=1)).isoformat()
    made = _class(client, closes_at=soon)
    ada = _join(client, made)
    later = store.now() + timedelta(hours=2)
    monkeypatch.setattr(store, "now", lambda: later)
    assert _check(client, ada["problems"][0]["code"], ada["student_token"]).json["recorded"] is False
    assert _post(client, f"/api/classes/{made['join_code']}/students", {"name": "Bo"}).status_code == 409
    assert _results(client, made).json["class"]["closed"] is True
    _post(client, f"/api/classes/{made['id']}/reopen", token=made["teacher_token"])
    body = _results(client, made).json["class"]
    assert body["closed"] is False and body["closes_at"] is None


def test_deleting_a_class_leaves_every_one_of_its_addresses_a_404(client, database_url):
    made = _class(client)
    ada = _join(client, made)
    code = ada["problems"][0]["code"]
    _check(client, code, ada["student_token"])
    gone = _post(client, f"/api/classes/{made['id']}", token=made["teacher_token"], method="DELETE")
    assert gone.status_code == 204 and gone.data == b""
    teacher = made["teacher_token"]
    for method, path, token in [
            ("GET", f"/api/classes/{made['id']}/results", teacher),
            ("GET", f"/api/classes/{made['id']}/results.csv", teacher),
            ("POST", f"/api/classes/{made['id']}/close", teacher),
            ("POST", f"/api/classes/{made['id']}/reopen", teacher),
            ("DELETE", f"/api/classes/{made['id']}", teacher),
            ("POST", f"/api/classes/{made['join_code']}/students", None),
            ("POST", f"/api/problems/{code}/check", ada["student_token"]),
            ("GET", f"/c/{made['join_code']}", None),
            ("GET", f"/classes/{made['id']}/t/{teacher}", None),
            ("GET", f"/me/r/{ada['student_token']}", None)]:
        body = _answers(code) if "/check" in path else {"name": "X"}
        response = _post(client, path, body, token, method=method)
        assert response.status_code == 404, (method, path, response.status_code)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        for table in ("classes", "students", "progress"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
    engine.dispose()


def test_a_teacher_removes_a_student(client):
    """Also after the removed student's token was remembered by a check (classes_api's
    student_of_request): the check's write finds them gone, and the answer is a 404."""
    made = _class(client)
    ada, bo = _join(client, made, "Ada"), _join(client, made, "Bo")
    assert _check(client, bo["problems"][0]["code"], bo["student_token"]).json["recorded"]
    path = f"/api/classes/{made['id']}/students/{bo['student_id']}"
    assert _post(client, path, token=made["teacher_token"], method="DELETE").status_code == 204
    assert [s["name"] for s in _results(client, made).json["students"]] == ["Ada"]
    for _ in range(2):  # found gone by the write, then by the lookup
        gone = _check(client, bo["problems"][0]["code"], bo["student_token"])
        assert gone.status_code == 404 and gone.json == {"error": classes_api.NO_STUDENT}
    assert _check(client, ada["problems"][0]["code"], ada["student_token"]).json["recorded"]
    assert _post(client, path, token=made["teacher_token"], method="DELETE").status_code == 404


# --- errors ---------------------------------------------------------------------


def test_no_token_is_401_and_a_wrong_one_404_with_the_same_message_as_no_class(client):
    made, other = _class(client), _class(client, name="8C")
    path = f"/api/classes/{made['id']}/results"
    no_token = client.get(path)
    assert no_token.status_code == 401 and no_token.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in no_token.json["error"]
    assert client.get(path, headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer "}).status_code == 401
    wrong = _results(client, made, token="x" * 22)
    theirs = _results(client, made, token=other["teacher_token"])
    nowhere = client.get("/api/classes/nosuchclass/results",
                         headers={"Authorization": f"Bearer {made['teacher_token']}"})
    assert wrong.status_code == theirs.status_code == nowhere.status_code == 404
    assert wrong.json == theirs.json == nowhere.json and set(wrong.json) == {"error"}


def test_a_student_token_checks_only_that_students_own_problems(client):
    made = _class(client)
    ada, bo = _join(client, made, "Ada"), _join(client, made, "Bo")
    not_hers = _check(client, bo["problems"][0]["code"], ada["student_token"])
    assert not_hers.status_code == 403 and bo["problems"][0]["code"] in not_hers.json["error"]
    wrong = _check(client, ada["problems"][0]["code"], "y" * 22)
    assert wrong.status_code == 404 and set(wrong.json) == {"error"}
    malformed = client.post(f"/api/problems/{ada['problems'][0]['code']}/check", json={},
                            headers={"Authorization": "Token abc"})
    assert malformed.status_code == 401
    # A teacher's token opens no student.
    assert _check(client, ada["problems"][0]["code"], made["teacher_token"]).status_code == 404


@pytest.mark.parametrize("code", ["ZZZZ-ZZZ", "K3QM7W", "nothing"])
def test_joining_an_unknown_or_mistyped_code_is_404(client, code):
    _class(client)
    response = _post(client, f"/api/classes/{code}/students", {"name": "Ada"})
    assert response.status_code == 404 and set(response.json) == {"error"}


@pytest.mark.parametrize("body, message", [
    ({"name": ""}, "cannot be empty"), ({"name": "x" * 41}, "at most 40"),
    ({"name": "a\u202eb"}, "cannot be shown"), ({}, "must be text"), ({"name": 5}, "must be text")])
def test_a_bad_name_is_400_saying_why(client, body, message):
    made = _class(client)
    response = _post(client, f"/api/classes/{made['join_code']}/students", body)
    assert response.status_code == 400 and message in response.json["error"]


@pytest.mark.parametrize("body, message", [
    ({"name": "7B"}, "exactly one"), ({"name": "", "preset": "classic"}, "cannot be empty"),
    ({"name": "7B", "preset": "classic", "problems": 9}, "from 1 to 6"),
    ({"name": "7B", "preset": "classic", "colour": "red"}, "Unknown field 'colour'"),
    ({"name": "7B", "preset": "classic", "closes_at": "2001-01-01T00:00:00Z"}, "in the past"),
    ({"name": "7B", "preset": "classic", "closes_at": "soon"}, "offset"),
    ({"name": "7B", "codes": ["G"]}, "Code 1")])
def test_a_class_that_cannot_be_made_is_400_saying_why(client, body, message):
    response = _post(client, "/api/classes", body)
    assert response.status_code == 400 and message in response.json["error"], response.json


def test_a_body_that_is_not_an_object_is_400(client):
    assert client.post("/api/classes", data=b"[1]", content_type="application/json").status_code == 400


# --- limits ---------------------------------------------------------------------


def test_a_class_takes_300_students_and_no_more(client):
    made = _class(client, preset=None, problems=None, codes=[_slip_code()[0]])
    for number in range(classroom.MAX_STUDENTS):
        assert _post(client, f"/api/classes/{made['join_code']}/students",
                     {"name": f"Student {number}"}).status_code == 201
    full = _post(client, f"/api/classes/{made['join_code']}/students", {"name": "One more"})
    assert full.status_code == 409 and "300" in full.json["error"]
    assert len(_results(client, made).json["students"]) == classroom.MAX_STUDENTS


def test_failures_are_rate_limited_per_address_but_a_class_behind_one_address_still_joins(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATE_LIMIT_FAILURES": "10/minute"})
    client = app.test_client()
    made = _class(client)
    school = {"REMOTE_ADDR": "203.0.113.7"}
    # Students who open "My problems" before joining stake no secret: never counted.
    for _ in range(15):
        assert client.get("/me", environ_base=school).status_code == 404
    # A class of 30 behind one address, with a few typos among them: everyone gets in.
    for number in range(30):
        if number % 5 == 0:
            typo = client.post("/api/classes/ZZZZ-ZZZ/students", json={"name": "x"}, environ_base=school)
            assert typo.status_code == 404
        joined = client.post(f"/api/classes/{made['join_code']}/students", json={"name": f"S{number}"},
                             environ_base=school)
        assert joined.status_code == 201
    # A guesser from another address: 10 failures, then 429 even for a right code, then time passes.
    guesser = {"REMOTE_ADDR": "198.51.100.9"}
    for _ in range(10):
        assert client.get("/api/classes/nope/results", headers={"Authorization": "Bearer x"},
                          environ_base=guesser).status_code == 404
    refused = client.post(f"/api/classes/{made['join_code']}/students", json={"name": "G"},
                          environ_base=guesser)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert set(refused.json) == {"error"}
    bad_token = client.post(f"/api/problems/{_slip_code()[0]}/check", json={},
                            headers={"Authorization": "Bearer nope"}, environ_base=guesser)
    assert bad_token.status_code == 429
    # A student's token is no guess (128 random bits): their checks from that address still count.
    student = client.post(f"/api/classes/{made['join_code']}/students", json={"name": "S31"}).json
    code = student["problems"][0]["code"]
    theirs = client.post(f"/api/problems/{code}/check", json=_answers(code), environ_base=guesser,
                         headers={"Authorization": f"Bearer {student['student_token']}"})
    assert theirs.status_code == 200 and theirs.json["recorded"]
    assert client.get(f"/c/{made['join_code']}", environ_base=guesser).status_code == 429  # the join page too
    # Practice is never limited, and the school's address was never counted.
    practice = client.post(f"/api/problems/{_slip_code()[0]}/check", json={}, environ_base=guesser)
    assert practice.status_code == 200
    assert client.post(f"/api/classes/{made['join_code']}/students", json={"name": "S30"},
                       environ_base=school).status_code == 201


def test_every_app_instance_on_one_database_counts_the_others_failures(database_url):
    """Two instances (two replicas, or two workers) on one database: a guesser whose
    failures the proxy spreads over both meets one limit, and both refuse them after it;
    failures older than the window are gone from the table."""
    settings = {"TESTING": True, "DATABASE_URL": database_url, "RATE_LIMIT_FAILURES": "6/minute"}
    first, second = create_app(settings).test_client(), create_app(settings).test_client()
    made = _class(first)
    guesser, other = {"REMOTE_ADDR": "198.51.100.9"}, {"REMOTE_ADDR": "198.51.100.10"}
    for number in range(6):
        replica = (first, second)[number % 2]
        assert replica.post("/api/classes/ZZZZ-ZZZ/students", json={"name": "x"},
                            environ_base=guesser).status_code == 404
    for replica in (first, second):
        refused = replica.post(f"/api/classes/{made['join_code']}/students", json={"name": "G"},
                               environ_base=guesser)
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert replica.post(f"/api/classes/{made['join_code']}/students", json={"name": "H"},
                            environ_base=other).status_code == 201
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM failures")).scalar() == 6
            connection.execute(text("UPDATE failures SET at = :old"), {"old": datetime(2000, 1, 1)})
        assert second.post(f"/api/classes/{made['join_code']}/students", json={"name": "G"},
                           environ_base=guesser).status_code == 201  # the window has moved on
        assert first.post("/api/classes/ZZZZ-ZZZ/students", json={"name": "x"},
                          environ_base=guesser).status_code == 404
        with engine.connect() as connection:  # the old rows purged by the new failure
            assert connection.execute(text("SELECT count(*) FROM failures")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("text, limit", [("30/minute", (30, 60)), ("5 per second", (5, 1)),
                                         ("100/hours", (100, 3600))])
def test_the_failure_limit_reads_like_flask_limiters(text, limit):
    from app.classroom import failures

    assert failures.parse(text) == failures.Limit(*limit)


@pytest.mark.parametrize("text", ["0/minute", "30", "many/minute", "3/fortnight"])
def test_a_failure_limit_that_is_not_one_says_so(text):
    from app.classroom import failures

    with pytest.raises(ValueError, match="RATE_LIMIT_FAILURES must read like 30/minute"):
        failures.parse(text)


# --- retention ------------------------------------------------------------------


def test_a_class_is_deleted_its_retention_after_its_last_activity(app, client, monkeypatch):
    old, recent = _class(client, name="old"), _class(client, name="recent")
    ada = _join(client, recent)
    start = store.now()
    with app.app_context():
        assert store.purge_expired(start + timedelta(days=179)) == 0
    monkeypatch.setattr(store, "now", lambda: start + timedelta(days=100))
    _check(client, ada["problems"][0]["code"], ada["student_token"])  # activity: kept longer
    with app.app_context():
        gone = store.purge_expired(start + timedelta(days=181))
    assert gone == 1
    assert _results(client, old).status_code == 404
    assert _results(client, recent).status_code == 200


def test_the_retention_comes_from_its_setting_and_is_checked(database_url, monkeypatch):
    monkeypatch.setenv("HANDGRID_CLASS_RETENTION_DAYS", "30")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    client = app.test_client()
    made = _class(client)
    with app.app_context():
        assert store.purge_expired(store.now() + timedelta(days=29)) == 0
        assert store.purge_expired(store.now() + timedelta(days=31)) == 1
    assert _results(client, made).status_code == 404
    for bad in ("0", "\"ten\"", "1.5"):
        monkeypatch.setenv("HANDGRID_CLASS_RETENTION_DAYS", bad)
        with pytest.raises(ValueError, match="HANDGRID_CLASS_RETENTION_DAYS"):
            create_app({"TESTING": True})


# --- storage ----------------------------------------------------------------------


def test_entries_are_kept_on_the_server_and_a_check_too(app, client):
    made = _class(client)
    ada = _join(client, made)
    code = ada["problems"][0]["code"]
    with app.app_context():
        student = store.student_for_token(ada["student_token"])
        assert student.class_name == "7B maths" and student.codes == tuple(p["code"] for p in ada["problems"])
        assert store.entries_for(student, code) is None
        sizes = codes.load(code).problem.sizes
        typed = answers_from_form(sizes, {"h_z-0-0": "4", "h_z-0-1": "−2", "nonsense": "x"})
        assert store.save_entries(student, code, typed)
        saved = store.entries_for(student, code)
        assert saved["answers"] == {"h_z-0-0": "4", "h_z-0-1": "−2"} and saved["saved_at"] > 0
        assert not store.save_entries(student, "G0000-0000X", typed)
    _check(client, code, ada["student_token"], wrong={("y", 0, 0): 77})
    with app.app_context():
        (first, second) = store.latest_grids(made["id"], ada["student_id"])
        assert first.code == code and first.answers["y-0-0"] == "77"
        assert first.report.marks["y"][0][0].status == "wrong"
        assert second.answers is None and second.report is None


def test_the_schema_is_made_by_migrations_and_the_tokens_are_indexed(app, client, database_url):
    _class(client)
    engine = create_engine(database_url)
    found = inspect(engine)
    assert {"classes", "students", "progress", "failures", "alembic_version"} <= set(found.get_table_names())
    unique = found.get_unique_constraints("students") + found.get_indexes("students")
    assert any(index["column_names"] == ["token_hash"] for index in unique)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.fixture
def empty_database_url(request, tmp_path):
    """A database with nothing in it yet (not the migrated copy `database_url` gives)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'many.db'}"
        return
    with request.getfixturevalue("postgres").database() as url:
        yield url


@pytest.mark.parametrize("empty_database_url", DATABASES, indirect=True)
def test_several_processes_migrating_at_once_migrate_once(empty_database_url):
    """Four processes started together (as replicas and their workers are): each waits for
    the lock (a file lock, PostgreSQL's advisory lock), one migrates, the others find it done."""
    url = empty_database_url
    command = [sys.executable, "-c", f"from app.classroom import db; print(*db.migrate({url!r}))"]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(4)]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(outcomes) == [f"{HEAD} {HEAD}"] * 3 + [f"None {HEAD}"]
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [(HEAD,)]
    engine.dispose()


def test_a_postgresql_pool_holds_a_connection_per_request_a_worker_runs_at_once():
    """1 + HANDGRID_THREADS (app/rsgi.py runs that many requests at once), checked before use."""
    from app.classroom import db
    from app.server import SETTINGS

    assert db.DEFAULT_THREADS == next(s.default for s in SETTINGS if s.name == "HANDGRID_THREADS")
    assert db.pool_size({}) == 5 and db.pool_size({"HANDGRID_THREADS": "0"}) == 1
    assert db.pool_size({"HANDGRID_THREADS": "16"}) == 17
    engine = db.make_engine("postgresql+psycopg://handgrid@127.0.0.1:1/none")  # connects on first use only
    pool = engine.pool
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (5, db.MAX_OVERFLOW, True)
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_practice_works_and_classes_say_so_when_the_database_is_unavailable(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{blocked}/handgrid.db"})
    client = app.test_client()
    code = _slip_code()[0]
    assert client.get(f"/p/{code}").status_code == 200
    assert _check(client, code).status_code == 200
    answered = _check(client, code, "z" * 22)
    assert answered.status_code == 200 and answered.json["recorded"] is False
    refused = _post(client, "/api/classes", {"name": "7B", "preset": "classic"})
    assert refused.status_code == 503 and "practice still works" in refused.json["error"]


def test_the_access_log_filter_redacts_every_token_of_a_class_link():
    """As granian hands the filter a request (the headers as _h0, _h1, ...); the
    real server's log is read in tests/test_classes_load.py."""
    import logging

    from app.accesslog import AccessLogFilter

    record = logging.LogRecord("granian.access", logging.INFO, "", 0, "%(path)s %(_h0)s", None, None)
    record.args = {"path": "/classes/abc/t/Sekr3t-Token_xyz", "query_string": "next=/me/r/other",
                   "_h0": "https://grid.example/me/r/Another_tok3n", "_h1": "Mozilla/5.0"}
    AccessLogFilter().filter(record)
    line = record.getMessage()
    for secret in ("Sekr3t-Token_xyz", "other", "Another_tok3n"):
        assert secret not in line
    assert record.args["path"] == "/classes/abc/t/[redacted]?next=/me/r/[redacted]"
    assert record.args["_h1"] == "Mozilla/5.0"


def test_practice_never_opens_the_database(tmp_path):
    path = tmp_path / "classes" / "handgrid.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    client = app.test_client()
    code = _slip_code()[0]
    assert client.get(f"/p/{code}").status_code == 200
    assert client.post(f"/p/{code}", data={"action": "check", "h_z-0-0": "1"}).status_code == 200
    assert _check(client, code).status_code == 200
    assert client.get("/api/problems/" + code).status_code == 200
    assert not path.parent.exists()
    _class(client)  # the first class request makes it
    assert path.exists()


def test_the_default_database_is_a_file_in_the_instance_folder(monkeypatch):
    from app.classroom import db

    monkeypatch.delenv("HANDGRID_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert db.url_of(app) == f"sqlite:///{Path(app.instance_path) / 'handgrid.db'}"
    monkeypatch.setenv("HANDGRID_DATABASE_URL", "sqlite:////srv/classes.db")
    assert db.url_of(create_app({"TESTING": True})) == "sqlite:////srv/classes.db"
