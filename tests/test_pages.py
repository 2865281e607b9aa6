"""The practice pages through Flask's test client: the no-JavaScript path
(whole pages) and the htmx path (the fragment), read back as HTML structure."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import codes, presets
from app.core.answers import answers_from_form
from app.core.grading import grade
from app.core.problem import ANSWER_NAMES, solve
from tests.pages import answer_cells, form_data, given_matrix, number, soup, status_of

CLASSIC = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 4242))
HX = {"HX-Request": "true"}


def load(code: str):
    return codes.load(code)[1]


def test_home_redirects_to_a_new_classic_problem(client):
    first = client.get("/")
    assert first.status_code == 302
    second = client.get(first.headers["Location"])
    assert second.status_code == 302
    code = second.headers["Location"].removeprefix("/p/")
    found = codes.load(code).generated
    assert found.preset == "classic"
    assert client.get(second.headers["Location"]).status_code == 200


@pytest.mark.parametrize("preset", [p.name for p in presets.PROFILES])
def test_new_keeps_the_chosen_preset(client, preset):
    response = client.get(f"/new?preset={preset}")
    assert response.status_code == 302
    assert codes.load(response.headers["Location"].removeprefix("/p/")).generated.preset == preset


def test_new_with_custom_sizes(client):
    response = client.get("/new?inputs=2&hidden=5&outputs=1&batch=6")
    found = codes.load(response.headers["Location"].removeprefix("/p/")).generated
    assert found.sizes.as_dict() == {"inputs": 2, "hidden": 5, "outputs": 1, "batch": 6}
    page = soup(client.get(response.headers["Location"]).data)
    assert len(answer_cells(page)["h_z"]) == 5
    assert page.select_one("form.new input[name=batch]")["value"] == "6"


@pytest.mark.parametrize("query, message", [
    ("preset=huge", "Unknown preset"),
    ("inputs=7&hidden=2&outputs=2&batch=2", "inputs must be from 1 to 6, not 7"),
    ("inputs=0&hidden=2&outputs=2&batch=2", "inputs must be from 1 to 6, not 0"),
    ("inputs=x&hidden=2&outputs=2&batch=2", "whole numbers"),
    ("inputs=2", "whole numbers"),
])
def test_new_refuses_bad_requests_with_a_plain_message(client, query, message):
    response = client.get(f"/new?{query}")
    assert response.status_code == 400
    assert message in soup(response.data).select_one("[role=alert]").get_text()


def test_page_shows_every_given_matrix_in_the_staircase(client):
    problem = load(CLASSIC)
    page = soup(client.get(f"/p/{CLASSIC}").data)
    ones = [[1] * problem.sizes.batch]
    x_block = page.select_one("figure.block-X")
    assert [number for number in given_matrix(page, "X")] == problem.X.tolist()
    assert len(x_block.select("td.cell-one")) == problem.sizes.batch
    assert [th.get_text() for th in x_block.select("th")] == ["x1", "x2", "x3"]
    augmented = np.column_stack([problem.W1, problem.b1]).tolist()
    assert given_matrix(page, "W1") == augmented
    assert given_matrix(page, "W2") == np.column_stack([problem.W2, problem.b2]).tolist()
    assert len(page.select("figure.block-h td.cell-one")) == len(ones[0])
    # The bias column is set apart by a rule, in both augmented blocks.
    for key in ("W1", "W2"):
        rows = page.select(f"figure.block-{key} tbody tr")
        assert all(tr.select("td")[-1].get("class").count("rule-left") == 1 for tr in rows)


def test_page_has_a_labelled_blank_input_for_every_answer_cell(client):
    problem = load(CLASSIC)
    page = soup(client.get(f"/p/{CLASSIC}").data)
    cells = answer_cells(page)
    for name in ANSWER_NAMES:
        rows, cols = problem.sizes.answer_shape(name)
        assert [len(row) for row in cells[name]] == [cols] * rows
        for i, row in enumerate(cells[name]):
            for j, td in enumerate(row):
                field = td.select_one("input")
                assert field["name"] == f"{name}-{i}-{j}"
                assert field["value"] == ""
                assert field["aria-label"] == f"{name} row {i + 1}, column {j + 1}"
                assert status_of(td) is None


def test_numpy_view_shows_the_same_problem_with_separate_biases(client):
    problem = load(CLASSIC)
    page = soup(client.get(f"/p/{CLASSIC}?view=numpy").data)
    assert page.select_one(".equations") and not page.select_one(".staircase")
    assert given_matrix(page, "W1") == problem.W1.tolist()
    assert given_matrix(page, "b1") == [[v] for v in problem.b1.tolist()]
    assert given_matrix(page, "X") == problem.X.tolist()
    assert given_matrix(page, "b2") == [[v] for v in problem.b2.tolist()]


def test_codes_typed_loosely_redirect_to_the_canonical_address(client):
    loose = CLASSIC.replace("-", "").lower().replace("0", "o")
    response = client.get(f"/p/{loose}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/p/{CLASSIC}"


@pytest.mark.parametrize("code, words", [
    ("GAAAA-AAAAA", "typo"),
    ("X1234", "start with"),
    ("G12U4", "other than U"),
])
def test_unknown_codes_get_a_404_that_says_why(client, code, words):
    response = client.get(f"/p/{code}")
    assert response.status_code == 404
    page = soup(response.data)
    assert words in page.select_one("[role=alert]").get_text()
    assert page.select_one("#open-code")["value"] == code


def test_open_form_goes_to_the_problem_or_explains(client):
    ok = client.get("/open", query_string={"code": CLASSIC.lower()})
    assert ok.status_code == 302 and ok.headers["Location"] == f"/p/{CLASSIC}"
    bad = client.get("/open", query_string={"code": CLASSIC[:-1] + "Z" if CLASSIC[-1] != "Z" else "Y"})
    assert bad.status_code == 400
    assert "typo" in soup(bad.data).select_one("[role=alert]").get_text()


def _expected_statuses(problem, data):
    report = grade(problem, answers_from_form(problem.sizes, data))
    return {name: [[mark.status for mark in row] for row in grid] for name, grid in report.marks.items()}


def _statuses(page):
    return {name: [[status_of(td) for td in row] for row in grid]
            for name, grid in answer_cells(page).items()}


WRONG = {"h_z-0-0": "77", "h-1-1": "abc", "y-0-0": "", "y_z-1-2": "−3"}


def test_check_without_javascript_returns_the_whole_page_with_marks(client):
    problem = load(CLASSIC)
    data = form_data(solve(problem).as_lists(), WRONG) | {"action": "check"}
    response = client.post(f"/p/{CLASSIC}", data=data)
    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = soup(response.data)
    assert page.select_one("html") and page.select_one("header.top")
    assert _statuses(page) == _expected_statuses(problem, data)
    assert page.select_one("#summary .score").get_text().startswith(
        grade(problem, answers_from_form(problem.sizes, data)).summary())


def test_check_with_htmx_sends_only_the_marks_swapped_in_by_id(client):
    problem = load(CLASSIC)
    data = form_data(solve(problem).as_lists(), WRONG) | {"action": "check"}
    response = client.post(f"/p/{CLASSIC}", data=data, headers=HX)
    assert response.headers["Vary"] == "HX-Request"
    assert response.headers["HX-Reswap"] == "none"
    page = soup(response.data)
    top = [tag for tag in page.children if getattr(tag, "name", None)]
    fields = [f"{name}-{i}-{j}" for name in ANSWER_NAMES
              for i in range(problem.sizes.answer_shape(name)[0])
              for j in range(problem.sizes.answer_shape(name)[1])]
    assert [tag.get("id") for tag in top] == ["summary", "check-state"] + [f"mark-{f}" for f in fields]
    assert top[0]["hx-swap-oob"] == "innerHTML"
    assert all(tag["hx-swap-oob"] == "true" for tag in top[1:])
    assert top[1].select_one("input[name=checked]")["value"] == "1"
    # Nothing typed is sent back: it never left the page.
    assert page.select("input[name$='-0']") == []
    expected = _expected_statuses(problem, data)
    got = {f: [c[3:] for c in page.select_one(f"#mark-{f}")["class"] if c.startswith("is-")] for f in fields}
    assert got == {f"{n}-{i}-{j}": [s] for n, grid in expected.items()
                   for i, row in enumerate(grid) for j, s in enumerate(row)}


def test_other_htmx_actions_swap_the_whole_work_area(client):
    response = client.post(f"/p/{CLASSIC}", data={"h_z-0-0": "1", "view": "numpy"}, headers=HX)
    assert "HX-Reswap" not in response.headers
    page = soup(response.data)
    top = [tag for tag in page.children if getattr(tag, "name", None)]
    assert [tag.get("id") for tag in top] == ["work", "summary"]
    form = page.select_one("#work form")
    assert form["hx-post"] == form["action"] == f"/p/{CLASSIC}"
    assert form["hx-target"] == "#work" and form["hx-swap"] == "outerHTML"


def test_everything_typed_comes_back_after_a_check(client):
    typed = {"h_z-0-0": " 3 ", "h_z-0-1": "3.5", "h_z-0-2": "x" * 50, "h-0-0": "−2",
             "y-1-2": "<script>alert(1)</script>", "y_z-0-0": '"><marquee>bold</marquee>'}
    for extra, headers in (({"action": "check"}, {}), ({"view": "numpy", "checked": "1"}, HX)):
        page = soup(client.post(f"/p/{CLASSIC}", data=typed | extra, headers=headers).data)
        for field, text in typed.items():
            assert page.select_one(f"input[name='{field}']")["value"] == text
        # The payloads stayed text: no element came from them.
        assert page.select_one("marquee") is None
        assert all(script.get("src") for script in page.select("script"))


def test_invalid_entries_get_a_message_in_the_cell_and_in_the_list(client):
    page = soup(client.post(f"/p/{CLASSIC}", data={"h-1-2": "3.5", "action": "check"}).data)
    td = page.select_one("input[name='h-1-2']").parent
    assert status_of(td) == "invalid"
    assert "whole number" in td.select_one(".msg").get_text()
    # The message describes the input; it names its own status, so no extra word.
    assert td.select_one("input")["aria-describedby"] == "msg-h-1-2" == td.select_one(".msg")["id"]
    assert td.select_one(".visually-hidden") is None
    links = page.select("#summary .invalid-list a")
    assert [(a.get_text(), a["href"]) for a in links] == [("h row 2, column 3", "#h-1-2")]


def test_switching_the_view_keeps_typing_and_marks(client):
    problem = load(CLASSIC)
    data = form_data(solve(problem).as_lists(), WRONG)
    checked = soup(client.post(f"/p/{CLASSIC}", data=data | {"action": "check"}).data)
    switched = soup(client.post(f"/p/{CLASSIC}", data=data | {"checked": "1", "view": "numpy"},
                                headers=HX).data)
    assert switched.select_one(".equations") is not None
    assert _statuses(switched) == _statuses(checked)
    for field, value in data.items():
        assert switched.select_one(f"input[name='{field}']")["value"] == value


def test_switching_before_a_check_shows_no_marks(client):
    page = soup(client.post(f"/p/{CLASSIC}", data={"h_z-0-0": "1", "view": "numpy"}).data)
    assert page.select_one("input[name='h_z-0-0']")["value"] == "1"
    assert all(status_of(td) is None for grid in answer_cells(page).values() for row in grid for td in row)
    assert page.select_one("#summary").get_text().strip() == ""


def test_custom_problem_pages_work_from_their_code(client):
    problem = load(CLASSIC)
    custom = codes.display(codes.custom_code(problem))
    page = soup(client.get(f"/p/{custom}").data)
    assert given_matrix(page, "X") == problem.X.tolist()
    data = form_data(solve(problem).as_lists()) | {"action": "check"}
    checked = soup(client.post(f"/p/{custom}", data=data).data)
    statuses = {status_of(td) for grid in answer_cells(checked).values() for row in grid for td in row}
    assert statuses == {"correct"}


def test_oversized_form_gets_413_with_a_message(client):
    response = client.post(f"/p/{CLASSIC}", data={"h_z-0-0": "1" * (70 * 1024)})
    assert response.status_code == 413
    assert "64 KiB" in soup(response.data).select_one("[role=alert]").get_text()


@pytest.mark.parametrize("path", ["/", "/new", f"/p/{CLASSIC}", "/p/nope", "/healthz",
                                  "/api/problems/nope", "/static/handgrid.css"])
def test_security_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_use_no_inline_script_or_style(client):
    page = soup(client.get(f"/p/{CLASSIC}").data)
    assert all(script.get("src") and not script.string for script in page.select("script"))
    assert page.select("style") == [] and page.select("[style]") == []
    assert not any(attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs)


def test_reveal_one_matrix_shows_its_solution_and_keeps_what_was_typed(client):
    problem = load(CLASSIC)
    data = {"h_z-0-0": "41", "h-0-0": "7", "reveal": "h_z"}
    page = soup(client.post(f"/p/{CLASSIC}", data=data, headers=HX).data)
    block = page.select_one("figure.block-h_z")
    shown = [[number(td.get_text()) for td in tr.select("td.cell-revealed")]
             for tr in block.select("tbody tr")]
    assert shown == solve(problem).h_z.tolist()
    assert block.select_one(".revealed-tag").get_text() == "revealed"
    assert block.select("td.cell-revealed input")[0]["value"] == "41"  # kept, unseen
    assert page.select_one("input[name=revealed]")["value"] == "h_z"
    # The other matrices are untouched and still editable.
    assert page.select_one("input#h-0-0")["value"] == "7"
    assert page.select_one("figure.block-h td.cell-revealed") is None


def test_hide_brings_back_the_students_own_entries(client):
    page = soup(client.post(f"/p/{CLASSIC}", data={"h_z-0-0": "41", "revealed": "h_z", "hide": "h_z"}).data)
    assert page.select_one("td.cell-revealed") is None
    assert page.select_one("input#h_z-0-0")["value"] == "41"


def test_reveal_all_then_check_marks_revealed_cells_as_revealed_not_correct(client):
    problem = load(CLASSIC)
    revealed = soup(client.post(f"/p/{CLASSIC}", data={"reveal": "all"}).data)
    assert len(revealed.select("td.cell-revealed")) == problem.sizes.answer_cells()
    assert revealed.select_one("#reveal-all") is None
    data = {"revealed": ["h_z", "h", "y_z", "y"], "action": "check"}
    page = soup(client.post(f"/p/{CLASSIC}", data=data).data)
    total = problem.sizes.answer_cells()
    assert page.select_one("#summary .score").get_text() == f"0 of {total} correct, {total} revealed."
    assert {status_of(td) for td in page.select("td.cell-revealed")} == {"revealed"}


def test_unknown_matrix_names_in_reveal_are_ignored(client):
    page = soup(client.post(f"/p/{CLASSIC}", data={"reveal": "W1", "revealed": "<x>"}).data)
    assert page.select_one("td.cell-revealed") is None


def _shaded(page, kind="pair"):
    """(block, row, column) of every shaded cell (bs4 tags compare by content, hence no .index)."""
    found = set()
    for figure in page.select("figure.block"):
        key = figure["class"][1].removeprefix("block-")
        for i, tr in enumerate(figure.select("tbody tr")):
            for j, td in enumerate(tr.find_all("td")):
                if f"shade-{kind}" in td.get("class", []):
                    found.add((key, i, j))
    return found


def test_hint_shows_the_working_in_two_steps_and_shades_the_row_and_column_that_meet(client):
    from app.core.working import working
    problem = load(CLASSIC)
    worked = working(problem, "h_z", 2, 1)
    # First what to multiply and add, the results left blank: no help counted yet.
    page = soup(client.post(f"/p/{CLASSIC}", data={"action": "hint", "hint_cell": "h_z-2-1"}).data)
    assert page.select_one("#working .working-line").get_text(" ", strip=True) == f"Working {worked.setup}"
    assert page.select("input[name=helped]") == []
    inputs = problem.sizes.inputs
    expected = {("W1", 2, c) for c in range(inputs + 1)} | {("X", r, 1) for r in range(inputs + 1)}
    assert _shaded(page) == expected
    assert page.select_one("td.shade-target input")["name"] == "h_z-2-1"
    assert page.select_one("#hint-cell option[selected]")["value"] == "h_z-2-1"
    button = page.select_one("#working button[name=hint_sum]")
    assert button["value"] == "h_z-2-1"
    # Then, asked for, the sum: and the cell now counts as done with help.
    page = soup(client.post(f"/p/{CLASSIC}", data={"hint_sum": "h_z-2-1"}).data)
    assert page.select_one("#working .working-line").get_text(" ", strip=True) == f"Working {worked.text}"
    assert page.select_one("#working button[name=hint_sum]") is None
    assert [i["value"] for i in page.select("input[name=helped]")] == ["h_z-2-1"]
    assert _shaded(page) == expected


def test_cells_done_with_help_are_counted_apart_in_the_score(client):
    solution = client.get(f"/api/problems/{CLASSIC}/solution").get_json()
    data = form_data(solution) | {"action": "check", "helped": ["h_z-0-0", "h-1-1", "nonsense", "W1-0-0"]}
    page = soup(client.post(f"/p/{CLASSIC}", data=data).data)
    total = sum(len(grid) * len(grid[0]) for grid in solution.values())
    assert page.select_one("#summary .score").get_text(" ", strip=True).startswith(
        f"{total} of {total} correct (2 with help).")
    # A reveal helps with every cell of its matrix, and that help is kept after Hide.
    page = soup(client.post(f"/p/{CLASSIC}", data={"reveal": "y"}).data)
    rows, cols = len(solution["y"]), len(solution["y"][0])
    assert {i["value"] for i in page.select("input[name=helped]")} == {
        f"y-{i}-{j}" for i in range(rows) for j in range(cols)}


def test_hint_for_a_relu_cell_shades_its_pre_activation_in_numpy_view(client):
    data = {"action": "hint", "hint_cell": "y-1-0", "view": "numpy"}
    page = soup(client.post(f"/p/{CLASSIC}", data=data).data)
    assert _shaded(page) == {("y_z", 1, 0)}
    assert "ReLU(y_z row 2, column 1)" in page.select_one("#working").get_text()
    # The NumPy view spells out NumPy's own indexing, from 0, and says so.
    assert page.select_one("#working .working-numpy").get_text(" ", strip=True) == (
        "In NumPy, counting from 0: y[1, 0] = np.maximum(y_z[1, 0], 0)")


def test_hint_in_numpy_view_shades_the_separate_bias(client):
    problem = load(CLASSIC)
    data = {"action": "hint", "hint_cell": "y_z-0-2", "view": "numpy"}
    page = soup(client.post(f"/p/{CLASSIC}", data=data).data)
    hidden = problem.sizes.hidden
    assert _shaded(page) == ({("W2", 0, c) for c in range(hidden)} | {("b2", 0, 0)}
                             | {("h", r, 2) for r in range(hidden)})


@pytest.mark.parametrize("data", [
    {"action": "hint", "hint_cell": "h_z-9-9"}, {"hint": "W1-0-0"}, {"hint": "h_z-x-1"}, {"hint": "h_z"},
])
def test_hints_for_cells_that_do_not_exist_are_ignored(client, data):
    response = client.post(f"/p/{CLASSIC}", data=data)
    assert response.status_code == 200
    assert soup(response.data).select_one("#working") is None


def test_a_wrong_cell_names_its_slip_and_offers_the_working(client):
    # A classic problem with a bias too big for an adding slip to explain its absence.
    code, problem = next((code, load(code)) for code in
                         (codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, s))
                          for s in range(100)) if any(abs(b) > 3 for b in load(code).b1.tolist()))
    row = int(next(i for i, b in enumerate(problem.b1.tolist()) if abs(b) > 3))
    without_bias = int((problem.W1 @ problem.X)[row, 0])
    data = {f"h_z-{row}-0": str(without_bias), "action": "check"}
    page = soup(client.post(f"/p/{code}", data=data, headers=HX).data)
    td = page.select_one(f"#mark-h_z-{row}-0")
    assert status_of(td) == "wrong"
    assert "left out the bias" in td.select_one(".msg").get_text()
    # A named slip does not say "wrong" itself: screen readers get the word first.
    assert td.select_one(".msg").get_text().startswith("Wrong: You left out")
    assert td.select_one(".msg .visually-hidden").get_text() == "Wrong: "
    assert td.select_one(".msg button")["value"] == f"h_z-{row}-0"
    # Only wrong cells offer it.
    assert len(page.select(".msg button[name=hint]")) == 1


@pytest.mark.parametrize("data, headers", [
    ({"action": "check"}, {}),
    ({"action": "hint", "hint_cell": "h-0-0"}, HX),
    ({"reveal": "h"}, HX),
])
def test_other_buttons_keep_the_numpy_view(client, data, headers):
    page = soup(client.post(f"/p/{CLASSIC}", data=data | {"shown": "numpy"}, headers=headers).data)
    assert page.select_one(".equations") is not None and page.select_one(".staircase") is None
    assert page.select_one("input[name=shown]")["value"] == "numpy"
