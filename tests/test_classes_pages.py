"""The class pages through Flask's test client, on a real SQLite file per test
(the `database_url` fixture): a teacher makes a class, students join and check,
the dashboard and its live part, the teacher's actions, CSRF refusals, the 404s
of a wrong token, and hostile names escaped everywhere."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from datetime import datetime, timedelta

import pytest

from app import classes, create_app
from app.core import classroom, codes
from app.core.answers import answers_from_form
from app.core.diagnosis import KINDS
from app.core.grading import grade
from app.core.problem import solve
from app.present import slips
from app.present.dashboard import LEVELS, _level, ago
from tests.pages import form_data, soup, status_of

pytestmark = pytest.mark.databases  # each storing test on SQLite and on PostgreSQL

HX = {"HX-Request": "true"}
CLASSIC = classroom.presets.DEFAULT
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def csrf_of(html: bytes | str) -> str:
    field = soup(html).select_one("input[name=csrf_token]")
    assert field is not None, "no CSRF field"
    return field["value"]


def make_class(client, **fields) -> str:
    """A class made through the form, as a teacher does; its id."""
    form = client.get("/classes/new")
    data = {"name": "10B", "assign": "preset", "preset": "classic", "problems": "2", "closes": "",
            "csrf_token": csrf_of(form.data)} | fields
    made = client.post("/classes/new", data=data)
    assert made.status_code == 303, made.data[:2000]
    return made.headers["Location"].split("/")[2]


def join_path(client, class_id: str) -> str:
    """The join link's path, read off the class's links page."""
    link = soup(client.get(f"/classes/{class_id}/links").data).select_one("#join-url")["href"]
    return urllib.parse.urlsplit(link).path


def join(app, path: str, name: str = "Ada"):
    """A new browser (its own cookies) that joins as `name`."""
    student = app.test_client()
    page = student.get(path)
    answer = student.post(path, data={"name": name, "csrf_token": csrf_of(page.data)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/me", answer.data[:2000]
    return student


def live_part(teacher, class_id: str):
    """The dashboard's live part, as htmx asks for it."""
    return soup(teacher.get(f"/classes/{class_id}/live", headers=HX).data)


def student_ids(teacher, class_id: str) -> list[str]:
    return [tr["data-student"] for tr in live_part(teacher, class_id).select("tr[data-student]")]


def my_codes(student) -> list[str]:
    return [li["data-code"] for li in soup(student.get("/me").data).select("#my-problems li")]


def check(student, code: str, overrides: dict | None = None, action: str = "check", headers=None):
    """A check of `code` from its practice page, posted as the page's form posts it."""
    page = student.get(f"/p/{code}")
    solution = solve(codes.load(code).problem).as_lists()
    data = form_data(solution, overrides) | {"action": action, "csrf_token": csrf_of(page.data)}
    return student.post(f"/p/{code}", data=data, headers=headers or {})


@pytest.fixture
def teacher(client):
    return client


# --- a new class --------------------------------------------------------------


def test_a_new_class_gives_the_private_teacher_link_join_code_link_and_qr(app, teacher):
    class_id = make_class(teacher, name="Year 10 B")
    cookie = teacher.get_cookie("handgrid_teacher", path=f"/classes/{class_id}")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    page = soup(teacher.get(f"/classes/{class_id}/links?new=1").data)
    assert "your class is ready" in page.select_one("h1").get_text()
    teacher_url = page.select_one("#teacher-url")["value"]
    assert teacher_url == f"http://localhost/classes/{class_id}/t/{cookie.value}"
    assert "Keep this private" in page.select_one(".private").get_text()
    join_code = page.select_one("#join-code").get_text()
    assert classroom.is_join_code(join_code)
    assert page.select_one("#join-url")["href"] == f"http://localhost/c/{join_code}"
    assert page.select_one(".join-qr svg path") is not None
    # The teacher link opens the class in another browser, and takes the token out of the address.
    other = app.test_client()
    opened = other.get(urllib.parse.urlsplit(teacher_url).path)
    assert opened.status_code == 303 and opened.headers["Location"] == f"/classes/{class_id}"
    assert other.get(f"/classes/{class_id}").status_code == 200


def test_the_cookies_last_as_long_as_the_class_is_kept(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "CLASS_RETENTION_DAYS": 7})
    teacher = app.test_client()
    form = teacher.get("/classes/new")
    fields = {"name": "10B", "assign": "preset", "preset": "classic", "problems": "1", "closes": ""}
    made = teacher.post("/classes/new", data=fields | {"csrf_token": csrf_of(form.data)})
    assert "Max-Age=604800" in made.headers["Set-Cookie"]
    class_id = made.headers["Location"].split("/")[2]
    student = app.test_client()
    path = join_path(teacher, class_id)
    joined = student.post(path, data={"name": "Ada", "csrf_token": csrf_of(student.get(path).data)})
    assert "Max-Age=604800" in joined.headers["Set-Cookie"]


@pytest.mark.parametrize("fields, sizes, problems", [
    ({"assign": "preset", "preset": "gentle", "problems": "3"}, (2, 3, 2, 2), 3),
    ({"assign": "sizes", "inputs": "2", "hidden": "2", "outputs": "1", "batch": "2", "problems": "1"},
     (2, 2, 1, 2), 1),
])
def test_each_student_gets_their_own_version_of_a_preset_or_sizes(app, teacher, fields, sizes, problems):
    class_id = make_class(teacher, **fields)
    path = join_path(teacher, class_id)
    first, second = (my_codes(join(app, path, name)) for name in ("Ada", "Ben"))
    assert len(first) == len(second) == problems and not set(first) & set(second)
    for code in first + second:
        assert tuple(codes.load(code).problem.sizes.as_dict().values()) == sizes


def test_listed_codes_are_everyones_problems(app, teacher):
    listed = [codes.display(codes.generated_code(p, p.sizes, 7)) for p in classroom.presets.PROFILES[:2]]
    class_id = make_class(teacher, assign="codes", codes=" ".join(c.lower() for c in listed))
    path = join_path(teacher, class_id)
    assert my_codes(join(app, path, "Ada")) == my_codes(join(app, path, "Ben")) == listed


@pytest.mark.parametrize("fields, message", [
    ({"name": "  "}, "A class name cannot be empty."),
    ({"problems": "7"}, "problems must be a whole number from 1 to 6."),
    ({"assign": "sizes", "inputs": "9"}, "inputs must be from 1 to 6, not 9."),
    ({"assign": "codes", "codes": "G1A2B-3C4DX"}, "Code 1 (G1A2B-3C4DX)"),
    ({"closes": "tomorrow"}, "Choose when the class closes from the list."),
])
def test_a_bad_form_comes_back_filled_in_with_a_plain_message(teacher, fields, message):
    form = teacher.get("/classes/new")
    data = {"name": "10B", "assign": "preset", "preset": "classic", "problems": "2", "closes": "",
            "csrf_token": csrf_of(form.data)} | fields
    answer = teacher.post("/classes/new", data=data)
    assert answer.status_code == 400
    page = soup(answer.data)
    assert message in page.select_one("#class-errors").get_text()
    assert page.select_one("#class-name")["value"] == data["name"]
    assert teacher.get_cookie("handgrid_teacher") is None


def test_a_closing_time_closes_the_class_by_itself(app, teacher):
    class_id = make_class(teacher, closes="45m")
    status = soup(teacher.get(f"/classes/{class_id}").data).select_one("#class-status").get_text()
    assert "Open" in status and re.search(r"closes in 4[45] min", status)


# --- the join link's address ----------------------------------------------------


def test_links_carry_the_public_url_when_one_is_set(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "PUBLIC_URL": "https://grid.school.example/"})
    teacher = app.test_client()
    class_id = make_class(teacher)
    page = soup(teacher.get(f"/classes/{class_id}/links").data)
    assert page.select_one("#join-url")["href"].startswith("https://grid.school.example/c/")
    assert page.select_one("#teacher-url")["value"].startswith(f"https://grid.school.example/classes/{class_id}/t/")
    assert page.select_one(".class-local") is None


def test_without_a_public_url_links_carry_the_name_the_teacher_used(app):
    """Never the server's own 127.0.0.1 when the teacher reached it by another name."""
    teacher = app.test_client()
    base = "http://grid.school.example:8000"
    form = teacher.get("/classes/new", base_url=base)
    made = teacher.post("/classes/new", base_url=base, data={
        "name": "10B", "assign": "preset", "preset": "classic", "problems": "2", "closes": "",
        "csrf_token": csrf_of(form.data)})
    class_id = made.headers["Location"].split("/")[2]
    page = soup(teacher.get(f"/classes/{class_id}/links", base_url=base).data)
    assert page.select_one("#join-url")["href"].startswith(base + "/c/")
    assert page.select_one(".class-local") is None
    # Opened at the loopback address, the page says the links only work on this computer.
    token = teacher.get_cookie("handgrid_teacher", domain="grid.school.example",
                               path=f"/classes/{class_id}").value
    loopback = "http://127.0.0.1:8000"
    assert teacher.get(f"/classes/{class_id}/t/{token}", base_url=loopback).status_code == 303
    local = soup(teacher.get(f"/classes/{class_id}/links", base_url=loopback).data)
    assert "only work on this computer" in local.select_one(".class-local").get_text()


# --- students -------------------------------------------------------------------


def test_a_student_joins_checks_and_the_teacher_sees_it_live(app, teacher):
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    cookie = student.get_cookie("handgrid_student")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.path == "/"
    code = my_codes(student)[0]
    me = soup(student.get("/me").data)
    assert [p.get_text() for p in me.select(".my-progress")] == ["not checked yet"] * 2
    # The practice page of their own problem says where checks go.
    practice = soup(student.get(f"/p/{code}").data)
    assert "10B" in practice.select_one("#class-banner").get_text()
    assert student.get(f"/p/{code}").headers["Cache-Control"] == "no-store"
    # A check with a slip (an h_z cell without its bias, the largest) is recorded...
    problem = codes.load(code).problem
    row = max(range(problem.sizes.hidden), key=lambda i: abs(int(problem.b1[i])))
    slip = {f"h_z-{row}-0": str(int(solve(problem).h_z[row][0] - problem.b1[row]))}
    named = grade(problem, answers_from_form(problem.sizes, form_data(solve(problem).as_lists(), slip))
                  ).marks["h_z"][row][0].diagnosis
    answer = check(student, code, slip, headers=HX)
    assert answer.status_code == 200
    note = soup(answer.data).select_one("#class-note")
    assert note.get_text() == "Check recorded for your teacher." and note["hx-swap-oob"] == "true"
    assert note["data-kept"] == "true"
    assert soup(answer.data).select_one("#class-status").get_text() == "your checks go to your teacher."
    progress = soup(student.get("/me").data).select_one(f"li[data-code='{code}'] .my-progress").get_text()
    assert progress.startswith("35 of 36 correct") and progress.endswith("1 check")
    # ... and shows in the live part of the dashboard, with the slip in the tutor's words.
    live = soup(teacher.get(f"/classes/{class_id}/live", headers=HX).data)
    root = live.select_one("#live")
    assert root["hx-trigger"].startswith("every 5s")
    assert root["hx-get"].startswith(f"/classes/{class_id}/live?v=")
    line = live.select_one("tr[data-student]")
    assert line.select_one(".student-name").get_text() == "Ada"
    assert line.select_one(f"td[data-code='{code}'] .score-cell").get_text().startswith("35/36")
    # The slip as the tutor named it, if it did (the class's problems are random: with some, another
    # explanation comes as near, and the tutor names only what it can stand by).
    assert [li.select_one(".slip-text").get_text() for li in live.select("#slips li")] == (
        [f"1 of 1 {slips.phrase(named)} in h_z"] if named else [])
    assert named in (None, "no_bias")
    # The heat map of the shape: that one cell, wrong for the one student who checked.
    heat = live.select_one("table.heat[aria-label^='h_z']")
    hot = [(i, j) for i, tr in enumerate(heat.select("tr")) for j, td in enumerate(tr.select("td"))
           if "heat-5" in td["class"]]
    assert hot == [(row, 0)]


def test_next_problem_goes_on_to_the_students_next_problem_then_their_page(app, teacher):
    class_id = make_class(teacher, problems="2")
    student = join(app, join_path(teacher, class_id), "Ada")
    first, second = my_codes(student)
    for code, following in ((first, f"/p/{second}"), (second, "/me")):
        for headers in ({}, HX):
            answer = soup(check(student, code, headers=headers).data)
            assert answer.select_one("#next-problem")["href"] == following, (code, headers)


def test_the_live_part_is_a_204_while_nothing_changes(app, teacher, monkeypatch):
    # The version also changes every minute (the "4 min ago"s): the test's clock stands still,
    # or a minute that turns between two requests makes the quiet poll a 200 (a CI run saw it).
    frozen = classes._now()
    monkeypatch.setattr(classes, "_now", lambda: frozen)
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    live = soup(teacher.get(f"/classes/{class_id}").data).select_one("#live")["hx-get"]
    assert live.startswith(f"/classes/{class_id}/live?v=")
    quiet = teacher.get(live, headers=HX)
    assert quiet.status_code == 204 and quiet.data == b""
    check(student, my_codes(student)[0], headers=HX)
    news = teacher.get(live, headers=HX)
    assert news.status_code == 200
    assert soup(news.data).select_one("#live")["hx-get"] != live  # it asks with the new version next
    assert teacher.get(f"/classes/{class_id}/live?v=stale", headers=HX).status_code == 200


def test_the_teacher_sees_a_students_latest_grids_with_marks_read_only(app, teacher):
    class_id = make_class(teacher, problems="1")
    student = join(app, join_path(teacher, class_id), "Ada")
    code = my_codes(student)[0]
    check(student, code, {"h_z-0-0": "99", "y-1-1": ""})
    live = live_part(teacher, class_id)
    link = live.select_one("tr[data-student] .student-name a")["href"]
    page = soup(teacher.get(link).data)
    assert page.select_one("h1").get_text() == "Ada"
    assert page.select("main input") == []  # nothing to type in: read-only
    cells = {td.select_one(".markbox")["id"]: (td.select_one(".readonly-value").get_text(), status_of(td))
             for td in page.select("td.cell-readonly")}
    assert cells["mark-p1-h_z-0-0"] == ("99", "wrong")
    assert cells["mark-p1-y-1-1"] == ("", "blank")
    assert len(cells) == 36 and len({id_ for id_ in cells}) == 36
    assert page.select_one(".readonly-score").get_text().startswith("34 of 36 correct")


def test_entries_are_kept_on_the_server_and_come_back_on_another_device(app, teacher):
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    code = my_codes(student)[0]
    check(student, code, {"h_z-0-1": "7"}, action="hint")  # a hint posts the grids: they are kept
    resume = soup(student.get("/me").data).select_one("#resume-url")["value"]
    assert resume.startswith("http://localhost/me/r/")
    other_device = app.test_client()
    assert other_device.get(urllib.parse.urlsplit(resume).path).headers["Location"] == "/me"
    page = soup(other_device.get(f"/p/{code}").data)
    assert page.select_one("#h_z-0-1")["value"] == "7"
    assert page.select_one("#work")["data-class-entries"] == ""
    assert page.select_one("#h_z-0-0")["value"] == str(solve(codes.load(code).problem).h_z[0][0])


def test_start_over_on_a_class_problem_clears_what_the_server_kept(app, teacher):
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    code = my_codes(student)[0]
    check(student, code, {"h_z-0-1": "7"}, action="hint")
    page = soup(student.get(f"/p/{code}").data)
    assert page.select_one("#h_z-0-1")["value"] == "7"
    assert page.select_one("button#start-over")["name"] == "start_over"
    token = page.select_one("input[name=csrf_token]")["value"]
    typed = form_data(solve(codes.load(code).problem).as_lists())
    cleared = student.post(f"/p/{code}", headers=HX,
                           data=typed | {"start_over": "1", "revealed": "h", "csrf_token": token})
    assert cleared.status_code == 200
    assert {field["value"] for field in soup(cleared.data).select("#work-form input[data-matrix]")} == {""}
    again = soup(app.test_client().get(f"/p/{code}").data)  # another browser: not in the class
    assert again.select_one("#class-banner") is None
    kept = soup(student.get(f"/p/{code}").data).select("input[data-matrix]")
    assert {field["value"] for field in kept} == {""}
    # Practice without a class keeps its plain link.
    assert again.select_one("a#start-over")["href"] == f"/p/{code}"


def test_someone_elses_problem_is_practised_as_ever_and_not_recorded(app, teacher):
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    other = codes.display(codes.generated_code(CLASSIC, CLASSIC.sizes, 99))
    page = soup(student.get(f"/p/{other}").data)
    assert page.select_one("#class-banner") is None and page.select_one("input[name=csrf_token]") is None
    data = form_data(solve(codes.load(other).problem).as_lists()) | {"action": "check"}
    assert student.post(f"/p/{other}", data=data).status_code == 200
    summary = live_part(teacher, class_id).select_one(".roster-summary").get_text()
    assert "0 of 1 student checked at least once; 0 checks in all" in " ".join(summary.split())


def test_practice_without_a_class_never_opens_the_database(tmp_path):
    """A database that cannot be opened at all: practice goes on, class pages say so with a 503."""
    (tmp_path / "a-file").write_text("not a directory")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/a-file/handgrid.db"})
    client = app.test_client()
    code = codes.display(codes.generated_code(CLASSIC, CLASSIC.sizes, 5))
    assert client.get(f"/p/{code}").status_code == 200
    data = form_data(solve(codes.load(code).problem).as_lists()) | {"action": "check"}
    assert client.post(f"/p/{code}", data=data).status_code == 200
    # A student's cookie with the database down: the practice page still works.
    client.set_cookie("handgrid_student", "x" * 22)
    assert client.get(f"/p/{code}").status_code == 200
    assert client.post(f"/p/{code}", data=data).status_code == 200
    answer = client.get("/classes/new")
    assert answer.status_code == 200  # the form itself needs no database
    made = client.post("/classes/new", data={"name": "10B", "assign": "preset", "preset": "classic",
                                             "problems": "2", "closes": "",
                                             "csrf_token": csrf_of(answer.data)})
    assert made.status_code == 503
    assert "practice still works" in soup(made.data).select_one("[role=alert]").get_text()


def test_open_a_code_takes_a_join_code(app, teacher):
    class_id = make_class(teacher)
    code = join_path(teacher, class_id).removeprefix("/c/")
    typed = code.lower().replace("-", " ").replace("0", "o")
    answer = teacher.get("/open", query_string={"code": typed})
    assert answer.status_code == 302 and answer.headers["Location"] == f"/c/{code}"
    # A join code typed differently opens the same class.
    assert teacher.get(f"/c/{code.replace('-', '').lower()}").headers["Location"] == f"/c/{code}"


# --- the teacher's actions -------------------------------------------------------


def post_confirmed(client, path: str):
    page = client.get(path)
    assert page.status_code == 200 and soup(page.data).select_one("form.confirm-form")["action"] == path
    return client.post(path, data={"csrf_token": csrf_of(page.data)})


def test_close_and_reopen(app, teacher):
    class_id = make_class(teacher)
    path = join_path(teacher, class_id)
    student = join(app, path, "Ada")
    assert post_confirmed(teacher, f"/classes/{class_id}/close").status_code == 303
    assert "Closed" in soup(teacher.get(f"/classes/{class_id}").data).select_one("#class-status").get_text()
    # Nobody joins a closed class; a check is answered but not recorded.
    page = app.test_client().get(path)
    assert soup(page.data).select_one("#join-closed") and soup(page.data).select_one("form.join-form") is None
    answer = check(student, my_codes(student)[0], headers=HX)
    note = soup(answer.data).select_one("#class-note").get_text()
    assert note.startswith("Not recorded: the class is closed")
    banner = soup(student.get(f"/p/{my_codes(student)[0]}").data).select_one("#class-banner").get_text()
    assert "the class is closed, so checks are not recorded" in banner
    assert post_confirmed(teacher, f"/classes/{class_id}/reopen").status_code == 303
    answer = check(student, my_codes(student)[0], headers=HX)
    assert soup(answer.data).select_one("#class-note").get_text() == "Check recorded for your teacher."


def test_joining_a_closed_class_is_a_409_with_the_name_kept(app, teacher):
    class_id = make_class(teacher)
    path = join_path(teacher, class_id)
    student = app.test_client()
    token = csrf_of(student.get(path).data)
    post_confirmed(teacher, f"/classes/{class_id}/close")
    answer = student.post(path, data={"name": "Ada", "csrf_token": token})
    assert answer.status_code == 409
    assert "closed" in soup(answer.data).select_one("#join-error").get_text()


def test_remove_a_student(app, teacher):
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    student_id = student_ids(teacher, class_id)[0]
    assert post_confirmed(teacher, f"/classes/{class_id}/students/{student_id}/remove").status_code == 303
    assert live_part(teacher, class_id).select_one("tr[data-student]") is None
    assert student.get("/me").status_code == 404
    assert teacher.get(f"/classes/{class_id}/students/{student_id}").status_code == 404


def test_delete_the_class_and_everything_of_it(app, teacher):
    class_id = make_class(teacher)
    path = join_path(teacher, class_id)
    student = join(app, path, "Ada")
    resume = urllib.parse.urlsplit(soup(student.get("/me").data).select_one("#resume-url")["value"]).path
    token = teacher.get_cookie("handgrid_teacher", path=f"/classes/{class_id}").value
    answer = post_confirmed(teacher, f"/classes/{class_id}/delete")
    assert answer.status_code == 303
    for url in (f"/classes/{class_id}", f"/classes/{class_id}/live", f"/classes/{class_id}/gradebook.csv",
                f"/classes/{class_id}/t/{token}", path):
        assert app.test_client().get(url).status_code == 404, url
    assert teacher.get(f"/classes/{class_id}").status_code == 404
    assert student.get("/me").status_code == 404
    assert app.test_client().get(resume).status_code == 404


def test_the_gradebook_downloads_as_csv(app, teacher):
    class_id = make_class(teacher, problems="1")
    student = join(app, join_path(teacher, class_id), "=HYPERLINK(\"http://x\")")
    check(student, my_codes(student)[0], {"y-0-0": "99"})
    answer = teacher.get(f"/classes/{class_id}/gradebook.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="handgrid-10B.csv"'
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][1:4] == [my_codes(student)[0], "35", "36"]


def test_the_print_page_has_the_classs_versions_with_the_join_qr_on_every_sheet(app, teacher):
    class_id = make_class(teacher, problems="1")
    path = join_path(teacher, class_id)
    students = [join(app, path, name) for name in ("Ada", "Ben")]
    page = soup(teacher.get(f"/classes/{class_id}/print").data)
    sheets = page.select("article.ws-sheet .ws-head")
    assert len(sheets) == 2 and all(head.select_one(".ws-join-qr svg") for head in sheets)
    printed = [section["data-code"] for section in page.select("section.ws-problem")]
    assert printed == [code for student in students for code in my_codes(student)]
    five = soup(teacher.get(f"/classes/{class_id}/print?versions=5").data)
    assert len(five.select("article.ws-sheet")) == 5
    assert teacher.get(f"/classes/{class_id}/print?versions=61").status_code == 400


def test_more_versions_than_tiny_sizes_have_problems_is_said_plainly(teacher):
    tiny = {"inputs": "1", "hidden": "1", "outputs": "1", "batch": "1"}
    class_id = make_class(teacher, assign="sizes", problems="6", **tiny)
    answer = teacher.get(f"/classes/{class_id}/print?versions=60")
    assert answer.status_code == 400
    assert "different problems of sizes 1-1-1-1" in soup(answer.data).select_one("#print-error").get_text()


# --- CSRF ---------------------------------------------------------------------------


def test_every_form_refuses_a_post_without_its_token(app, teacher):
    class_id = make_class(teacher)
    path = join_path(teacher, class_id)
    student_id_page = join(app, path, "Ada")
    student_id = student_ids(teacher, class_id)[0]
    # A real token of this browser, but for another form (the reopen page's).
    elsewhere = csrf_of(teacher.get(f"/classes/{class_id}/reopen").data)
    for url in (f"/classes/{class_id}/close", f"/classes/{class_id}/delete",
                f"/classes/{class_id}/students/{student_id}/remove", "/classes/new", path):
        for data in ({}, {"csrf_token": "0" * 64}, {"csrf_token": elsewhere}):
            answer = teacher.post(url, data={"name": "Eve", **data})
            assert answer.status_code == 403, (url, data)
            assert "could not be sent safely" in soup(answer.data).select_one("[role=alert]").get_text()
    # Nothing happened: the class is open, with its one student.
    live = live_part(teacher, class_id)
    assert len(live.select("tr[data-student]")) == 1
    assert "Open" in soup(teacher.get(f"/classes/{class_id}").data).select_one("#class-status").get_text()
    assert student_id_page.get("/me").status_code == 200


def test_a_token_from_another_browser_or_another_site_is_refused(app, teacher):
    class_id = make_class(teacher)
    token = csrf_of(teacher.get(f"/classes/{class_id}/close").data)
    intruder = app.test_client()
    stolen = teacher.get_cookie("handgrid_teacher", path=f"/classes/{class_id}").value
    intruder.set_cookie("handgrid_teacher", stolen, path=f"/classes/{class_id}")
    assert intruder.post(f"/classes/{class_id}/close", data={"csrf_token": token}).status_code == 403
    cross = teacher.post(f"/classes/{class_id}/close", data={"csrf_token": token},
                         headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert teacher.post(f"/classes/{class_id}/close", data={"csrf_token": token}).status_code == 303


def test_a_check_without_the_token_is_marked_but_not_recorded(app, teacher):
    class_id = make_class(teacher)
    student = join(app, join_path(teacher, class_id), "Ada")
    code = my_codes(student)[0]
    data = form_data(solve(codes.load(code).problem).as_lists()) | {"action": "check"}
    answer = student.post(f"/p/{code}", data=data, headers=HX)
    assert answer.status_code == 200
    assert soup(answer.data).select_one("#class-note").get_text().startswith("Not sent to your teacher")
    assert live_part(teacher, class_id).select_one(".cell-detail").get_text() == "not checked"


# --- wrong tokens and addresses: 404s that tell a guesser nothing ----------------------


def test_wrong_tokens_and_unknown_classes_are_404s(app, teacher):
    class_id = make_class(teacher)
    other = make_class(app.test_client())
    path = join_path(teacher, class_id)
    join(app, path, "Ada")
    stranger = app.test_client()
    for url in (f"/classes/{class_id}", f"/classes/{class_id}/live", f"/classes/{class_id}/links",
                f"/classes/{class_id}/gradebook.csv", f"/classes/{class_id}/print",
                f"/classes/{class_id}/close",
                f"/classes/{class_id}/t/{'A' * 22}", f"/classes/{'x' * 16}/t/{'A' * 22}", "/me",
                f"/me/r/{'A' * 22}", "/c/AAAA-AAA", "/c/not-a-code", f"/classes/{other}"):
        answer = stranger.get(url)
        assert answer.status_code == 404, url
        assert soup(answer.data).select_one("[role=alert]").get_text()
    # The teacher cookie of one class opens no other.
    assert teacher.get(f"/classes/{other}").status_code == 404
    assert teacher.get(f"/classes/{class_id}/students/nobody").status_code == 404


# --- escaping ---------------------------------------------------------------------------


def test_hostile_names_are_escaped_on_every_page(app, teacher):
    class_id = make_class(teacher, name=HOSTILE[:80])
    path = join_path(teacher, class_id)
    student = join(app, path, HOSTILE[:40])
    code = my_codes(student)[0]
    check(student, code, {"h_z-0-0": "99"})
    student_id = student_ids(teacher, class_id)[0]
    pages = {url: teacher.get(url) for url in (
        f"/classes/{class_id}", f"/classes/{class_id}/live", f"/classes/{class_id}/links",
        f"/classes/{class_id}/project", f"/classes/{class_id}/print", f"/classes/{class_id}/close",
        f"/classes/{class_id}/delete", f"/classes/{class_id}/students/{student_id}",
        f"/classes/{class_id}/students/{student_id}/remove")}
    pages |= {url: student.get(url) for url in ("/me", path, f"/p/{code}")}
    for url, answer in pages.items():
        assert answer.status_code == 200, url
        page = soup(answer.data)
        assert page.select("script:not([src])") == [] and page.select("img") == [], url
        assert b"<script>alert" not in answer.data and b"<img src=x" not in answer.data, url
    shown = soup(pages[f"/classes/{class_id}/live"].data).select_one(".student-name").get_text()
    assert HOSTILE[:40] in shown
    assert HOSTILE[:80] in soup(pages["/me"].data).select_one(".me-class").get_text()


# --- the dashboard as data (app/present/dashboard.py) -----------------------------------


@pytest.mark.parametrize("seconds, said", [(0, "just now"), (59, "just now"), (60, "1 min ago"),
                                           (3599, "59 min ago"), (3600, "1 h ago"), (86399, "23 h ago"),
                                           (86400, "1 day ago"), (3 * 86400, "3 days ago"), (-5, "just now")])
def test_how_long_ago_reads_at_a_glance(seconds, said):
    now = datetime(2026, 12, 2, 10, 0)
    assert ago(now - timedelta(seconds=seconds), now) == said
    assert ago(None, now) == "never"


def test_heat_levels_grow_with_the_share_of_students_and_never_hide_a_wrong_cell():
    assert _level(0, 28) == 0 and _level(5, 0) == 0
    assert _level(1, 28) == 1  # one student of 28 still shows
    assert _level(28, 28) == LEVELS and _level(14, 28) == 3
    assert [_level(n, 10) for n in range(11)] == sorted(_level(n, 10) for n in range(11))


def test_every_slip_kind_of_the_tutor_is_said_for_the_teacher():
    phrases = {kind: slips.phrase(kind) for kind in KINDS}
    assert len(set(phrases.values())) == len(KINDS)
    assert slips.line("no_bias", "h_z", 9, 28) == "9 of 28 left out the bias in h_z"
    assert slips.phrase("a kind to come") == "made a slip of the kind “a kind to come”"
