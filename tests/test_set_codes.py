"""Worksheet codes (scheme W): a set code holds a worksheet's settings and seed,
a version code one version of it; both are read back exactly, and a typo is
caught as in problem codes. Typed into "Open a code", a set code opens the
worksheet and a version code lists that version's problems with links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.core import codes, examples, presets, worksheet
from app.present import printing
from tests.pages import soup

GENERATED = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 4242))
SIZES = st.integers(1, 6)


@st.composite
def worksheet_settings(draw) -> worksheet.Settings:
    query = {
        "preset": draw(st.sampled_from([*presets.BY_NAME, worksheet.CUSTOM])),
        "versions": str(draw(st.integers(1, worksheet.MAX_VERSIONS))),
        "notation": draw(st.sampled_from(list(worksheet.NOTATIONS))),
        "paper": draw(st.sampled_from(list(worksheet.PAPERS))),
        "key": draw(st.sampled_from(list(worksheet.ANSWER_KEY_PLACES))),
        "duplex": draw(st.sampled_from(list(worksheet.SIDES))),
        "seed": str(draw(st.integers(0, 2**26 - 1))),
        "gen": "1",
    }
    for name in ("inputs", "hidden", "outputs", "batch"):
        query[name] = str(draw(SIZES))
    listed = draw(st.lists(st.sampled_from([GENERATED, examples.tom_yeh_code()]), max_size=2, unique=True))
    problems = draw(st.integers(max(1, len(listed)), worksheet.MAX_PROBLEMS))
    mix = draw(st.sampled_from(list(worksheet.MIXES)))
    query.update(problems=str(problems), codes=" ".join(listed), mix=mix)
    return worksheet.parse(query, new_seed=lambda: 0)


@hypothesis_settings(max_examples=150, deadline=None)
@given(worksheet_settings(), st.data())
def test_a_set_code_and_its_version_codes_give_back_the_settings(found, data):
    code = worksheet.set_code(found)
    assert worksheet.from_set_code(code) == (found, None)
    assert worksheet.from_set_code(code.lower().replace("-", " ")) == (found, None)
    version = data.draw(st.integers(1, found.versions))
    version_code = worksheet.version_code(code, version)
    assert version_code.startswith(code + "-")  # the set code the key carries, then the number
    assert worksheet.from_set_code(version_code) == (found, version)


def test_a_set_code_is_short_for_generated_sets_and_starts_with_w():
    found = worksheet.parse({"seed": "48123456", "versions": "30"}, new_seed=lambda: 0)
    code = worksheet.set_code(found)
    assert code.startswith("W") and len(code.replace("-", "")) == 14
    version = printing.build(found).versions[6].code
    assert version == worksheet.version_code(code, 7) and version.endswith(version[-3:]) and "-07" in version


@pytest.mark.parametrize("kind", ["set", "version"])
def test_every_single_wrong_symbol_and_swap_is_caught(kind):
    found = worksheet.parse({"seed": "48123456", "versions": "30", "codes": GENERATED, "mix": "mix"},
                            new_seed=lambda: 0)
    code = worksheet.set_code(found)
    code = (code if kind == "set" else worksheet.version_code(code, 12)).replace("-", "")
    for position in range(1, len(code)):
        for symbol in codes.ALPHABET:
            if symbol != code[position]:
                typo = code[:position] + symbol + code[position + 1:]
                with pytest.raises(codes.CodeError):
                    worksheet.from_set_code(typo)
    for position in range(1, len(code) - 1):
        if code[position] != code[position + 1]:
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
            with pytest.raises(codes.CodeError):
                worksheet.from_set_code(swapped)


@pytest.mark.parametrize("text, message", [
    ("W", "typo"),
    ("WZZZZ", "typo"),
    ("G3KQ7-WN6A3", "start with W"),
    ("W0A00-0ZM0J-100D-99", "typo"),
    (codes._with_check("W0A000ZM0J100D" + "7"), "cut short or too long"),  # one symbol too many
    (codes._with_check("W0A000ZM0J100D" + "00"), "cut short or too long"),  # a version 0
    (codes._with_check("W0B000ZM0J100D"), "cut short"),  # its length says one more symbol
    ("W0A00 0ZM0J 100Ü", "only digits and letters"),
])
def test_bad_worksheet_codes_say_what_is_wrong(text, message):
    with pytest.raises(codes.CodeError, match=message):
        worksheet.from_set_code(text)


def test_a_version_number_beyond_the_set_is_refused():
    found = worksheet.parse({"seed": "5", "versions": "3"}, new_seed=lambda: 0)
    beyond = worksheet.version_code(worksheet.set_code(found), 4)
    with pytest.raises(codes.CodeError, match="has 3 versions, not 4"):
        worksheet.from_set_code(beyond)


def test_the_set_code_on_a_sheet_opens_the_worksheet(client):
    found = worksheet.parse({"seed": "2024", "versions": "12", "problems": "3", "paper": "letter",
                             "duplex": "on", "title": "Quiz"}, new_seed=lambda: 0)
    code = worksheet.set_code(found)
    opened = client.get("/open", query_string={"code": code.lower()})
    assert opened.status_code == 302
    page = client.get(opened.headers["Location"])
    assert page.status_code == 302  # to the canonical URL of those settings
    query = found.query() | {"title": ""}  # the title is not in the code
    assert page.headers["Location"].endswith("/worksheet?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert client.get(page.headers["Location"]).status_code == 200


def test_a_version_code_lists_that_versions_problems_in_order(client):
    found = worksheet.parse({"seed": "2024", "versions": "5", "problems": "3"}, new_seed=lambda: 0)
    version = printing.build(found).versions[3]
    opened = client.get("/open", query_string={"code": version.code})
    page = client.get(opened.headers["Location"])
    assert page.status_code == 200
    html = soup(page.data)
    assert html.select_one("h1").get_text(strip=True) == "Version 4 of 5"
    items = html.select("#version-problems li")
    assert [li["data-code"] for li in items] == [item.code for item in version.items]
    assert [li.a["href"] for li in items] == [f"/p/{item.code}" for item in version.items]
    assert "title and instructions are not in its code" in html.get_text(" ")
    for li in items:  # each link opens that very problem
        assert client.get(li.a["href"]).status_code == 200


def test_a_mistyped_worksheet_code_gets_a_message_and_keeps_what_was_typed(client):
    found = worksheet.parse({"seed": "2024", "versions": "5"}, new_seed=lambda: 0)
    code = worksheet.version_code(worksheet.set_code(found), 2)
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    response = client.get(client.get("/open", query_string={"code": typo}).headers["Location"])
    assert response.status_code == 404
    page = soup(response.data)
    assert "typo" in page.select_one("[role=alert]").get_text()
    assert page.select_one("#open-code")["value"] == typo
