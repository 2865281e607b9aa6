"""The docs keep up with the code: docs/testing.md names every test file (and
no file that is gone), and every problem or worksheet code written in the README
and docs/ still opens what it stands for, as a reader who types it would find.
As in Datasette, a test fails when the documentation falls behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# A code as the docs write one: a scheme letter, then groups of Crockford
# symbols joined by hyphens (the display form that app/core/codes.py prints).
CODE = re.compile(r"`([GHCW][0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{1,5})+)`")


def test_the_testing_page_names_every_test_file():
    page = (ROOT / "docs" / "testing.md").read_text()
    named = set(re.findall(r"`(test_\w+\.py)`", page))
    present = {path.name for path in (ROOT / "tests").glob("test_*.py")}
    assert present - named == set(), "docs/testing.md leaves these out"
    assert named - present == set(), "docs/testing.md names files that are gone"


def _written_codes() -> list[tuple[str, str]]:
    return [(doc.name, code) for doc in DOCS for code in CODE.findall(doc.read_text())]


def test_the_docs_show_codes():
    assert len(_written_codes()) >= 5


@pytest.mark.parametrize(("doc", "code"), _written_codes())
def test_every_code_in_the_docs_opens(client, doc, code):
    answer = client.get(f"/open?code={code}")
    assert answer.status_code in (302, 303), f"{code} in {doc}: {answer.status_code}"
    # A problem code opens its own page (/p/…), a worksheet code its set or version (/w/…).
    assert answer.headers["Location"].endswith(f"/{'w' if code[0] == 'W' else 'p'}/{code}")
    assert client.get(answer.headers["Location"], follow_redirects=True).status_code == 200
