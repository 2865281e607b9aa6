"""Worksheets without a browser: the core (settings, seeds, distinct problems,
the page plan) and the page through Flask's test client (limits, the canonical
URL, reproducibility, the key against the NumPy reference, the way back online)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from app.core import codes, presets, worksheet
from app.core.generate import MAX_SEED
from app.core.problem import ANSWER_NAMES, Sizes, solve
from app.present import printing, qr
from tests.pages import given_matrix, number, soup

ROOT = Path(__file__).resolve().parent.parent
CLASSIC_30x2 = {"preset": "classic", "problems": "2", "versions": "30", "notation": "grid", "title": "",
                "instructions": "", "paper": "a4", "key": "end", "seed": "2024"}


def url(**changes) -> str:
    query = {**CLASSIC_30x2, **changes}
    return "/worksheet?" + "&".join(f"{name}={value}" for name, value in query.items())


def settings(**changes) -> worksheet.Settings:
    return worksheet.parse({**CLASSIC_30x2, **changes}, new_seed=lambda: 1)


def alert(response) -> str:
    return soup(response.data).select_one("[role=alert]").get_text(" ", strip=True)


# --- the core ---------------------------------------------------------------


def test_defaults_and_the_canonical_query_round_trip():
    found = worksheet.parse({}, new_seed=lambda: 77)
    assert (found.preset, found.problems, found.versions, found.notation, found.paper, found.answer_key) == (
        "classic", 2, 30, "grid", "a4", "end")
    assert found.seed == 77
    assert worksheet.parse(found.query(), new_seed=lambda: 0) == found
    custom = settings(preset="custom", inputs="2", hidden="5", outputs="1", batch="6")
    assert custom.sizes == Sizes(2, 5, 1, 6)
    assert worksheet.parse(custom.query(), new_seed=lambda: 0) == custom


@pytest.mark.parametrize("changes, message", [
    ({"versions": "61"}, "Versions go from 1 to 60; 61 is over the limit."),
    ({"versions": "0"}, "Versions go from 1 to 60"),
    ({"problems": "7"}, "Problems per sheet go from 1 to 6; 7 is over the limit."),
    ({"problems": "two"}, "Problems per sheet must be a whole number from 1 to 6."),
    ({"notation": "latex"}, "The notation is one of grid, numpy."),
    ({"paper": "a3"}, "The paper size is one of a4, letter."),
    ({"key": "maybe"}, "The answer key is one of end, only, none."),
    ({"preset": "custom", "inputs": "7", "hidden": "1", "outputs": "1", "batch": "1"},
     "Sizes (inputs) go from 1 to 6; 7 is over the limit."),
    ({"title": "x" * 81}, "A title has at most 80 characters; this one has 81."),
    ({"instructions": "y" * 201}, "Instructions have at most 200 characters"),
    ({"seed": "-1"}, "Seeds go from 0 to"),
])
def test_every_limit_has_a_plain_message(changes, message):
    with pytest.raises(worksheet.WorksheetError) as raised:
        settings(**changes)
    assert any(text.startswith(message) for text in raised.value.messages), raised.value.messages


def test_every_problem_of_every_version_is_different_and_its_code_opens_it():
    sheet = printing.build(settings(problems="6", versions="60"))
    items = [item for version in sheet.versions for item in version.items]
    assert len(items) == 360
    assert len({item.code for item in items}) == 360
    assert len({item.problem for item in items}) == 360
    for item in items[::7]:
        code, problem, generated = codes.load(item.code)
        assert problem == item.problem and generated.preset == "classic"
        assert codes.display(code) == item.code


def test_versions_are_distinct_and_reproducible():
    first, again = printing.build(settings()), printing.build(settings())
    as_codes = lambda sheet: [[item.code for item in version.items] for version in sheet.versions]  # noqa: E731
    assert as_codes(first) == as_codes(again)
    assert len({tuple(codes_) for codes_ in as_codes(first)}) == 30
    assert as_codes(printing.build(settings(seed="2025"))) != as_codes(first)
    # One more version (a latecomer) leaves the first 30 as they were.
    assert as_codes(printing.build(settings(versions="31")))[:30] == as_codes(first)


def test_golden_worksheet_pins_what_a_url_means():
    """A shared worksheet URL must give the same sheets after any upgrade."""
    sheet = printing.build(settings(versions="2"))
    assert sheet.set_code == "65G0B"
    assert [[item.code for item in version.items] for version in sheet.versions] == [
        ["GDG73-M56AT", "GWF39-HN6A8"], ["GY1V8-GN6AA", "GD488-856AZ"]]
    assert [version.code for version in sheet.versions] == ["65G0B-01", "65G0B-02"]


def test_tiny_sizes_with_too_few_different_problems_are_refused():
    with pytest.raises(worksheet.WorksheetError, match="different problems"):
        printing.build(settings(preset="custom", inputs="1", hidden="1", outputs="1", batch="1",
                            problems="6", versions="60"))
    small = printing.build(settings(preset="custom", inputs="1", hidden="1", outputs="1", batch="1",
                                problems="2", versions="10"))
    assert len({item.problem for version in small.versions for item in version.items}) == 20


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("notation", ["grid", "numpy"])
@pytest.mark.parametrize("sizes", [(2, 3, 2, 2), (3, 4, 2, 3), (4, 5, 3, 4), (6, 6, 6, 6), (1, 6, 1, 6),
                                   (6, 1, 6, 1), (1, 1, 1, 1)])
def test_the_page_plan_fits_the_paper(paper, notation, sizes):
    found = settings(preset="custom", paper=paper, notation=notation, problems="6", versions="3",
                     instructions="z" * 200, title="t" * 80,
                     **dict(zip(("inputs", "hidden", "outputs", "batch"), map(str, sizes), strict=True)))
    plan = printing.sheet_layout(found)
    width, height, _ = printing.problem_box(found, plan.scale)
    size = printing.paper_of(found)
    room = size.content_height
    assert width <= size.content_width
    assert printing.header_height(found) + plan.first_page * height <= room
    assert printing.RUNNING_HEADER + plan.next_pages * height <= room
    key = printing.key_layout(found)
    entry_w, entry_h = printing.key_entry_box(found.sizes)
    assert key.columns * entry_w + (key.columns - 1) * printing.KEY_COL_GAP <= size.content_width
    assert printing.KEY_HEADER + key.rows * entry_h + (key.rows - 1) * printing.KEY_ROW_GAP <= room


def test_presets_keep_handwriting_boxes():
    for profile in presets.PROFILES:
        for notation in worksheet.NOTATIONS:
            plan = printing.sheet_layout(settings(preset=profile.name, notation=notation))
            assert printing.ANSWER_W * plan.scale / 100 >= 9.0, (profile.name, notation)


def test_pages_follow_the_plan():
    sheet = printing.build(settings())
    assert sheet.sheet_layout.first_page == 2  # two classic problems on one A4 page
    assert [page.kind for page in sheet.pages] == ["sheet"] * 30 + ["key"] * 4
    only_key = printing.build(settings(key="only"))
    assert {page.kind for page in only_key.pages} == {"key"}
    no_key = printing.build(settings(key="none", problems="5"))
    assert len(no_key.pages) == 30 * 3 and {page.parts for page in no_key.pages} == {3}


def test_the_stylesheet_draws_with_the_models_sizes():
    """static/worksheet.css prints what the plan reserved room for: its size
    variables, scale classes, paper sizes and margins are the model's."""
    css = (ROOT / "static" / "worksheet.css").read_text()
    variables = re.search(r"\.ws-doc \{(.*?)\}", css, re.S).group(1)
    sizes = {}
    for name, value in re.findall(r"(--[\w-]+):\s*([^;]+);", variables):
        scaled = re.fullmatch(r"calc\(([\d.]+)mm \* var\(--s\)\)", value)
        fixed = re.fullmatch(r"([\d.]+)mm", value)
        if scaled or fixed:
            sizes[name] = (float((scaled or fixed).group(1)), scaled is not None)
    assert sizes == printing.CSS_SIZES
    scales = {int(percent): float(factor) for percent, factor
              in re.findall(r"\.ws-doc\.scale-(\d+) \{ --s: ([\d.]+); \}", css)}
    assert {100, *scales} == set(printing.SCALES)
    assert all(factor == percent / 100 for percent, factor in scales.items())
    for key, paper in printing.PAPERS.items():
        assert f"@page {key} {{ size: {paper.name}; margin: {paper.margin:g}mm; }}" in css
    a4, letter = printing.PAPERS["a4"], printing.PAPERS["letter"]  # the preview's sheets of paper
    assert f"width: {a4.width:g}mm; min-height: {a4.height:g}mm; padding: {a4.margin:g}mm;" in css
    assert f".paper-letter .ws-page {{ width: {letter.width:g}mm; min-height: {letter.height:g}mm; }}" in css


# --- the page ---------------------------------------------------------------


def test_a_missing_seed_redirects_to_the_url_with_every_setting(client):
    response = client.get("/worksheet")
    assert response.status_code == 302
    query = dict(parse_qsl(urlsplit(response.headers["Location"]).query, keep_blank_values=True))
    assert set(query) == {"preset", "problems", "versions", "notation", "title", "instructions",
                          "paper", "key", "seed"}
    assert 0 <= int(query["seed"]) <= MAX_SEED
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_form_submission_lands_on_the_canonical_url(client):
    # The form sends the size fields too; a preset does not need them.
    response = client.get(url(inputs="3", hidden="4", outputs="2", batch="3"))
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert dict(parse_qsl(location.query, keep_blank_values=True)) == CLASSIC_30x2


def test_the_same_url_gives_the_same_bytes(client):
    first, second = client.get(url()), client.get(url())
    assert first.status_code == 200
    assert first.data == second.data
    assert client.get(url(seed="2025")).data != first.data


@pytest.mark.parametrize("query, message", [
    ("versions=61", "Versions go from 1 to 60"),
    ("problems=7", "Problems per sheet go from 1 to 6"),
    ("problems=7&versions=61", "Versions go from 1 to 60"),
])
def test_over_the_limits_the_page_says_the_limit_and_keeps_the_form(client, query, message):
    response = client.get(f"/worksheet?{query}&title=Quiz+3&seed=5")
    assert response.status_code == 400
    assert message in alert(response)
    page = soup(response.data)
    assert page.select_one("#ws-title")["value"] == "Quiz 3"
    typed = dict(part.split("=") for part in query.split("&"))
    for name, value in typed.items():
        assert page.select_one(f"input[name={name}]")["value"] == value
    assert page.select(".ws-page") == []


def test_sheets_are_paper_with_a_header_codes_and_qr_codes(client):
    response = client.get(url(versions="3", title="Unit 4 quiz", instructions="Show your work."))
    page = soup(response.data)
    doc = page.select_one(".ws-doc")
    assert doc.select("input") == [] and doc.select("button") == []
    sheets = doc.select("article.ws-sheet")
    assert len(sheets) == 3
    found = printing.build(settings(versions="3", title="Unit 4 quiz", instructions="Show your work."))
    for article, version in zip(sheets, found.versions, strict=True):
        head = article.select_one(".ws-head")
        assert head.select_one(".ws-title").get_text() == "Unit 4 quiz"
        assert head.select_one(".ws-version-code").get_text() == version.code
        assert [f.get_text() for f in head.select(".ws-field")] == ["Name", "Class", "Date"]
        assert "Show your work." in head.get_text()
        problems = article.select("section.ws-problem")
        assert [p["data-code"] for p in problems] == [item.code for item in version.items]
        for section, item in zip(problems, version.items, strict=True):
            assert section.select_one(".ws-code").get_text() == item.code
            # The given matrices as on screen, blanks where the answers go.
            assert given_matrix(section, "X") == item.problem.X.tolist()
            W1b1 = np.column_stack([item.problem.W1, item.problem.b1]).tolist()
            assert given_matrix(section, "W1") == W1b1
            for name in ANSWER_NAMES:
                cells = section.select(f"figure.block-{name} td.cell-answer")
                assert len(cells) == np.prod(item.problem.sizes.answer_shape(name))
                assert all(cell.get_text(strip=True) == "" for cell in cells)
            svg = section.select_one(".ws-qr svg")
            assert svg is not None and svg.get("viewbox") and not svg.find_all(style=True)
            link = f"http://localhost/p/{item.code}"
            assert section.select_one(".ws-qr")["aria-label"] == f"QR code of {link}"
            assert str(qr.qr_svg(link)) in response.get_data(as_text=True)


def test_no_inline_styles_or_scripts(client):
    page = soup(client.get(url(versions="2")).data)
    assert page.find_all(style=True) == []
    assert [s for s in page.find_all("script") if not s.get("src")] == []
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


def key_entries(html: bytes) -> dict[str, dict[str, list[list[int]]]]:
    entries = {}
    for entry in soup(html).select(".ws-key-page .ws-entry"):
        code = entry.select_one(".ws-code").get_text()
        entries[code] = {
            name: [[number(td.get_text()) for td in tr.select("td")]
                   for tr in entry.select(f"figure.block-{name} tbody tr")]
            for name in ANSWER_NAMES}
    return entries


def test_the_key_matches_the_numpy_reference_for_every_code(client):
    response = client.get(url())
    entries = key_entries(response.data)
    sheet_codes = [s["data-code"] for s in soup(response.data).select(".ws-sheet .ws-problem")]
    assert list(entries) == sheet_codes and len(entries) == 60
    for code, answers in entries.items():
        solution = solve(codes.load(code)[1])
        for name in ANSWER_NAMES:
            assert answers[name] == solution[name].tolist(), (code, name)


def test_the_key_alone_and_the_sheets_alone(client):
    only = soup(client.get(url(key="only")).data)
    assert only.select(".ws-sheet") == [] and len(only.select(".ws-entry")) == 60
    none = soup(client.get(url(key="none")).data)
    assert none.select(".ws-key-page") == [] and len(none.select(".ws-sheet")) == 30


def test_a_student_types_a_sheet_code_and_gets_that_problem(client):
    page = soup(client.get(url(versions="1")).data)
    section = page.select_one(".ws-problem")
    typed = section["data-code"].lower().replace("-", " ")
    response = client.get(f"/open?code={typed}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/p/{section['data-code']}")
    practice = soup(client.get(response.headers["Location"]).data)
    assert given_matrix(practice, "W1") == given_matrix(section, "W1")
    assert given_matrix(practice, "X") == given_matrix(section, "X")


def test_the_practice_page_links_to_worksheets(client):
    practice = client.get(client.get("/new").headers["Location"])
    assert soup(practice.data).select_one("header.top a[href='/worksheet']").get_text() == "Worksheets"


def test_the_largest_worksheet_renders_in_a_few_seconds(client):
    client.get(url(versions="1"))  # templates compiled
    start = time.perf_counter()
    response = client.get(url(problems="6", versions="60", preset="challenge", seed="9"))
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    assert len(re.findall(rb'class="ws-problem"', response.data)) == 360
    assert elapsed < 8, f"{elapsed:.1f} s"
