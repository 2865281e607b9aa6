"""Custom problems: a teacher's matrices, typed or pasted, become a code whose
page checks students' answers; mistakes in the boxes get plain messages and
lose nothing typed."""

from __future__ import annotations

import pytest

from app.core import codes
from app.core.matrixtext import parse_matrix, rows_of
from app.core.problem import ProblemError, solve
from app.custom import EXAMPLE
from tests.pages import soup

# The worked example of the "AI by Hand" layout (shared/LAYOUT.md), with its answers.
LAYOUT_EXAMPLE = {
    "h_z": [[1, 2, 2], [5, 3, 1], [-1, 2, 0], [-2, -3, -1]],
    "h": [[1, 2, 2], [5, 3, 1], [0, 2, 0], [0, 0, 0]],
    "y_z": [[7, 6, 4], [1, -4, -4]],
    "y": [[7, 6, 4], [1, 0, 0]],
}


@pytest.mark.parametrize("text, rows", [
    ("1 2 3\n4 5 6", [["1", "2", "3"], ["4", "5", "6"]]),
    ("1,2,3\r\n\r\n4, 5, 6\n", [["1", "2", "3"], ["4", "5", "6"]]),
    ("1\t2\n3\t4", [["1", "2"], ["3", "4"]]),
    ("[[-1 -5 -5]\n [ 3  2  1]]", [["-1", "-5", "-5"], ["3", "2", "1"]]),
    ("array([[1, 2], [3, 4]])", [["1", "2"], ["3", "4"]]),
    ("1; 2", [["1", "2"]]),
])
def test_rows_of_reads_every_common_way_of_writing_a_matrix(text, rows):
    assert rows_of(text) == rows


def test_parse_matrix_reads_vectors_as_a_row_or_a_column():
    assert parse_matrix("b1", "1 −2 3", vector=True) == [1, -2, 3]
    assert parse_matrix("b1", "1\n-2\n3", vector=True) == [1, -2, 3]
    with pytest.raises(ProblemError, match="b1 is a vector"):
        parse_matrix("b1", "1 2\n3 4", vector=True)


@pytest.mark.parametrize("text, message", [
    ("", "W1 is empty"),
    ("1 2\n3", "rows of different lengths: 2, 1 numbers"),
    ("1 x", "'x', which is not a whole number"),
    ("1 2.5", "'2.5', which is not a whole number"),
    ("1 " * 1001, "too long"),
])
def test_parse_matrix_says_what_is_wrong(text, message):
    with pytest.raises(ProblemError, match=message):
        parse_matrix("W1", text)


def test_the_form_starts_with_the_worked_example_filled_in(client):
    page = soup(client.get("/custom").data)
    for name, text in EXAMPLE.items():
        assert page.select_one(f"textarea[name={name}]").get_text() == text


def test_the_layout_example_gets_a_code_whose_answers_match_the_worked_example(client):
    response = client.post("/custom", data=EXAMPLE)
    assert response.status_code == 303
    code = response.headers["Location"].removeprefix("/p/")
    _, problem, generated = codes.load(code)
    assert generated is None and code.startswith("C")
    assert problem.X.tolist() == [[0, 1, 1], [3, 3, 1], [2, 0, 0]]
    assert solve(problem).as_lists() == LAYOUT_EXAMPLE
    # The practice page of that code checks a student's answers against it.
    data = {f"{name}-{i}-{j}": str(v) for name, grid in LAYOUT_EXAMPLE.items()
            for i, row in enumerate(grid) for j, v in enumerate(row)}
    page = soup(client.post(f"/p/{code}", data=data | {"action": "check"}).data)
    assert page.select_one("#summary .score").get_text(" ", strip=True) == "36 of 36 correct. Next problem"
    # Next, a problem of the same sizes (a custom code has no preset).
    assert page.select_one("#next-problem")["href"] == "/new?inputs=3&hidden=4&outputs=2&batch=3"


def test_numpy_printed_matrices_are_accepted(client):
    typed = dict(EXAMPLE, W1="[[ 1  0  0]\n [ 0  1  1]\n [ 1  1 -1]\n [ 1 -1  1]]", b1="[ 1  0 -2 -1]")
    response = client.post("/custom", data=typed)
    assert response.status_code == 303
    _, problem, _ = codes.load(response.headers["Location"].removeprefix("/p/"))
    assert problem.W1.tolist() == [[1, 0, 0], [0, 1, 1], [1, 1, -1], [1, -1, 1]]


@pytest.mark.parametrize("change, message", [
    ({"W2": "1 1 0\n-1 1 -1"}, "W2 has 3 columns but h has 4 rows."),
    ({"W1": "1 0\n0 1\n1 1\n1 -1"}, "W1 has 2 columns but X has 3 rows."),
    ({"b1": "1 0 -2"}, "b1 has 3 entries but W1 has 4 rows."),
    ({"b2": "1"}, "b2 has 1 entry but W2 has 2 rows."),
    ({"X": "1 2 3 4 5 6 7\n1 2 3 4 5 6 7\n1 2 3 4 5 6 7"}, "X has a row of 7 numbers; the most is 6."),
    ({"W1": "100 0 0\n0 1 1\n1 1 -1\n1 -1 1"}, "W1 holds 100; values go from -99 to 99."),
    ({"b2": ""}, "b2 is empty: type its numbers, one row per line."),
])
def test_mistakes_come_back_with_a_message_and_everything_typed(client, change, message):
    typed = dict(EXAMPLE, **change)
    response = client.post("/custom", data=typed)
    assert response.status_code == 400
    page = soup(response.data)
    assert page.select_one("[role=alert]").get_text() == message
    for name, text in typed.items():
        assert page.select_one(f"textarea[name={name}]").get_text() == text


def test_a_missing_box_is_a_message_not_a_crash(client):
    response = client.post("/custom", data={"W1": "1"})
    assert response.status_code == 400
    assert "is empty" in soup(response.data).select_one("[role=alert]").get_text()


def test_a_huge_box_is_refused_and_not_echoed_in_full(client):
    response = client.post("/custom", data=dict(EXAMPLE, X="1 " * 20000))
    assert response.status_code == 400
    page = soup(response.data)
    assert "X is too long" in page.select_one("[role=alert]").get_text()
    assert len(page.select_one("textarea[name=X]").get_text()) <= 2001
