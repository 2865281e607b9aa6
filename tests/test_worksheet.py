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

from app.core import codes, examples, presets, worksheet
from app.core.generate import MAX_SEED
from app.core.problem import ANSWER_NAMES, Sizes, solve
from app.present import printing, qr
from tests.pages import given_matrix, number, soup

ROOT = Path(__file__).resolve().parent.parent
CLASSIC_30x2 = {"preset": "classic", "problems": "2", "versions": "30", "notation": "grid", "title": "",
                "instructions": "", "paper": "a4", "key": "end", "duplex": "off", "gen": "1", "seed": "2024"}


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
    assert [[item.code for item in version.items] for version in sheet.versions] == [
        ["GDG73-M56AT", "GWF39-HN6A8"], ["GY1V8-GN6AA", "GD488-856AZ"]]
    # The set code holds the settings and seed (scheme W); what it means is pinned too.
    assert sheet.set_code == "W0A00-0ZM0J-100D"
    assert [version.code for version in sheet.versions] == ["W0A00-0ZM0J-100D-012", "W0A00-0ZM0J-100D-024"]
    # The same URL without "gen" (made before generators had versions) means generator 1.
    old = {name: value for name, value in CLASSIC_30x2.items() if name not in ("gen", "duplex")}
    assert worksheet.parse({**old, "versions": "2"}, new_seed=lambda: 0) == settings(versions="2")


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
    sheet = printing.build(found)
    plan = sheet.sheet_layout
    width, height, _ = printing.problem_box(notation, found.sizes, plan.scale)
    size = printing.paper_of(found)
    room = size.content_height
    assert width <= size.content_width
    for page in sheet.pages:
        if page.kind == "sheet":
            header = printing.header_height(found) if page.part == 1 else printing.RUNNING_HEADER
            assert header + len(page.items) * height + page.working <= room + 0.01
            assert page.items or page.working  # never an empty page
    key = sheet.key_layout
    entry_w, entry_h = printing.key_entry_box(found.sizes)
    assert key.columns * entry_w + (key.columns - 1) * printing.KEY_COL_GAP <= size.content_width
    assert printing.KEY_HEADER + key.rows * entry_h + (key.rows - 1) * printing.KEY_ROW_GAP <= room


def test_answer_boxes_stay_wide_enough_for_handwriting():
    """Every preset, in both notations and on both papers, keeps answer boxes 8 mm
    wide or wider; only sizes that fit no page at that width go below, and say so."""
    for profile in presets.PROFILES:
        for notation in worksheet.NOTATIONS:
            for paper in worksheet.PAPERS:
                for problems in ("1", "3", "6"):
                    found = printing.build(settings(preset=profile.name, notation=notation, paper=paper,
                                                    problems=problems, versions="2"))
                    assert found.sheet_layout.answer_width >= printing.MIN_ANSWER_W, (profile.name, notation)
                    assert not found.paper_use.below_floor
    largest = printing.build(settings(preset="custom", inputs="6", hidden="6", outputs="6", batch="6",
                                      versions="1", problems="1"))
    assert largest.sheet_layout.below_floor and largest.paper_use.below_floor
    assert largest.sheet_layout.answer_width < printing.MIN_ANSWER_W


@pytest.mark.parametrize("paper, per_page", [("a4", 2), ("letter", 1)])
def test_a_page_holds_as_many_problems_as_fit(paper, per_page):
    """Classic stays at 2 a page; challenge goes to 2 a page on A4 (on Letter, the
    header leaves room for one only at the first page)."""
    classic = printing.build(settings(paper=paper, problems="4", versions="2"))
    assert [len(page.items) for page in classic.pages if page.kind == "sheet"] == [2, 2, 2, 2]
    challenge = printing.build(settings(preset="challenge", paper=paper, problems="2", versions="2"))
    first_pages = [len(page.items) for page in challenge.pages if page.kind == "sheet" and page.part == 1]
    assert first_pages == [per_page, per_page]
    if paper == "a4":
        assert challenge.sheet_layout.answer_width >= printing.MIN_ANSWER_W
        assert challenge.paper_use.pages_per_version == 1


def test_the_paper_line_says_when_one_more_problem_is_free():
    three = printing.build(settings(problems="3", versions="30"))
    assert three.paper_use.pages_per_version == 2 and three.paper_use.one_more_free
    # 30 versions of 2 pages, and the key: 90 entries at 20 a page.
    assert three.paper_use.sheets == 60 + 5 and three.paper_use.key_pages == 5
    four = printing.build(settings(problems="4", versions="30"))
    assert four.paper_use.pages_per_version == 2 and not four.paper_use.one_more_free
    listed = printing.build(settings(codes=codes.display(codes.generated_code(presets.DEFAULT,
                                                                              presets.DEFAULT.sizes, 5))))
    assert not listed.paper_use.one_more_free  # every version gets exactly the list: nothing to add


@pytest.mark.parametrize("changes", [
    {"problems": "3"}, {"problems": "5", "duplex": "on"}, {"preset": "challenge", "paper": "letter"},
    {"codes": examples.tom_yeh_code(), "mix": "mix", "problems": "4", "key": "only"},
    {"preset": "custom", "inputs": "6", "hidden": "6", "outputs": "6", "batch": "6", "key": "none"},
])
def test_the_paper_line_is_known_before_the_problems_are_made(changes):
    """paper_use (what the form shows as settings change) counts what build prints."""
    found = settings(versions="7", **changes)
    built = printing.build(found)
    use = printing.paper_use(found)
    assert use == built.paper_use
    sheets = [page for page in built.pages if page.kind == "sheet"]
    assert len(sheets) == use.pages_per_version * 7 * (found.answer_key != "only")
    assert len(built.pages) - len(sheets) == use.key_pages


def test_the_rest_of_a_versions_last_page_is_room_for_working():
    three = printing.build(settings(problems="3", versions="2"))
    sheets = [page for page in three.pages if page.kind == "sheet"]
    assert [page.working > 0 for page in sheets] == [False, True, False, True]
    room = printing.paper_of(three.settings).content_height - printing.RUNNING_HEADER
    box_h = printing.problem_box("grid", three.settings.sizes, three.sheet_layout.scale)[1]
    assert sheets[1].working == pytest.approx(room - box_h)
    full = printing.build(settings(problems="2", versions="2"))
    assert all(page.working == 0 for page in full.pages)  # less than WORKING_MIN left


def test_double_sided_pads_every_version_to_an_even_number_of_pages():
    one_sided = printing.build(settings(problems="5", versions="4"))
    two_sided = printing.build(settings(problems="5", versions="4", duplex="on"))
    assert one_sided.paper_use.pages_per_version == 3
    assert two_sided.paper_use.pages_per_version == 4 and two_sided.paper_use.sheets_per_version == 2
    for version in two_sided.versions:
        pages = [page for page in two_sided.pages if page.version is version]
        assert len(pages) == 4 and [page.part for page in pages] == [1, 2, 3, 4]
        assert pages[-1].items == [] and pages[-1].working > 0  # a whole page to work on
    assert [page.kind for page in two_sided.pages].count("sheet") == 16
    assert two_sided.paper_use.sheets == 4 * 2 + 1  # the key's one page, printed on one sheet


def test_pages_follow_the_plan():
    sheet = printing.build(settings())
    assert [len(page.items) for page in sheet.pages[:30]] == [2] * 30  # two classic problems on one A4 page
    assert [page.kind for page in sheet.pages] == ["sheet"] * 30 + ["key"] * 3
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
                          "paper", "key", "duplex", "gen", "seed"}
    assert query["gen"] == str(worksheet.NEWEST_GENERATOR)  # a new worksheet gets the newest generator
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


# --- the PDF, the paper line, the printed address ----------------------------


def test_download_pdf_is_a_file_from_the_server(client):
    page = soup(client.get(url(versions="3")).data)
    link = page.select_one("#ws-pdf")
    assert link.has_attr("download") and link["href"].startswith("/worksheet.pdf?")
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    plan = printing.build(settings(versions="3"))
    assert response.headers["Content-Disposition"] == f'attachment; filename="handgrid-{plan.set_code}.pdf"'
    key_only = client.get(link["href"].replace("key=end", "key=only"))
    assert key_only.headers["Content-Disposition"].endswith('-key.pdf"')


def test_a_pdf_url_is_canonical_and_over_a_limit_says_so(client):
    redirected = client.get("/worksheet.pdf?versions=3")
    assert redirected.status_code == 302 and "/worksheet.pdf?" in redirected.headers["Location"]
    over = client.get("/worksheet.pdf?versions=61&seed=1")
    assert over.status_code == 400 and "Versions go from 1 to 60" in alert(over)


def test_without_the_fonts_the_pdf_is_a_503_with_a_message(client, monkeypatch, tmp_path):
    from app.present import pdf

    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    response = client.get(url(versions="1").replace("/worksheet?", "/worksheet.pdf?"))
    assert response.status_code == 503
    assert "fonts-dejavu-core" in soup(response.data).get_text()


def test_the_paper_line_follows_the_settings(client):
    page = soup(client.get(url(problems="3")).data)
    line = page.select_one("#ws-paper-use").get_text(" ", strip=True)
    assert "2 pages per student; 65 sheets in all" in line
    assert "One more problem per sheet (4 in all) would use no more paper." in line
    form = page.select_one("#ws-form")
    assert form["hx-get"] == "/worksheet/paper" and form["hx-target"] == "#ws-paper-use"
    # What the form asks for as the teacher changes a setting: the line alone.
    two_sided = client.get("/worksheet/paper?preset=classic&problems=5&versions=10&duplex=on")
    fragment = soup(two_sided.data)
    assert fragment.select_one("#ws-paper-use").get_text(" ", strip=True).startswith(
        "4 pages per student, printed on 2 sheets; 22 sheets in all (the key included: 3 pages)")
    assert "<html" not in two_sided.get_data(as_text=True)
    over = soup(client.get("/worksheet/paper?versions=99").data)
    assert "over a limit" in over.select_one("#ws-paper-use").get_text()


def test_the_printed_address_is_the_public_url_when_set(tmp_path):
    from app import create_app

    client = create_app({"TESTING": True, "PUBLIC_URL": "https://grid.school.example/"}).test_client()
    response = client.get(url(versions="1"))
    page = soup(response.data)
    section = page.select_one(".ws-problem")
    assert section.select_one(".ws-qr")["aria-label"] == (
        f"QR code of https://grid.school.example/p/{section['data-code']}")
    assert "“Open a code” at https://grid.school.example/," in page.select_one(".ws-check").get_text()
    assert page.select_one("#ws-local") is None


@pytest.mark.parametrize("host, where", [
    ("127.0.0.1:8000", "this computer"), ("localhost:8000", "this computer"), ("[::1]:8000", "this computer"),
    ("192.168.1.20:8000", "this network"), ("10.0.0.5", "this network"), ("grid.local", "this network"),
    ("grid.school.example", None), ("93.184.216.34:8000", None),
])
def test_without_a_public_url_a_local_address_is_warned_about(client, host, where):
    page = soup(client.get(url(versions="1"), headers={"Host": host}).data)
    warning = page.select_one("#ws-local")
    section = page.select_one(".ws-problem")
    assert section.select_one(".ws-qr")["aria-label"] == f"QR code of http://{host}/p/{section['data-code']}"
    if where is None:
        assert warning is None
    else:
        text = warning.get_text(" ", strip=True)
        assert f"The printed links will only work on {where}." in text and "HANDGRID_PUBLIC_URL" in text


@pytest.mark.parametrize("value", ["grid.school.example", "ftp://grid.school.example", "https://", "https://x/?a=1"])
def test_a_public_url_that_is_not_an_address_is_refused_at_start(value):
    from app import create_app

    with pytest.raises(ValueError, match="HANDGRID_PUBLIC_URL must be an address"):
        create_app({"PUBLIC_URL": value})


# --- problem codes of one's own ----------------------------------------------


def test_listed_codes_make_every_version_or_are_mixed_in():
    tom = examples.tom_yeh_code()
    same = printing.build(settings(codes=f"{tom.lower()}, gdg73-m56at", mix="same", problems="5"))
    assert same.settings.problems == 2 and same.settings.codes == (tom, "GDG73-M56AT")
    assert all([item.code for item in version.items] == [tom, "GDG73-M56AT"] for version in same.versions)
    mixed = printing.build(settings(codes=tom, mix="mix", problems="3", versions="20"))
    generated = [item.code for version in mixed.versions for item in version.items[1:]]
    assert all(version.items[0].code == tom for version in mixed.versions)
    assert len(set(generated)) == 40 and all(code.startswith("G") for code in generated)
    others = {item.problem for version in mixed.versions for item in version.items[1:]}
    assert codes.load(tom).problem not in others
    assert worksheet.parse(mixed.settings.query(), new_seed=lambda: 0) == mixed.settings


@pytest.mark.parametrize("listed, message", [
    ("GDG73-M56AX", "Code 1 (GDG73-M56AX): That code has a typo"),
    ("GDG73-M56AT GDG73-M56AT", "Code 2 (GDG73-M56AT) is listed twice"),
    (" ".join(["GDG73-M56AT"] * 7), "List at most 6 problem codes; this list has 7."),
    ("XYZ", "Code 1 (XYZ): Codes start with "),
])
def test_a_bad_list_of_codes_says_which_code_and_why(listed, message):
    with pytest.raises(worksheet.WorksheetError) as raised:
        settings(codes=listed)
    assert any(text.startswith(message) for text in raised.value.messages), raised.value.messages


def test_mixing_in_more_codes_than_a_sheet_holds_is_refused(client):
    response = client.get(url(codes="GDG73-M56AT GWF39-HN6A8", mix="mix", problems="1"))
    assert response.status_code == 400
    assert "2 codes are listed but a sheet has 1 problems" in alert(response)
    assert soup(response.data).select_one("#ws-codes").get_text() == "GDG73-M56AT GWF39-HN6A8"


def test_tom_yehs_exercise_is_one_click_away(client):
    form = soup(client.get(url(versions="1")).data)
    link = form.select_one("#ws-example")["href"]
    landed = client.get(client.get(link).headers["Location"])
    page = soup(landed.data)
    assert [s["data-code"] for s in page.select(".ws-sheet .ws-problem")] == [examples.tom_yeh_code()] * 30
    assert given_matrix(page.select_one(".ws-problem"), "X") == examples.TOM_YEH["X"]
    custom = soup(client.get("/custom").data)
    assert custom.select_one("#example-problem")["href"] == f"/p/{examples.tom_yeh_code()}"
    assert custom.select_one("#example-worksheet")["href"] == link


def test_make_a_worksheet_of_a_typed_problem(client):
    from app.custom import EXAMPLE

    response = client.post("/custom", data={**EXAMPLE, "b2": "2 -3", "action": "worksheet"})
    assert response.status_code == 303
    query = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
    code = query["codes"]
    assert code.startswith("C") and query["mix"] == "same"
    assert codes.load(code).problem.b2.tolist() == [2, -3]
    bad = client.post("/custom", data={**EXAMPLE, "b2": "2", "action": "worksheet"})
    assert bad.status_code == 400  # the form again, everything typed kept
    assert soup(bad.data).select_one("#m-b2").get_text() == "2"
