"""Accessibility, checked by axe-core (from npm) in headless Chromium, and a
whole problem solved with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

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


SCHEMES = ["light", "dark"]  # the reader's prefers-color-scheme: both must pass


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("view", ["grid", "numpy"])
def test_practice_page_has_no_violations_before_and_after_a_check(page, server_url, view, scheme):
    page.emulate_media(color_scheme=scheme)
    code, solution = new_classic(server_url, seed=31)
    page.goto(f"{server_url}/p/{code}?view={view}")
    expect(page.locator("#intro")).to_have_attribute("open", "")  # a first visit: the how-to is open
    assert axe_violations(page) == []
    fill_with(page, solution, wrong_field="h-1-1")
    page.locator("#h_z-0-0").fill("99")
    page.locator("#check").click()
    page.locator("#summary .score").wait_for()
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_revealed_solution_and_the_working_have_no_violations(page, server_url, scheme):
    page.emulate_media(color_scheme=scheme)
    code, _ = new_classic(server_url, seed=32)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#hint").click()
    page.locator("#show-sum").click()
    page.locator("#working .working-line").wait_for()
    assert axe_violations(page) == []
    page.locator("#reveal-h_z").click()
    page.locator("figure.block-h_z .revealed-tag").wait_for()
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_custom_form_has_no_violations(page, server_url, scheme):
    page.emulate_media(color_scheme=scheme)
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
    """Tab into the first cell, type each answer and Tab on: row by row through
    each grid and straight on to the next grid's first cell; after the last
    cell, Tab reaches Check, and Enter (in a cell or on Check) checks. Once all
    is right, the Next problem link takes the focus."""
    code, solution = new_classic(server_url, seed=33)
    page.goto(f"{server_url}/p/{code}")
    page.locator("#h_z-0-0").focus()  # where a student lands after tabbing through the header
    for name in ANSWER_NAMES:
        for i, row in enumerate(solution[name]):
            for j, value in enumerate(row):
                assert page.evaluate("document.activeElement.id") == f"{name}-{i}-{j}"
                page.keyboard.type(str(value))
                page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "check"
    page.keyboard.press("Shift+Tab")  # back into the last cell of y
    assert page.evaluate("document.activeElement.id") == "y-1-2"
    page.keyboard.press("Enter")
    page.locator("#summary .score").wait_for()
    assert " ".join(page.locator("#summary .score").inner_text().split()) == "36 of 36 correct. Next problem"
    expect(page.locator("#next-problem")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: code not in url and "/p/" in url)
    assert page.locator("#preset").input_value() == "classic"
