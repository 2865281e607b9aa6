"""Worksheets printed from the preview: headless Chromium prints the page (its
own preview) to PDF, exactly as a teacher's Print or Save as PDF does, and
poppler's pdftotext reads it back. The server's own PDF (tests/test_pdf.py) is
the reference; this holds the preview to the same plan: the count, the paper
size, each version's code on its first page, no problem split across two
pages, and a key that agrees with the NumPy reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.core import codes
from app.core.problem import ANSWER_NAMES, solve
from app.present import printing
from tests.pdfs import numbers_after, pdf_page_sizes, pdf_pages, plan_of

pytestmark = pytest.mark.browser

CODE = re.compile(r"\bG[0-9A-Z]{4}-[0-9A-Z]{5}\b")
CLASS_SET = ("/worksheet?preset=classic&problems=2&versions=30&notation=grid&title=Unit+4+quiz"
             "&instructions=&paper=a4&key=end&seed=31337")
LETTER_NUMPY = ("/worksheet?preset=gentle&problems=3&versions=4&notation=numpy&title="
                "&instructions=Twenty+minutes.+No+calculators.&paper=letter&key=end&seed=8")


def print_to_pdf(browser, url: str, path: Path) -> int:
    """Print `url` as the browser's print does; returns how many pages the preview shows."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(url)
        preview = page.locator(".ws-page").count()
        page.pdf(path=str(path), prefer_css_page_size=True)
    finally:
        context.close()
    assert errors == []
    return preview


def problems_on(text: str) -> list[str]:
    return CODE.findall(text)


@pytest.fixture(scope="module")
def class_set(browser, server_url, tmp_path_factory):
    pdf = tmp_path_factory.mktemp("print") / "class-set.pdf"
    preview = print_to_pdf(browser, server_url + CLASS_SET, pdf)
    return plan_of(CLASS_SET), preview, pdf, pdf_pages(pdf)


def test_a_class_set_prints_one_page_per_version_and_the_key(class_set):
    plan, preview, pdf, pages = class_set
    # 30 versions of 2 classic problems: one A4 page each, then the key.
    assert [page.kind for page in plan.pages] == ["sheet"] * 30 + ["key"] * 3
    assert len(pages) == len(plan.pages) == preview
    assert pdf_page_sizes(pdf) == {(210, 297)}


def test_every_version_starts_on_its_own_page_with_its_code_and_name_fields(class_set):
    plan, _, _, pages = class_set
    version_codes = {version.code for version in plan.versions}
    assert len(version_codes) == 30
    for planned, text in zip(plan.pages, pages, strict=True):
        if planned.kind != "sheet":
            continue
        shown = {code for code in version_codes if code in text}
        assert shown == {planned.version.code}, planned.number
        if planned.part == 1:
            assert f"Version {planned.version.number} of 30 · {planned.version.code}" in text
            assert "Unit 4 quiz" in text and re.search(r"Name\s+Class\s+Date", text)
        # Nothing of the page's controls is printed.
        assert "Update preview" not in text and "Open a code\n" not in text


def test_no_problem_is_split_across_two_pages(class_set):
    plan, _, _, pages = class_set
    seen = []
    for planned, text in zip(plan.pages, pages, strict=True):
        if planned.kind != "sheet":
            continue
        codes_here = problems_on(text)
        assert codes_here == [item.code for item in planned.items]
        # The caption under y ends every problem: as many ends as starts on each page.
        assert text.count("y ReLU(y_z)") == len(codes_here)
        seen += codes_here
    assert len(seen) == len(set(seen)) == 60


def test_every_answer_in_the_printed_key_is_the_numpy_reference(class_set):
    plan, _, _, pages = class_set
    key_text = "\n".join(text for planned, text in zip(plan.pages, pages, strict=True)
                         if planned.kind == "key")
    sheet_codes = [item.code for version in plan.versions for item in version.items]
    assert problems_on(key_text) == sheet_codes
    for code in sheet_codes:
        solution = solve(codes.load(code)[1])
        expected = [value for name in ANSWER_NAMES for value in solution[name].ravel().tolist()]
        assert numbers_after(key_text, code, len(expected)) == expected, code


def test_letter_paper_numpy_notation_prints_as_planned(browser, server_url, tmp_path):
    plan = plan_of(LETTER_NUMPY)
    pdf = tmp_path / "letter.pdf"
    preview = print_to_pdf(browser, server_url + LETTER_NUMPY, pdf)
    pages = pdf_pages(pdf)
    assert len(pages) == len(plan.pages) == preview
    assert pdf_page_sizes(pdf) == {(216, 279)}
    for planned, text in zip(plan.pages, pages, strict=True):
        if planned.kind == "sheet":
            assert problems_on(text) == [item.code for item in planned.items]
            header = 1 if planned.part == 1 else 0  # the task line says "y = ReLU(y_z)" too
            assert text.count("= ReLU(y_z)") - header == len(planned.items)
            if planned.part == 1:
                assert planned.version.code in text and "Twenty minutes." in text


@pytest.mark.parametrize("query", [
    "preset=challenge&notation=grid&paper=a4",
    "preset=challenge&notation=numpy&paper=letter",
    "preset=custom&inputs=6&hidden=6&outputs=6&batch=6&notation=grid&paper=letter",
    "preset=custom&inputs=6&hidden=6&outputs=6&batch=6&notation=numpy&paper=a4",
    "preset=custom&inputs=1&hidden=6&outputs=1&batch=6&notation=grid&paper=a4",
    "preset=custom&inputs=1&hidden=1&outputs=1&batch=1&notation=grid&paper=letter",
    "preset=custom&inputs=3&hidden=6&outputs=6&batch=2&notation=numpy&paper=a4",
])
def test_the_page_plan_holds_in_chromium(page, server_url, query):
    """What Chromium lays out is never bigger than what the plan reserved."""
    long_text = f"title={'T' * 80}&instructions={'w ' * 100}"
    path = f"/worksheet?{query}&problems=2&versions=1&{long_text}&key=end&seed=4"
    page.goto(server_url + path)
    page.wait_for_url(re.compile(r"seed=4"))
    plan = plan_of(page.url)
    settings = plan.settings
    width, height, _ = printing.problem_box(settings.notation, settings.sizes, plan.sheet_layout.scale)
    measured = page.evaluate("""() => {
      const mm = px => px * 25.4 / 96;
      const box = s => [...document.querySelectorAll(s)].map(e => e.getBoundingClientRect());
      const wide = [...document.querySelectorAll('.ws-problem .staircase')]
        .map(e => Math.max(e.scrollWidth, e.getBoundingClientRect().width))
        .concat([...document.querySelectorAll('.ws-problem .ws-numpy')].map(e =>
          e.querySelector('.equations').scrollWidth + parseFloat(getComputedStyle(e).columnGap)
          + e.querySelector('.ws-tag').getBoundingClientRect().width));
      return {problem: Math.max(...box('.ws-problem').map(r => mm(r.height))),
              width: Math.max(...wide.map(mm)),
              head: mm(box('.ws-head')[0].height),
              keyhead: mm(box('.ws-key-head')[0].height) + 2,
              entry: [Math.max(...box('.ws-entry').map(r => mm(r.width))),
                      Math.max(...box('.ws-entry').map(r => mm(r.height)))]};
    }""")
    assert measured["problem"] <= height
    assert measured["width"] <= min(width, printing.paper_of(settings).content_width) + 0.5
    assert measured["head"] <= printing.header_height(settings)
    assert measured["keyhead"] <= printing.KEY_HEADER
    entry_w, entry_h = printing.key_entry_box(settings.sizes)
    assert measured["entry"][0] <= entry_w and measured["entry"][1] <= entry_h


def test_print_opens_the_print_dialog_and_download_pdf_gives_the_file(page, server_url):
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page.goto(server_url + "/worksheet?versions=2&seed=3")
    page.get_by_role("button", name="Print this page").click()
    assert page.evaluate("window.__printed") == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert page.evaluate("window.__printed") == 1  # a file, not the print dialog
    assert download.value.suggested_filename.startswith("handgrid-W")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.emulate_media(media="print")
    assert not page.locator(".ws-form").is_visible() and not page.locator("header.top").is_visible()
    assert page.locator(".ws-page").first.is_visible()


def test_without_javascript_the_pdf_is_a_plain_link_and_the_form_a_plain_form(browser, server_url):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server_url + "/worksheet?versions=2&seed=3")
        assert not page.locator("#ws-print").is_visible()
        with page.expect_download() as download:
            page.locator("#ws-pdf").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
        # Changing a setting is a plain GET form.
        page.locator("#ws-versions").fill("3")
        with page.expect_navigation():
            page.locator("#ws-update").click()
        assert "versions=3" in page.url and "seed=3" in page.url
        assert page.locator("article.ws-sheet").count() == 3
    finally:
        context.close()


def test_the_paper_line_follows_the_form_as_the_teacher_types(page, server_url):
    page.goto(server_url + "/worksheet?versions=30&problems=2&seed=3")
    line = page.locator("#ws-paper-use")
    assert "1 page per student; 33 sheets in all" in line.inner_text()
    page.locator("#ws-problems").fill("3")
    page.locator("#ws-problems").dispatch_event("change")
    expect(line).to_contain_text("2 pages per student")  # no reload: htmx swapped the line in
    assert "One more problem per sheet (4 in all) would use no more paper." in line.inner_text()
    assert page.locator("article.ws-sheet").count() == 30  # the preview waits for Update preview
    page.locator("#ws-duplex").check()
    expect(line).to_contain_text("printed on 1 sheet")


def test_a_student_opens_a_printed_code_online(page, server_url):
    page.goto(server_url + CLASS_SET)
    code = page.locator(".ws-problem .ws-code").nth(3).inner_text()
    page.locator("#open-code").fill(code.lower())
    page.locator("#open-code").press("Enter")
    page.wait_for_url(re.compile(f"/p/{code}$"))
    assert page.locator("#code").inner_text() == code


def test_the_worksheet_pages_have_no_accessibility_violations(page, server_url):
    """axe-core on the form with its local-address warning and the preview, on the
    form over a limit, and on a version's page opened from its code."""
    from tests.test_accessibility import axe_violations

    page.goto(server_url + "/worksheet?versions=2&problems=3&seed=3")
    assert page.locator("#ws-local").is_visible() and axe_violations(page) == []
    page.goto(server_url + "/worksheet?versions=61&seed=3")
    assert page.locator("[role=alert]").is_visible() and axe_violations(page) == []
    plan = plan_of("/worksheet?versions=2&problems=3&seed=3")
    page.goto(server_url + "/")
    page.locator("#open-code").fill(plan.versions[1].code)
    page.locator("#open-code").press("Enter")
    page.locator("#version-problems").wait_for()
    assert page.locator("#version-problems li").count() == 3 and axe_violations(page) == []
