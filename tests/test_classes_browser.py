"""Classes end to end in Debian's Chromium, against the real server (python -m
app.server, 2 workers) on a SQLite file of its own: a teacher makes a class,
three students join from three browsers (one a 360 px phone) and solve with
some slips, and the teacher's dashboard shows them live, with the slips the
class shares, and downloads the gradebook. axe-core on the teacher's and the
students' pages, light and dark; the live part pauses while its tab is hidden.

With HANDGRID_SHOTS set to a folder, the dashboard and the student's pages are
saved there as PNG (1280 and 360 px, light and dark) to be looked at.
"""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.core import codes, presets
from app.core.answers import answers_from_form
from app.core.grading import grade
from app.core.problem import ANSWER_NAMES, solve
from tests.pages import form_data
from tests.test_accessibility import axe_violations
from tools import serving

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("HANDGRID_SHOTS")
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    """The real server with a classes database of its own."""
    database = tmp_path_factory.mktemp("classes") / "handgrid.db"
    with serving.running(2, env={"HANDGRID_DATABASE_URL": f"sqlite:///{database}"}) as url:
        yield url


def slipping_problem() -> tuple[str, dict[str, str], dict[str, str]]:
    """A classic problem's code and two slips the tutor names for sure: an h_z
    cell without its bias ("no_bias") and a negative h_z kept in h ("relu_missed")."""
    for seed in range(1, 500):
        code = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, seed))
        problem = codes.load(code).problem
        reference = solve(problem)
        bias_row = max(range(problem.sizes.hidden), key=lambda i: abs(int(problem.b1[i])))
        negative = [(i, j) for i, row in enumerate(reference.h_z.tolist())
                    for j, value in enumerate(row) if value <= -4]
        if abs(int(problem.b1[bias_row])) < 4 or not negative:
            continue
        no_bias = {f"h_z-{bias_row}-0": str(int(reference.h_z[bias_row][0] - problem.b1[bias_row]))}
        i, j = negative[0]
        relu = {f"h-{i}-{j}": str(int(reference.h_z[i][j]))}
        typed = form_data(reference.as_lists(), no_bias | relu)
        marks = grade(problem, answers_from_form(problem.sizes, typed))
        named = {mark.diagnosis for _, _, _, mark in marks.cells() if mark.status == "wrong"}
        if named == {"no_bias", "relu_missed"}:
            return code, no_bias, relu
    raise AssertionError("no classic problem with both slips in 500 seeds")


def fill(page, code: str, overrides: dict[str, str]) -> None:
    solution = solve(codes.load(code).problem).as_lists()
    for name in ANSWER_NAMES:
        for i, row in enumerate(solution[name]):
            for j, value in enumerate(row):
                field = f"{name}-{i}-{j}"
                page.locator(f"#{field}").fill(overrides.get(field, str(value)))


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    """Nothing wider than the screen (a phone would zoom out to show it all)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_a_class_end_to_end(browser, class_server):
    code, no_bias, relu = slipping_problem()
    teacher_context = browser.new_context(viewport=LAPTOP)
    teacher = teacher_context.new_page()
    errors: list[str] = []
    teacher.on("pageerror", lambda error: errors.append(str(error)))

    # The teacher makes the class: everyone gets that problem.
    teacher.goto(class_server + "/classes/new")
    assert axe_violations(teacher) == []
    teacher.locator("#class-name").fill("10B: a network by hand")
    teacher.locator("#assign-codes").check()
    expect(teacher.locator("#class-preset")).to_be_hidden()
    teacher.locator("#class-codes").fill(code.lower())
    teacher.locator("#make-class").click()
    expect(teacher.locator("h1")).to_contain_text("your class is ready")
    assert axe_violations(teacher) == []
    join_url = teacher.locator("#join-url").get_attribute("href")
    assert join_url.startswith(class_server + "/c/")
    assert teacher.locator("#teacher-url").input_value().startswith(class_server + "/classes/")
    teacher.locator("#open-dashboard").click()
    expect(teacher.locator("#no-students")).to_be_visible()
    teacher.evaluate("window.__sameDocument = true")

    # Three students join from three browsers, one of them a phone.
    students = {}
    for name, viewport in (("Ada", LAPTOP), ("Ben", LAPTOP), ("Cal", PHONE)):
        phone = viewport is PHONE
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(join_url)
        page.locator("#join-name").fill(name)
        page.locator("#join").click()
        expect(page.locator(".me-name")).to_have_text(name)
        students[name] = page
    phone = students["Cal"]
    assert axe_violations(phone) == []
    no_sideways_scroll(phone)

    # They solve: Ada all right, Ben leaves out a bias, Cal too and keeps a negative through ReLU.
    slips = {"Ada": {}, "Ben": no_bias, "Cal": no_bias | relu}
    for name, page in students.items():
        page.locator(".my-problem-link").first.click()
        expect(page.locator("#class-banner")).to_contain_text("10B")
        fill(page, code, slips[name])
        page.locator("#check").click()
        expect(page.locator("#class-note")).to_have_text("Check recorded for your teacher.")
    assert axe_violations(phone) == []
    phone.goto(class_server + "/me")
    expect(phone.locator(".my-progress")).to_have_text("34 of 36 correct, 1 check")
    no_sideways_scroll(phone)

    # The dashboard shows them without a reload, with the slips the class shares.
    # (every 5 s: the last check may land just after a poll)
    expect(teacher.locator("#roster .problem-cell .score-cell")).to_have_text(
        ["36/36 ✓", "35/36", "34/36"], timeout=15_000)
    assert teacher.evaluate("window.__sameDocument") is True, "the dashboard reloaded"
    assert teacher.locator("#roster tbody tr .student-name").all_inner_texts() == ["Ada", "Ben", "Cal"]
    assert teacher.locator("#slips .slip-text").all_inner_texts() == [
        "2 of 3 left out the bias in h_z", "1 of 3 kept a negative number through ReLU in h"]
    assert axe_violations(teacher) == []

    # A click on a student: their grids, read-only, with the marks of their check.
    teacher.get_by_role("link", name="Cal", exact=True).click()
    wrong = teacher.locator("td.cell-readonly:has(.markbox.is-wrong)")
    expect(wrong).to_have_count(2)
    assert axe_violations(teacher) == []
    teacher.go_back()

    # The gradebook.
    with teacher.expect_download() as download:
        teacher.locator("#class-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Ada", "Ben", "Cal"]
    assert [row[2:4] for row in rows[1:]] == [["36", "36"], ["35", "36"], ["34", "36"]]

    # Ben goes on from another device: his work is there.
    students["Ben"].goto(class_server + "/me")
    resume = students["Ben"].locator("#resume-url").input_value()
    other = browser.new_context(viewport=PHONE).new_page()
    other.goto(resume)
    other.locator(".my-problem-link").first.click()
    field, value = next(iter(no_bias.items()))
    expect(other.locator(f"#{field}")).to_have_value(value)
    other.context.close()
    for page in (teacher, *students.values()):
        page.context.close()
    assert errors == []


def api(url: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers=headers, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def checked_class(class_server):
    """A class of three made through the API, each with a check recorded (slips included)."""
    code, no_bias, relu = slipping_problem()
    made = api(class_server + "/api/classes", {"name": "Year 10 — Thursday", "codes": [code]})
    join_code = made["join_code"]
    tokens = []
    students = (("Ada Lovelace", {}), ("Ben", no_bias), ("Cal with a rather long name", no_bias | relu))
    for name, slips in students:
        joined = api(f"{class_server}/api/classes/{join_code}/students", {"name": name})
        answers = {name_: grid for name_, grid in solve(codes.load(code).problem).as_lists().items()
                   if name_ in ANSWER_NAMES}
        for field, value in slips.items():
            matrix, i, j = field.rsplit("-", 2)
            answers[matrix][int(i)][int(j)] = int(value)
        api(f"{class_server}/api/problems/{code}/check", answers, joined["student_token"])
        tokens.append(joined["student_token"])
    return made, tokens, code


def activity(class_server: str, checked_class) -> None:
    """The first student checks their problem again: the class has something new."""
    _, tokens, code = checked_class
    answers = {name: grid for name, grid in solve(codes.load(code).problem).as_lists().items()
               if name in ANSWER_NAMES}
    assert api(f"{class_server}/api/problems/{code}/check", answers, tokens[0])["recorded"] is True


def test_a_quiet_class_is_polled_for_nothing_new(browser, class_server, checked_class):
    """While nothing happens, each poll is a 204 and nothing is drawn again; a
    check makes the next poll bring the new figures."""
    made, _, _ = checked_class
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.goto(made["teacher_url"])
    before = page.locator("#roster .cell-detail").first.inner_text()

    def poll() -> int:
        with page.expect_response(lambda response: "/live?" in response.url) as polled:
            page.evaluate("htmx.trigger(document.querySelector('[data-live]'), 'hg-refresh')")
        return polled.value.status

    # The version also changes each minute (its "4 min ago"s): a minute that turned since
    # the page was drawn makes one poll a 200 (a clean-clone run saw it), the next quiet.
    assert 204 in (poll(), poll())
    activity(class_server, checked_class)
    assert poll() == 200
    expect(page.locator("#roster .cell-detail").first).not_to_have_text(before)
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_class_pages_have_no_violations_and_fit_a_phone(browser, class_server, checked_class, scheme):
    made, tokens, code = checked_class
    teacher = browser.new_context(viewport=LAPTOP, color_scheme=scheme).new_page()
    teacher.goto(made["teacher_url"])
    expect(teacher.locator("#roster tbody tr")).to_have_count(3)
    assert axe_violations(teacher) == []
    shoot(teacher, f"dashboard-1280-{scheme}")
    teacher.set_viewport_size(PHONE)
    shoot(teacher, f"dashboard-360-{scheme}")
    # On a phone the table scrolls sideways in its box, and stays scrolled through a live swap.
    scroller = teacher.locator("#roster-scroller")
    scroller.evaluate("element => { element.scrollLeft = 120; }")
    scrolled = scroller.evaluate("element => element.scrollLeft")
    assert scrolled > 0
    activity(class_server, checked_class)  # something new, so that the live part is swapped
    with teacher.expect_response(lambda response: "/live?" in response.url and response.status == 200):
        teacher.evaluate("htmx.trigger(document.querySelector('[data-live]'), 'hg-refresh')")
    teacher.wait_for_timeout(200)
    assert teacher.locator("#roster-scroller").evaluate("element => element.scrollLeft") == scrolled
    no_sideways_scroll(teacher)
    teacher.set_viewport_size(LAPTOP)
    teacher.get_by_role("link", name="Cal with a rather long name", exact=True).click()
    assert axe_violations(teacher) == []
    shoot(teacher, f"student-grids-1280-{scheme}")
    teacher.set_viewport_size(PHONE)
    no_sideways_scroll(teacher)
    for path in ("links", "project", "close"):
        teacher.goto(f"{class_server}/classes/{made['id']}/{path}")
        no_sideways_scroll(teacher)
        teacher.set_viewport_size(LAPTOP)
        assert axe_violations(teacher) == [], path
        shoot(teacher, f"{path}-1280-{scheme}")
        teacher.set_viewport_size(PHONE)
    teacher.set_viewport_size(LAPTOP)
    teacher.goto(f"{class_server}/classes/new")
    assert axe_violations(teacher) == []
    teacher.context.close()

    student = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  color_scheme=scheme).new_page()
    student.goto(f"{class_server}/me/r/{tokens[2]}")
    expect(student.locator(".my-progress")).to_have_text("34 of 36 correct, 1 check")
    assert axe_violations(student) == []
    no_sideways_scroll(student)
    shoot(student, f"me-360-{scheme}")
    student.locator(".my-problem-link").first.click()
    expect(student.locator("#class-banner")).to_be_visible()
    assert axe_violations(student) == []
    no_sideways_scroll(student)
    shoot(student, f"practice-360-{scheme}")
    student.goto(made["join_url"])
    assert axe_violations(student) == []
    no_sideways_scroll(student)
    shoot(student, f"join-360-{scheme}")
    student.set_viewport_size(LAPTOP)
    student.goto(f"{class_server}/me")
    shoot(student, f"me-1280-{scheme}")
    student.context.close()


def test_the_live_part_pauses_while_its_tab_is_hidden(browser, class_server, checked_class):
    made, _, _ = checked_class
    page = browser.new_context(viewport=LAPTOP).new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/live?" in request.url else None)
    page.goto(made["teacher_url"])
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(5_600)  # one poll's interval and more
    assert asked == []
    # Shown again: asked at once; and the link the teacher was on keeps the focus through the swap.
    focused = page.locator("#roster .student-name a").first
    focused.focus()
    activity(class_server, checked_class)  # something new, so that the live part is swapped
    with page.expect_response(lambda response: "/live?" in response.url and response.status == 200,
                              timeout=2_000):
        page.evaluate("""() => {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
    # The server writes the time in UTC; classes.js puts it in the teacher's own time once
    # the swap is in (waited for: checking at once raced the script).
    page.wait_for_function("() => document.getElementById('live-time').textContent.startsWith('Updated')"
                           " && !document.querySelector('#live-time time').textContent.endsWith('UTC')")
    page.wait_for_timeout(200)  # the swap settles
    assert page.evaluate("document.activeElement.id") == focused.get_attribute("id")
    assert page.evaluate("document.activeElement.closest('#live') !== null")
    page.context.close()


def test_two_devices_each_see_the_newest_work(browser, class_server, checked_class):
    """This browser's typing wins while the server still holds what it last sent;
    once another device has sent newer work, the server's wins."""
    made, tokens, code = checked_class
    first, second = (browser.new_context(viewport=LAPTOP).new_page() for _ in range(2))
    for page in (first, second):
        page.goto(f"{class_server}/me/r/{tokens[0]}")
    first.goto(f"{class_server}/p/{code}")
    first.locator("#h_z-0-0").fill("5")
    first.locator("#check").click()
    expect(first.locator("#class-note")).to_have_text("Check recorded for your teacher.")
    first.locator("#h_z-0-1").fill("6")  # typed, not sent
    first.reload()
    expect(first.locator("#h_z-0-1")).to_have_value("6")
    expect(first.locator("#h_z-0-0")).to_have_value("5")

    second.goto(f"{class_server}/p/{code}")
    expect(second.locator("#h_z-0-0")).to_have_value("5")
    second.locator("#h_z-0-2").fill("7")
    second.locator("#check").click()
    expect(second.locator("#class-note")).to_have_text("Check recorded for your teacher.")
    first.reload()
    expect(first.locator("#h_z-0-2")).to_have_value("7")
    for page in (first, second):
        page.context.close()


def test_a_check_the_server_kept_nothing_of_says_so_and_the_typing_stays(browser, class_server):
    """A page too old (its CSRF cookie gone): the note under the score says nothing was
    sent, and a reload keeps what was typed, not the server's older copy. A student
    removed meanwhile: their Check says so, and the banner no longer says their checks
    go to the teacher."""
    code, _, _ = slipping_problem()
    made = api(class_server + "/api/classes", {"name": "10C", "codes": [code]})
    joined = [api(f"{class_server}/api/classes/{made['join_code']}/students", {"name": name})
              for name in ("Dee", "Eve")]
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{class_server}/me/r/{joined[0]['student_token']}")
    page.goto(f"{class_server}/p/{code}")
    page.locator("#h_z-0-0").fill("5")
    page.locator("#check").click()
    expect(page.locator("#class-note")).to_have_text("Check recorded for your teacher.")
    page.context.clear_cookies(name="handgrid_csrf")
    page.locator("#h_z-0-0").fill("6")
    page.locator("#check").click()
    expect(page.locator("#class-note")).to_have_text(
        "Not sent to your teacher: this page is too old. Reload it (what you typed stays).")
    page.reload()
    expect(page.locator("#h_z-0-0")).to_have_value("6")
    page.context.close()

    page = browser.new_context(viewport=LAPTOP).new_page()
    page.goto(f"{class_server}/me/r/{joined[1]['student_token']}")
    page.goto(f"{class_server}/p/{code}")
    expect(page.locator("#class-status")).to_have_text("your checks go to your teacher.")
    request = urllib.request.Request(
        f"{class_server}/api/classes/{made['id']}/students/{joined[1]['student_id']}", method="DELETE",
        headers={"Authorization": f"Bearer {made['teacher_token']}"})
    assert urllib.request.urlopen(request, timeout=10).status == 204
    page.locator("#check").click()
    expect(page.locator("#class-note")).to_have_text(
        "Not recorded: you are no longer in this class (you can still practise).")
    expect(page.locator("#class-status")).to_have_text(
        "you are no longer in this class, so checks are not recorded.")
    expect(page.locator("#summary .score")).to_be_visible()  # the marks came all the same
    page.context.close()


def test_the_printed_versions_say_how_to_join_in_full(browser, class_server, checked_class):
    """Every line of a printed sheet's head fits its width (the sheet is drawn at its size
    in mm): the join line names the address and the join code whole (on paper it used
    to end in "…" before the address was whole)."""
    made, _, _ = checked_class
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.goto(made["teacher_url"])
    page.goto(f"{class_server}/classes/{made['id']}/print")
    lines = page.locator(".ws-task")
    assert lines.count() >= 2 and page.locator(".ws-join-line").count() >= 1
    cut = lines.evaluate_all(
        "lines => lines.filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)")
    assert cut == []
    page.context.close()


def test_without_javascript_a_student_joins_and_checks_and_the_teacher_refreshes(browser, class_server):
    """Progressive enhancement: every step by plain forms and links, no script run."""
    code, no_bias, _ = slipping_problem()
    made = api(class_server + "/api/classes", {"name": "No script", "codes": [code]})
    student = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    student.goto(made["join_url"])
    student.locator("#join-name").fill("Dee")
    student.locator("#join").click()
    student.locator(".my-problem-link").first.click()
    fill(student, code, no_bias)
    student.locator("#check").click()  # the form posts; the whole page comes back with marks
    expect(student.locator("#class-note")).to_have_text("Check recorded for your teacher.")
    expect(student.locator("#summary .score")).to_have_text("35 of 36 correct, 1 wrong.")
    teacher = browser.new_context(viewport=LAPTOP, java_script_enabled=False).new_page()
    teacher.goto(made["teacher_url"])
    expect(teacher.locator("#roster .problem-cell .score-cell")).to_have_text("35/36")
    teacher.locator("#refresh").click()
    expect(teacher.locator("#slips .slip-text")).to_have_text(["1 of 1 left out the bias in h_z"])
    teacher.locator("#class-close").click()
    teacher.locator("#confirm").click()
    expect(teacher.locator("#class-status")).to_contain_text("Closed")
    for page in (student, teacher):
        page.context.close()
