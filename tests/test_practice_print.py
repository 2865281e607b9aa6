"""A practice page printed (Ctrl+P): Chromium prints it as its print dialog
does (the page's @page rules), and the PDF is read back: one page, on A4 and
Letter, the whole staircase (or the equations) with every box, and none of
the page's controls."""

from __future__ import annotations

import re

import pytest

from tests.pdfs import run

pytestmark = pytest.mark.browser

SHAPES = [  # inputs, hidden, outputs, batch: presets, and the widest and tallest custom sizes
    ("preset=classic", "grid"), ("preset=challenge", "grid"), ("preset=gentle", "numpy"),
    ("inputs=6&hidden=6&outputs=6&batch=6", "grid"), ("inputs=6&hidden=6&outputs=6&batch=6", "numpy"),
    ("inputs=6&hidden=6&outputs=6&batch=2", "grid"), ("inputs=6&hidden=6&outputs=6&batch=1", "numpy"),
    ("inputs=2&hidden=6&outputs=6&batch=6", "grid"),
]


@pytest.mark.parametrize("paper, width_mm", [("A4", 210), ("Letter", 215.9)])
@pytest.mark.parametrize("query, view", SHAPES)
def test_a_practice_page_prints_whole_on_one_page(page, server_url, tmp_path, query, view, paper, width_mm):
    page.goto(f"{server_url}/new?{query}&view={view}")
    page.wait_for_load_state("networkidle")  # the print stylesheet is fetched after the page
    code = page.locator("#code").inner_text()
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format=paper, prefer_css_page_size=True)
    info = run("pdfinfo", str(pdf))
    assert re.search(r"Pages:\s+1\n", info), info
    text = run("pdftotext", "-layout", str(pdf), "-")
    assert code in text and "ReLU(y_z)" in text
    assert not re.search(r"\b(Check|Reveal|Open a code|New problem|Show the working)\b", text), text
    # Every answer box lies inside the printable width (the page's 12 mm margins).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round((width_mm - 24) * 96 / 25.4), "height": 1000})
    right = page.evaluate("""() => Math.max(...[...document.querySelectorAll('.cell')]
        .map(cell => cell.getBoundingClientRect().right))""")
    assert right * 25.4 / 96 <= width_mm - 24
    if "preset" not in query:  # every answer box is there
        sizes = dict(part.split("=") for part in query.split("&"))
        h, o, b = (int(sizes[name]) for name in ("hidden", "outputs", "batch"))
        assert page.locator(".cell-answer").count() == 2 * h * b + 2 * o * b
