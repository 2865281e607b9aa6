"""Classes against the real server (python -m app.server, 2 workers, a SQLite
file): a class of 60 checking at once loses nothing, a SIGKILL mid-load loses
no acknowledged check, each check's answer says what became of it, and no token
ever reaches the server's log.
tools/classload.py does the work; `make loadtest` runs it with 300 students."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from app.classes_api import NO_STUDENT
from app.core import codes
from app.core.problem import solve
from tools import classload, serving

pytestmark = pytest.mark.system


def test_sixty_students_checking_at_once_lose_nothing(tmp_path):
    outcome, problems = classload.load(tmp_path, students=60, checks=20, workers=2)
    assert problems == []
    assert outcome.joined == 60 and outcome.checks == 60 * 20 and outcome.interrupted == 0
    assert "database is locked" not in (tmp_path / "server.log").read_text()


def test_a_server_killed_mid_load_keeps_every_acknowledged_check(tmp_path):
    outcome, problems = classload.kill_and_restart(tmp_path, students=60, checks=20, workers=2)
    assert problems == []
    assert 0 < outcome.checks < 60 * 20 and outcome.interrupted > 0


def _send(url: str, path: str, body: dict | None = None, token: str | None = None,
          headers: dict | None = None, method: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                     headers=headers, method=method)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_no_token_reaches_the_servers_log(tmp_path):
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process, url = serving.start(2, {"HANDGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'handgrid.db'}"},
                                     stdout=out, stderr=subprocess.STDOUT)
    try:
        serving.wait_until_up(url + "/healthz", process)
        status, body = _send(url, "/api/classes", {"name": "7B", "preset": "gentle", "problems": 1})
        made = json.loads(body)
        status, body = _send(url, f"/api/classes/{made['join_code']}/students", {"name": "Ada"})
        joined = json.loads(body)
        teacher, student = made["teacher_token"], joined["student_token"]
        code = joined["problems"][0]["code"]
        teacher_link = f"/classes/{made['id']}/t/{teacher}"
        sent = [_send(url, teacher_link), _send(url, f"/me/r/{student}"),
                _send(url, f"/classes/{made['id']}/t/{teacher}?x=1", headers={"Referer": url + teacher_link}),
                _send(url, f"/api/problems/{code}/check", {}, student),
                _send(url, f"/api/classes/{made['id']}/results", token=teacher),
                _send(url, f"/me/r/{student}x")]  # a wrong token is not logged either
        assert [status for status, _ in sent[3:5]] == [200, 200]
        assert sent[0][0] in (302, 303) and sent[1][0] in (302, 303) and sent[5][0] == 404
        serving.wait_until_up(url + "/healthz", process)
    finally:
        process.terminate()
        process.wait(15)
    text = log.read_text()
    assert f"/classes/{made['id']}/t/[redacted]" in text and "/me/r/[redacted]" in text
    assert f'"{url}/classes/{made["id"]}/t/[redacted]"' in text  # the Referer
    for secret in (teacher, student):
        assert secret not in text


def _served(tmp_path):
    """The real server (2 workers) on a SQLite file of the test's own: its base URL."""
    return serving.running(2, {"HANDGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'handgrid.db'}",
                               "HANDGRID_LOG_LEVEL": "warning"})


def _gentle_class(url: str) -> dict:
    return json.loads(_send(url, "/api/classes", {"name": "7B", "preset": "gentle", "problems": 1})[1])


def _checks_counted(url: str, made: dict) -> list[tuple[str, int]]:
    """Each student's name and checks of their one problem, as the class's results count them."""
    results = json.loads(_send(url, f"/api/classes/{made['id']}/results", token=made["teacher_token"])[1])
    return [(student["name"], student["problems"][0]["checks"]) for student in results["students"]]


def test_the_servers_group_commit_answers_each_check_with_what_became_of_it(tmp_path):
    """Through the server (its checks wait for a group commit: app/classroom/recorder.py):
    a check answered "recorded" is in the results; a student removed after their token
    was remembered gets a 404; a closed class's check is answered, not recorded."""
    with _served(tmp_path) as url:
        made = _gentle_class(url)
        ada, bo = (json.loads(_send(url, f"/api/classes/{made['join_code']}/students", {"name": name})[1])
                   for name in ("Ada", "Bo"))
        teacher = made["teacher_token"]

        def check(student: dict) -> tuple[int, dict]:
            status, body = _send(url, f"/api/problems/{student['problems'][0]['code']}/check", {},
                                 student["student_token"])
            return status, json.loads(body)

        for _ in range(4):  # every worker sees both tokens, most likely
            assert [check(ada)[1]["recorded"], check(bo)[1]["recorded"]] == [True, True]
        assert _send(url, f"/api/classes/{made['id']}/students/{bo['student_id']}", token=teacher,
                     method="DELETE")[0] == 204
        assert [check(bo) for _ in range(4)] == [(404, {"error": NO_STUDENT})] * 4
        assert _send(url, f"/api/classes/{made['id']}/close", {}, teacher)[0] == 200
        status, answer = check(ada)
        assert status == 200 and answer["recorded"] is False and answer["score"]["total"] > 0
        assert _checks_counted(url, made) == [("Ada", 4)]


def test_a_class_students_page_check_joins_the_group_commit_through_the_server(tmp_path):
    """The practice page's Check of a class student, with htmx, through the server: its
    answer waits for the group commit as an API check's does, and comes with the
    marks, the note of what became of it and the page's own headers; the entries
    are kept in the same write, also once the class is closed."""
    import httpx
    from bs4 import BeautifulSoup

    from tests.pages import form_data

    with _served(tmp_path) as url:
        made = _gentle_class(url)
        teacher = made["teacher_token"]
        with httpx.Client(base_url=url) as ada:
            join = "/" + made["join_url"].split("://", 1)[1].split("/", 1)[1]
            token = BeautifulSoup(ada.get(join).text, "html.parser").select_one("input[name=csrf_token]")
            assert ada.post(join, data={"name": "Ada", "csrf_token": token["value"]}).status_code == 303
            [code] = [a["data-code"] for a in BeautifulSoup(ada.get("/me").text, "html.parser")
                      .select("li[data-code]")]

            def check(typed: str) -> httpx.Response:
                page = BeautifulSoup(ada.get(f"/p/{code}").text, "html.parser")
                sent = form_data(solve(codes.load(code).problem).as_lists(), {"h_z-0-1": typed}) | {
                    "action": "check", "csrf_token": page.select_one("input[name=csrf_token]")["value"]}
                return ada.post(f"/p/{code}", data=sent, headers={"HX-Request": "true"})

            answers = [check(str(n)) for n in (7, 8, 9)]
            for answer in answers:
                page = BeautifulSoup(answer.text, "html.parser")
                assert answer.status_code == 200 and answer.headers["HX-Reswap"] == "none"
                assert answer.headers["Cache-Control"] == "no-store" and "Cookie" in answer.headers["Vary"]
                assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
                assert page.select_one("#class-note").get_text() == "Check recorded for your teacher."
                assert page.select_one("[id^='mark-h_z-0-1']") is not None
            assert _send(url, f"/api/classes/{made['id']}/close", {}, teacher)[0] == 200
            closed = check("-4")
            note = BeautifulSoup(closed.text, "html.parser").select_one("#class-note").get_text()
            assert note.startswith("Not recorded: the class is closed")
        with httpx.Client(base_url=url) as other_device:  # the entries, kept with the checks
            resume = BeautifulSoup(httpx.get(url + "/me", cookies=ada.cookies).text, "html.parser")
            other_device.get(urllib.parse.urlsplit(resume.select_one("#resume-url")["value"]).path)
            kept = BeautifulSoup(other_device.get(f"/p/{code}").text, "html.parser")
            assert kept.select_one("#h_z-0-1")["value"] == "-4"
        assert _checks_counted(url, made) == [("Ada", 3)]


def test_a_bad_retention_stops_the_server_with_a_message(tmp_path):
    env = {**os.environ, "HANDGRID_CLASS_RETENTION_DAYS": "0", "HANDGRID_BIND": "127.0.0.1:1",
           "HANDGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'handgrid.db'}"}
    result = subprocess.run([sys.executable, "-m", "app.server"], cwd=serving.ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "HANDGRID_CLASS_RETENTION_DAYS must be a whole number of days from 1 to 36500" in result.stderr
    assert "Traceback" not in result.stderr
