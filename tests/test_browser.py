"""End to end, as a student works: a real headless Chromium against the app
served the way `make run` serves it (python -m app.server)."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from app.core.matrixtext import rows_of
from app.core.problem import ANSWER_NAMES

pytestmark = pytest.mark.browser


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def new_classic(server_url: str, seed: int) -> tuple[str, dict]:
    request = urllib.request.Request(
        server_url + "/api/problems", data=json.dumps({"preset": "classic", "seed": seed}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        code = json.load(response)["code"]
    return code, fetch_json(f"{server_url}/api/problems/{code}/solution")


def fill(page, solution: dict, overrides: dict) -> dict:
    """Type every answer as a student would (keystrokes, not value setting)."""
    typed = {}
    for name in ANSWER_NAMES:
        for i, row in enumerate(solution[name]):
            for j, value in enumerate(row):
                field = f"{name}-{i}-{j}"
                text = overrides.get(field, str(value))
                page.locator(f"#{field}").press_sequentially(text)
                typed[field] = text
    return typed


def statuses(page) -> dict:
    return page.eval_on_selector_all(
        "td.cell-answer",
        """cells => Object.fromEntries(cells.map(td => [td.querySelector('input').name,
             [...td.classList, ...(td.querySelector('.markbox')?.classList || [])]
               .filter(c => c.startsWith('is-')).map(c => c.slice(3)).join()]))""")


def test_student_solves_a_problem_and_marks_arrive_without_a_reload(page, server_url):
    code, solution = new_classic(server_url, seed=2024)
    page.goto(f"{server_url}/p/{code}")
    assert page.locator("#code").inner_text() == code
    # h_z[0][0] wrong by 10, and h[0][0] its ReLU: a carried-forward cell.
    wrong = solution["h_z"][0][0] + 10
    overrides = {"h_z-0-0": str(wrong), "h-0-0": str(max(wrong, 0)), "y-1-1": "abc"}
    typed = fill(page, solution, overrides)
    page.evaluate("window.__sameDocument = true")

    page.locator("#check").click()
    page.locator("#summary .score").wait_for()

    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    marks = statuses(page)
    expected_carried = "correct" if max(wrong, 0) == solution["h"][0][0] else "carried"
    assert marks.pop("h_z-0-0") == "wrong"
    assert marks.pop("h-0-0") == expected_carried
    assert marks.pop("y-1-1") == "invalid"
    assert set(marks.values()) == {"correct"}
    total = sum(len(row) for name in ANSWER_NAMES for row in solution[name])
    carried = 1 if expected_carried == "carried" else 0
    assert page.locator("#summary .score").inner_text() == (
        f"{total - 2 - carried} of {total} correct, "
        + ("1 carried forward, " if carried else "") + "1 wrong, 1 invalid.")
    for field, text in typed.items():
        assert page.locator(f"#{field}").input_value() == text
    # A mark is a symbol and words, not colour alone; screen readers get the words
    # (the input's description), not the symbol, and no status twice ("correct: Correct.").
    def symbol(field):
        return page.evaluate(f"getComputedStyle(document.getElementById('mark-{field}'), '::before').content")
    assert symbol("h_z-0-0").startswith('"✗"') and symbol("h_z-0-1").startswith('"✓"')
    expect(page.locator("#h_z-0-0")).to_have_accessible_description(
        re.compile(r"^(Wrong: .+|Not right: work this cell again\.) Show the working$"))
    expect(page.locator("#h_z-0-1")).to_have_accessible_description("Correct.")


def test_enter_in_a_cell_checks(page, server_url):
    code, solution = new_classic(server_url, seed=7)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h_z-0-0").press_sequentially(str(solution["h_z"][0][0]))
    page.locator("#h_z-0-0").press("Enter")
    page.locator("#summary .score").wait_for()
    assert statuses(page)["h_z-0-0"] == "correct"
    assert page.locator("#summary .score").inner_text().startswith("1 of 36 correct")
    # The marks came in around the input: the student is still in the same cell.
    assert page.evaluate("document.activeElement.id") == "h_z-0-0"


def test_without_javascript_the_form_posts_and_the_page_comes_back_marked(browser, server_url):
    code, solution = new_classic(server_url, seed=99)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server_url}/p/{code}")
        typed = fill(page, solution, {"y_z-0-0": "12345"})
        with page.expect_navigation():
            page.locator("#check").click()
        marks = statuses(page)
        assert marks.pop("y_z-0-0") == "wrong"
        assert set(marks.values()) == {"correct"}
        assert page.locator("#y_z-0-0").input_value() == typed["y_z-0-0"]
    finally:
        context.close()


def test_view_switch_keeps_what_was_typed(page, server_url):
    code, solution = new_classic(server_url, seed=5)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h-2-1").press_sequentially("-4")
    page.locator("#switch-view").click()
    page.locator(".equations").wait_for()
    assert page.locator("#h-2-1").input_value() == "-4"
    page.locator("#switch-view").click()
    page.locator(".staircase").wait_for()
    assert page.locator("#h-2-1").input_value() == "-4"


def test_new_problem_keeps_the_preset(page, server_url):
    page.goto(f"{server_url}/new?preset=challenge")
    first = page.locator("#code").inner_text()
    page.get_by_role("button", name="New problem", exact=True).click()
    page.wait_for_url(lambda url: first not in url)
    assert page.locator("#preset").input_value() == "challenge"
    assert page.locator("figure.block-h_z tbody tr").count() == 5


def test_staircase_geometry_follows_the_ai_by_hand_layout(page, server_url):
    code, _ = new_classic(server_url, seed=11)
    page.goto(f"{server_url}/p/{code}")

    def box(selector):
        return page.locator(selector).bounding_box()

    x, w1, h_z, h, w2, y_z, y = (box(f"figure.block-{k} table") for k in
                                 ("X", "W1", "h_z", "h", "W2", "y_z", "y"))
    # h_z sits under X and right of [W1 | b1], its rows level with W1's.
    assert abs(h_z["x"] - x["x"]) < 2 and h_z["y"] > x["y"] + x["height"] - 2
    assert w1["x"] + w1["width"] <= h_z["x"] and abs(w1["y"] - h_z["y"]) < 2
    # h to the right of h_z; y_z under h; [W2 | b2] left of y_z, level with it; y right of y_z.
    assert h["x"] > h_z["x"] + h_z["width"] and abs(h["y"] - h_z["y"]) < 2
    assert abs(y_z["x"] - h["x"]) < 2 and y_z["y"] >= h["y"] + h["height"] - 2
    assert w2["x"] + w2["width"] <= y_z["x"] and abs(w2["y"] - y_z["y"]) < 2
    assert y["x"] > y_z["x"] + y_z["width"] and abs(y["y"] - y_z["y"]) < 2
    # Each X column lines up with the h_z column under it.
    xs = page.locator("figure.block-X tbody tr:first-child td")
    hs = page.locator("figure.block-h_z tbody tr:first-child td")
    for j in range(3):
        assert abs(xs.nth(j).bounding_box()["x"] - hs.nth(j).bounding_box()["x"]) < 2


def test_phone_screen_keeps_the_page_in_width_and_digits_legible(browser, server_url):
    code, _ = new_classic(server_url, seed=3)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{server_url}/p/{code}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        sizes = page.eval_on_selector_all(
            "td.cell-given, td.cell-answer input",
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert min(sizes) >= 16
        # Every grid of the classic problem is fully in view, no sideways scrolling needed.
        scroller = page.locator(".scroller")
        assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth")
    finally:
        context.close()


def test_arrow_keys_move_between_cells_and_respect_the_caret(page, server_url):
    code, _ = new_classic(server_url, seed=21)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h_z-1-1").click()
    page.keyboard.type("12")
    page.keyboard.press("ArrowLeft")  # caret moves inside "12": stays in the cell
    assert page.evaluate("document.activeElement.id") == "h_z-1-1"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # now at the start: leaves to the left
    assert page.evaluate("document.activeElement.id") == "h_z-1-0"
    page.keyboard.press("ArrowRight")  # the whole text is selected on arrival: caret at the end
    assert page.evaluate("document.activeElement.id") == "h_z-1-1"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "h_z-2-1"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "h_z-0-1"
    page.keyboard.press("ArrowUp")  # the edge of the grid: stays
    assert page.evaluate("document.activeElement.id") == "h_z-0-1"
    assert page.locator("#h_z-1-1").input_value() == "12"
    # Arriving in a filled cell selects its text; one press of Left or Right leaves it.
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "h_z-1-1"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == "h_z-1-0"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "h_z-1-2"
    assert page.locator("#h_z-1-1").input_value() == "12"


def test_tab_goes_through_a_grid_row_by_row(page, server_url):
    code, _ = new_classic(server_url, seed=22)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h_z-0-0").focus()
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == ["h_z-0-1", "h_z-0-2", "h_z-1-0", "h_z-1-1", "h_z-1-2"]


@pytest.mark.parametrize("text", [
    "[[-1 -5 -5]\n [ 3  2  1]]",
    "[[-1 -5 -5] [ 3 2 1]]",
    "-1, -5, -5\n3, 2, 1",
    "-1\t-5\t-5\r\n3\t2\t1\r\n",
])
def test_pasting_a_matrix_fills_the_grid_from_that_cell(page, server_url, text):
    code, _ = new_classic(server_url, seed=23)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h-1-0").focus()
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""", text)
    values = [[page.locator(f"#h-{i}-{j}").input_value() for j in range(3)] for i in range(4)]
    assert values == [["", "", ""], ["-1", "-5", "-5"], ["3", "2", "1"], ["", "", ""]]


# matrixtext.rows_of owns how text splits into rows of values (the custom form's
# boxes); handgrid.js repeats the rule for pasting into a grid and must agree.
SPLITS = ["1 2 3\n4 5 6", "1,2,3\r\n\r\n4, 5, 6\n", "1\t2\n3\t4", "[[-1 -5 -5]\n [ 3  2  1]]",
          "array([[1, 2], [3, 4]])", "1; 2", "[[7 8] [9 10]]", " 7 \n\n 8;9 "]


def test_pasting_splits_text_as_the_custom_form_reads_it(page, server_url):
    code, _ = new_classic(server_url, seed=27)
    page.goto(f"{server_url}/p/{code}")
    for text in SPLITS:
        rows = rows_of(text)
        grid = page.evaluate(
            """text => {
                const cells = [...document.querySelectorAll('input[data-matrix="h"]')];
                cells.forEach(cell => { cell.value = ''; });
                const data = new DataTransfer();
                data.setData('text/plain', text);
                document.getElementById('h-0-0').dispatchEvent(
                    new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
                const at = (i, j) => document.getElementById(`h-${i}-${j}`).value;
                return [0, 1, 2, 3].map(i => [0, 1, 2].map(j => at(i, j)));
            }""", text)
        expected = [[rows[i][j] if i < len(rows) and j < len(rows[i]) else "" for j in range(3)]
                    for i in range(4)]
        assert grid == expected, text


def test_reveal_and_hide_keep_the_students_typing(page, server_url):
    code, solution = new_classic(server_url, seed=24)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#y-0-0").press_sequentially("8")
    page.locator("#reveal-y").click()
    page.locator("figure.block-y .revealed-tag").wait_for()
    shown = page.locator("figure.block-y td.cell-revealed").first.inner_text()
    assert int(shown.replace("\u2212", "-")) == solution["y"][0][0]
    page.locator("#hide-y").click()
    page.locator("input#y-0-0").wait_for()  # until the swap: the revealed <td> has that id too
    assert page.locator("#y-0-0").input_value() == "8"


def test_hint_menu_follows_the_focused_cell_and_the_working_arrives_in_place(page, server_url):
    code, solution = new_classic(server_url, seed=25)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#y_z-1-2").press_sequentially("7")
    page.evaluate("window.__sameDocument = true")
    assert page.locator("#hint-cell").input_value() == "y_z-1-2"
    page.locator("#hint").click()
    page.locator("#working").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    # First what to multiply, the results left blank; the sum only when asked for.
    answer = f"= {solution['y_z'][1][2]}".replace("-", "\u2212")
    text = page.locator("#working p").first.inner_text()
    assert text.startswith("Working") and text.endswith("= ___") and not text.endswith(answer)
    assert page.locator("#y_z-1-2").input_value() == "7"
    assert page.locator("figure.block-W2 tbody tr").nth(1).locator("td.shade-pair").count() == 5
    page.locator("#show-sum").click()
    expect(page.locator("#working p").first).to_have_text(re.compile(re.escape(answer) + "$"))
    assert page.locator("#y_z-1-2").input_value() == "7"


def test_cells_bring_up_a_keyboard_with_a_minus_sign(browser, server_url):
    # iOS's numeric and decimal pads have no minus key, so the cells keep the
    # ordinary keyboard (which has one) and only switch off its corrections.
    code, _ = new_classic(server_url, seed=26)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server_url}/p/{code}")
        modes = page.eval_on_selector_all("td.cell-answer input",
                                          "els => els.map(e => [e.type, e.inputMode])")
        assert {tuple(mode) for mode in modes} == {("text", "")}
        page.locator("#h_z-0-0").tap()
        page.keyboard.type("−3")
        assert page.locator("#h_z-0-0").input_value() == "−3"
    finally:
        context.close()
