"""Accessibility, checked by axe-core (from npm) in headless Chromium, and a
whole problem solved with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.problem import ANSWER_NAMES
from tests.test_browser import new_classic

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    # evaluate() runs through the DevTools protocol, outside the page's CSP,
    # so the page keeps its strict policy while axe is loaded into it.
    page.evaluate(AXE.read_text())
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => v.id + ': ' + v.help + ' @ ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""")
    return results


def fill_with(page, solution, wrong_field=None):
    for name in ANSWER_NAMES:
        for i, row in enumerate(solution[name]):
            for j, value in enumerate(row):
                field = f"{name}-{i}-{j}"
                page.locator(f"#{field}").fill("abc" if field == wrong_field else str(value))


@pytest.mark.parametrize("view", ["grid", "numpy"])
def test_practice_page_has_no_violations_before_and_after_a_check(page, server_url, view):
    code, solution = new_classic(server_url, seed=31)
    page.goto(f"{server_url}/p/{code}?view={view}")
    assert axe_violations(page) == []
    fill_with(page, solution, wrong_field="h-1-1")
    page.locator("#h_z-0-0").fill("99")
    page.locator("#check").click()
    page.locator("#summary .score").wait_for()
    assert axe_violations(page) == []


def test_revealed_solution_has_no_violations(page, server_url):
    code, _ = new_classic(server_url, seed=32)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#reveal-h_z").click()
    page.locator("figure.block-h_z .revealed-tag").wait_for()
    assert axe_violations(page) == []


def test_custom_form_has_no_violations(page, server_url):
    page.goto(server_url + "/custom")
    assert axe_violations(page) == []


def test_error_page_has_no_violations(page, server_url):
    assert page.goto(server_url + "/p/NOT-A-CODE").status == 404
    assert axe_violations(page) == []


def test_custom_form_with_an_error_has_no_violations(page, server_url):
    page.goto(server_url + "/custom")
    page.locator("#m-W2").fill("1 1 0\n-1 1 -1")
    page.get_by_role("button", name="Make the problem").click()
    page.locator("[role=alert]").wait_for()
    assert axe_violations(page) == []


def test_a_whole_problem_by_keyboard_alone(page, server_url):
    """Tab into the first cell, type each answer, Tab on (row by row through
    each grid, past its Reveal button), and press Enter to check."""
    code, solution = new_classic(server_url, seed=33)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h_z-0-0").focus()  # where a student lands after tabbing through the header
    for name in ANSWER_NAMES:
        for i, row in enumerate(solution[name]):
            for j, value in enumerate(row):
                assert page.evaluate("document.activeElement.id") == f"{name}-{i}-{j}"
                page.keyboard.type(str(value))
                page.keyboard.press("Tab")
        if name != "y":
            assert page.evaluate("document.activeElement.id") == f"reveal-{name}"
            page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back into the last cell of y
    page.keyboard.press("Enter")
    page.locator("#summary .score").wait_for()
    assert page.locator("#summary .score").inner_text() == "36 of 36 correct."
    # Focus is visible: the focused cell has an outline.
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
