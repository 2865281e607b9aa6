"""The problem as code, end to end in Debian's headless Chromium against the real
server: from a problem to its script, the script's real output pasted back into the
grids (with and without JavaScript), fill-in-the-code with htmx, accessibility by
axe-core, and a phone's width."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import numpy as np
import pytest

from tests.test_accessibility import axe_violations
from tests.test_browser import new_classic, statuses

pytestmark = pytest.mark.browser


def run_script(server_url: str, code: str) -> str:
    with urllib.request.urlopen(f"{server_url}/p/{code}/handgrid-{code}.py", timeout=10) as response:
        script = response.read().decode()
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def test_from_a_problem_to_its_script_and_back_to_checked_grids(browser, server_url):
    code, solution = new_classic(server_url, seed=1616)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server_url)
    page = context.new_page()
    try:
        page.goto(f"{server_url}/p/{code}")
        page.locator("#code-link").click()
        page.wait_for_url(f"**/p/{code}/code")
        page.locator("#copy-script").click()
        page.get_by_role("button", name="Copied").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        with urllib.request.urlopen(f"{server_url}/p/{code}/handgrid-{code}.py", timeout=10) as response:
            assert copied == response.read().decode()
        # The student runs it and pastes everything it printed, one value spoiled.
        output = run_script(server_url, code)
        h_z = np.array(solution["h_z"])
        wrong = h_z.copy()
        wrong[0, 0] = 99
        spoiled = output.replace(str(h_z), str(wrong), 1)  # the script prints NumPy's own str()
        assert spoiled != output
        page.locator("#output").fill(spoiled)
        with page.expect_navigation():
            page.locator("#paste-check").click()
        marks = statuses(page)
        assert marks.pop("h_z-0-0") == "wrong"
        assert set(marks.values()) <= {"correct", "carried"}
        assert page.locator("#h_z-0-0").input_value() == "99"
        assert page.locator("#h-1-1").input_value() == str(solution["h"][1][1])
        # The page goes on as after a Check: fix the cell and check again, in place.
        page.locator("#h_z-0-0").fill(str(solution["h_z"][0][0]))
        page.locator("#check").click()
        page.locator("#summary .score").filter(has_text="36 of 36 correct").wait_for()
    finally:
        context.close()


def test_pasting_output_back_works_without_javascript(browser, server_url):
    code, _ = new_classic(server_url, seed=1617)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server_url}/p/{code}/code")
        assert page.locator("#copy-script").is_hidden()  # it needs a script; the downloads do not
        page.locator("#output").fill(run_script(server_url, code).replace("y =", "out:"))
        with page.expect_navigation():
            page.locator("#paste-check").click()
        assert set(statuses(page).values()) == {"correct"}
        score = " ".join(page.locator("#summary .score").inner_text().split())
        assert score == "36 of 36 correct. Next problem"
    finally:
        context.close()


def test_fill_in_the_code_is_marked_in_place(page, server_url):
    code, _ = new_classic(server_url, seed=1618)
    page.goto(f"{server_url}/p/{code}/fill")
    page.evaluate("window.__sameDocument = true")
    for field, text in {
        "h_z-0": "W1",
        "h_z-1": "x_batch",
        "h_z-2": "b1",
        "h-0": "h_z",
        "h-1": "0",
        "y_z-0": "h",
        "y_z-1": "W2",
    }.items():
        page.locator(f"#{field}").fill(text)
    page.locator("#line-y summary").click()
    page.locator("#y-line").fill("y_z * (y_z > 0)")
    page.locator("#y-line").press("Enter")
    page.locator("#code-summary .score").wait_for()
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    assert page.locator("#code-summary .score").inner_text() == "2 of 4 lines correct, 1 wrong, 1 blank."
    assert "(4, 3) and (4,) do not broadcast" in page.locator("#mark-h_z").inner_text()
    assert page.locator("#mark-y").inner_text().strip() == "Correct."
    assert page.locator("#y-line").input_value() == "y_z * (y_z > 0)"  # kept, its line still open
    # Hostile text: refused with a message, in place, and nothing typed is lost.
    page.locator("#y_z-2").fill("__import__('os')")
    page.locator("#fill-check").click()
    page.locator("#fill-error").wait_for()
    assert "dunder" in page.locator("#fill-error").inner_text()
    assert page.locator("#y_z-2").input_value() == "__import__('os')"
    assert page.locator("#h_z-0").input_value() == "W1"
    assert axe_violations(page) == []


def test_the_code_pages_have_no_accessibility_violations(page, server_url):
    code, _ = new_classic(server_url, seed=1619)
    page.goto(f"{server_url}/p/{code}/code")
    assert axe_violations(page) == []
    page.locator("#output").fill("nothing printed")
    page.locator("#paste-check").click()
    page.locator("#output-error").wait_for()
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["code", "fill"])
def test_on_a_phone_the_page_does_not_scroll_sideways(browser, server_url, path):
    code, _ = new_classic(server_url, seed=1620)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server_url}/p/{code}/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.script')).fontSize)")
        assert font >= 12  # legible: the script scrolls inside its box instead
    finally:
        context.close()
