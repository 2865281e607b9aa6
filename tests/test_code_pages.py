"""The Code view, the output pasted back and fill-in-the-code, through Flask's test
client: the no-JavaScript path (forms that post and pages that come back), the
htmx path, and the JSON API's code-check."""

from __future__ import annotations

import json

import pytest

from app.core import codes
from app.core.problem import ANSWER_NAMES, solve
from tests.pages import answer_cells, soup, status_of

CODE = "G0000-0GM90"  # gentle, seed 0: the API document's example
CUSTOM = "C0000-223S7"  # the 1-1-1-1 custom example


def printed(solution) -> str:
    return "\n".join(f"{name} =\n{solution[name]}" for name in ANSWER_NAMES)


def test_the_practice_page_links_to_the_code_view(client):
    page = soup(client.get(f"/p/{CODE}").data)
    assert page.select_one("#code-link")["href"] == f"/p/{CODE}/code"


@pytest.mark.parametrize("code", [CODE, CUSTOM])
def test_the_code_view_shows_the_script_and_its_downloads(client, code):
    response = client.get(f"/p/{code}/code")
    assert response.status_code == 200
    page = soup(response.data)
    script = page.select_one("#script").get_text()
    assert "x_batch = np.column_stack([x1" in script and 'print("h_z =")' in script
    assert f"http://localhost/p/{code}" in script
    for link, kind in (("#download-py", "text/x-python"), ("#download-ipynb", "application/x-ipynb+json")):
        href = page.select_one(link)["href"]
        download = client.get(href)
        assert download.status_code == 200 and download.mimetype == kind
        assert f'filename="handgrid-{code}.' in download.headers["Content-Disposition"]
    assert client.get(page.select_one("#download-py")["href"]).get_data(as_text=True) == script
    notebook = json.loads(client.get(page.select_one("#download-ipynb")["href"]).data)
    assert notebook["nbformat"] == 4 and {cell["cell_type"] for cell in notebook["cells"]} == {
        "markdown",
        "code",
    }


def test_the_same_problem_gives_the_same_files(client):
    first = client.get(f"/p/{CODE}/handgrid-{CODE}.ipynb").data
    assert client.get(f"/p/{CODE.lower()}/handgrid-x.ipynb").data == first


@pytest.mark.parametrize("path", ["/p/NOPE/code", "/p/G0000-0GM91/fill", "/p/ZZZ/handgrid-x.py"])
def test_a_bad_code_is_a_404_page_with_a_message(client, path):
    response = client.get(path)
    assert response.status_code == 404 and soup(response.data).select_one("[role=alert]").get_text().strip()


def test_pasting_the_output_fills_and_checks_all_four_grids(client):
    solution = solve(codes.load(CODE).problem)
    response = client.post(f"/p/{CODE}/output", data={"output": printed(solution)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = soup(response.data)
    cells = answer_cells(page)
    for name in ANSWER_NAMES:
        for i, row in enumerate(cells[name]):
            for j, td in enumerate(row):
                assert int(td.select_one("input")["value"]) == solution[name][i, j]
                assert status_of(td) == "correct"
    assert page.select_one("#summary .score").get_text(" ", strip=True) == "20 of 20 correct. Next problem"
    assert page.select_one("#notice") is None
    # The page's own form goes on from there, as after a Check.
    assert page.select_one("#work-form")["action"] == f"/p/{CODE}"
    assert page.select_one("input[name=checked]")


def test_a_matrix_that_cannot_be_read_is_named_and_the_others_are_checked(client):
    solution = solve(codes.load(CODE).problem)
    text = printed(solution).replace("y =\n", "y =\n[[1 2 3]]\n")
    wrong = solution["h_z"].copy()
    wrong[0, 0] += 1
    text = text.replace(str(solution["h_z"]), str(wrong), 1)
    page = soup(client.post(f"/p/{CODE}/output", data={"output": text}).data)
    assert "y could not be read" in page.select_one("#notice").get_text()
    cells = answer_cells(page)
    assert status_of(cells["h_z"][0][0]) == "wrong" and status_of(cells["y"][0][0]) == "blank"


def test_output_with_nothing_to_read_comes_back_to_the_code_view_as_typed(client):
    response = client.post(f"/p/{CODE}/output", data={"output": "Traceback: NameError <b>x</b>"})
    assert response.status_code == 400
    page = soup(response.data)
    assert "no matrix" in page.select_one("#output-error").get_text()
    assert page.select_one("#output").get_text() == "Traceback: NameError <b>x</b>"  # kept, escaped
    assert b"<b>x</b>" not in response.data


def test_fill_in_the_code_without_javascript(client):
    page = soup(client.get(f"/p/{CODE}/fill").data)
    assert [input_["name"] for input_ in page.select("#line-h_z input")] == [
        "h_z-0",
        "h_z-1",
        "h_z-2",
        "h_z-line",
    ]
    assert "x_batch = np.column_stack" in page.select_one("pre.given").get_text()
    form = {
        "h_z-0": "W1",
        "h_z-1": "x_batch",
        "h_z-2": "b1",
        "h-line": "h_z * (h_z > 0)",
        "y_z-0": "W2",
        "y_z-1": "h",
        "y_z-2": "b2[:, None]",
        "y-0": "y_z",
    }
    response = client.post(f"/p/{CODE}/fill", data=form)
    assert response.status_code == 200
    page = soup(response.data)
    assert page.select_one("#code-summary .score").get_text() == "2 of 4 lines correct, 1 wrong, 1 blank."
    assert "is-wrong" in page.select_one("#mark-h_z")["class"]
    assert "(3,) do not broadcast" in page.select_one("#mark-h_z").get_text()
    assert "is-correct" in page.select_one("#mark-h")["class"]
    for field, value in form.items():  # what was typed stays
        assert page.select_one(f"#{field}")["value"] == value


def test_fill_in_the_code_with_htmx_answers_the_lines_and_the_score(client):
    response = client.post(f"/p/{CODE}/fill", data={"h-0": "h_z", "h-1": "0"}, headers={"HX-Request": "true"})
    page = soup(response.data)
    assert page.select_one("html") is None and page.select_one("#fill")
    assert page.select_one("#code-summary")["hx-swap-oob"] == "innerHTML"
    assert "is-correct" in page.select_one("#mark-h")["class"]


def test_hostile_text_in_a_blank_is_a_400_that_keeps_what_was_typed(client):
    response = client.post(f"/p/{CODE}/fill", data={"h_z-0": "__import__('os')", "h-0": "h_z"})
    assert response.status_code == 400
    page = soup(response.data)
    assert "dunder" in page.select_one("#fill-error").get_text()
    assert (
        page.select_one("#h_z-0")["value"] == "__import__('os')" and page.select_one("#h-0")["value"] == "h_z"
    )


# --- the JSON API --------------------------------------------------------------------------


def test_code_check_marks_every_line(client):
    body = {
        "h_z": "np.matmul(W1, x_batch) + b1.reshape(-1, 1)",
        "h": ["h_z", "0"],
        "y_z": "h.T @ W2.T + b2",
        "y": "np.maximum(h, 0)",
        "note": "ignored",
    }
    answer = client.post(f"/api/problems/{CODE}/code-check", json=body).get_json()
    assert answer["score"] == {
        "correct": 2,
        "carried": 0,
        "total": 4,
        "wrong": 2,
        "invalid": 0,
        "blank": 0,
        "with_help": 0,
    }
    assert answer["summary"] == "2 of 4 lines correct, 2 wrong"
    assert answer["lines"]["y_z"]["diagnosis"] == "transposed_product"
    assert answer["lines"]["y"]["diagnosis"] == "relu_wrong_matrix"


@pytest.mark.parametrize("body", [{"h_z": "lambda: 0"}, {"h": ["h_z"]}, {"y": 1}, {"h_z": "x" * 500}, [1]])
def test_code_check_refuses_what_has_no_business_there(client, body):
    response = client.post(f"/api/problems/{CODE}/code-check", json=body)
    assert response.status_code == 400 and response.get_json()["error"].strip()


def test_code_check_of_a_bad_code_is_404(client):
    assert client.post("/api/problems/G0000-0GM91/code-check", json={}).status_code == 404
