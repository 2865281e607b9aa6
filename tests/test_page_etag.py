"""A practice page as first opened is the same for every visitor of its code, so
it carries an ETag and a reload answers 304 with no body; anything that holds a
student's work is never cached."""

from __future__ import annotations

from app.core import codes, presets
from app.core.problem import solve
from tests.pages import form_data, soup

CODE = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 777))


def test_a_problem_page_has_an_etag_and_a_reload_gets_304_without_a_body(client):
    first = client.get(f"/p/{CODE}")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/p/{CODE}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    stale = client.get(f"/p/{CODE}", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_the_etag_follows_the_page_its_view_and_address(client):
    grid = client.get(f"/p/{CODE}")
    numpy = client.get(f"/p/{CODE}?view=numpy")
    other_code = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 778))
    other = client.get(f"/p/{other_code}")
    elsewhere = client.get(f"/p/{CODE}", base_url="https://grid.school.example")
    etags = {grid.headers["ETag"], numpy.headers["ETag"], other.headers["ETag"], elsewhere.headers["ETag"]}
    assert len(etags) == 4
    # The remembered page is the page: its link holds the address it was asked at.
    link = soup(elsewhere.data).select_one("#share-url")["value"]
    assert link == f"https://grid.school.example/p/{CODE}"
    assert client.get(f"/p/{CODE}").data == grid.data


def test_pages_with_a_students_work_are_never_stored(client):
    answers = form_data(solve(codes.load(CODE)[1]).as_lists()) | {"action": "check"}
    for headers in ({}, {"HX-Request": "true"}):
        checked = client.post(f"/p/{CODE}", data=answers, headers=headers)
        assert checked.status_code == 200 and checked.headers["Cache-Control"] == "no-store"
        assert "ETag" not in checked.headers
