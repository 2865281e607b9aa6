"""The JSON API under /api, through Flask's test client: the public contract.

The tests speak only HTTP and JSON, the way a client of the API does; the only
knowledge of the app they share is what the contract states (preset sizes,
limits, the code alphabet). References are recomputed here with NumPy.

Sections:

1. Creating problems: the three request forms, seeds, Location and url.
2. Reading a problem and its solution back by code (any typed form of it).
3. Checking answers: correct, carried, wrong, blank and invalid cells.
4. Errors: 400, 404, 405 and 413, always ``{"error": message}`` and never a 500.
5. The OpenAPI document: served, complete for the url_map, examples that are
   true of the server, and every response shaped as it says (checked by a small
   structural validator below, as jsonschema is not a test dependency).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_FILE = ROOT / "app" / "openapi.json"

GIVEN = ("W1", "b1", "W2", "b2", "X")
ANSWERS = ("h_z", "h", "y_z", "y")
DIMENSIONS = ("inputs", "hidden", "outputs", "batch")
PRESET_SIZES = {"gentle": (2, 3, 2, 2), "classic": (3, 4, 2, 3), "challenge": (4, 5, 3, 4)}
MAX_SEED = 2**26 - 1
LIMIT = 64 * 1024
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DISPLAY_CODE = re.compile(r"[GHC][0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{5})*-[0-9A-HJKMNP-TV-Z]{1,5}")
STATUSES = {"correct", "wrong", "carried", "blank", "invalid"}
SCORE_KEYS = {"correct", "carried", "total", "wrong", "invalid", "blank"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# A hand-made problem (2 inputs, 3 hidden, 1 output, batch of 2) whose every value
# is worked out below, so the marking tests need no arithmetic of their own.
HAND = {"W1": [[1, 0], [0, 1], [1, -1]], "b1": [0, -5, 0],
        "W2": [[1, 1, -1]], "b2": [-1], "X": [[2, 1], [3, 4]]}
HAND_SOLUTION = {"h_z": [[2, 1], [-2, -1], [-1, -3]], "h": [[2, 1], [0, 0], [0, 0]],
                 "y_z": [[1, 0]], "y": [[1, 0]]}
HAND_CELLS = 16


# --- helpers -----------------------------------------------------------------


def create(client, body: dict) -> tuple[dict, str]:
    """POST /api/problems expecting 201; the body and the Location header."""
    response = client.post("/api/problems", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json(), response.headers["Location"]


def hand_code(client) -> str:
    return create(client, HAND)[0]["code"]


def check(client, code: str, answers) -> dict:
    """POST answers to the check route expecting 200; the report."""
    response = client.post(f"/api/problems/{code}/check", json=answers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()


def canonical(code: str) -> str:
    return code.replace("-", "").upper()


def shapes(problem: dict) -> tuple[int, int, int, int]:
    """(inputs, hidden, outputs, batch) read off the matrices, checking they agree."""
    W1, b1, W2, b2, X = (np.array(problem[name]) for name in GIVEN)
    hidden, inputs = W1.shape
    outputs = W2.shape[0]
    assert X.shape[0] == inputs and b1.shape == (hidden,)
    assert W2.shape == (outputs, hidden) and b2.shape == (outputs,)
    return inputs, hidden, outputs, X.shape[1]


def numpy_solution(problem: dict) -> dict[str, list]:
    """The network recomputed independently of the app."""
    W1, b1, W2, b2, X = (np.array(problem[name], dtype=np.int64) for name in GIVEN)
    h_z = W1 @ X + b1[:, None]
    h = np.maximum(h_z, 0)
    y_z = W2 @ h + b2[:, None]
    return {"h_z": h_z.tolist(), "h": h.tolist(), "y_z": y_z.tolist(), "y": np.maximum(y_z, 0).tolist()}


def statuses(report: dict) -> dict[str, list[list[str]]]:
    return {name: [[cell["status"] for cell in row] for row in grid]
            for name, grid in report["cells"].items()}


def assert_error(response, status: int) -> str:
    """The response is ``{"error": message}`` with `status` and a plain message; returns it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}
    message = body["error"]
    # Messages may quote a little of the input (at most 40 characters, escaped); never all of it.
    assert isinstance(message, str) and 0 < len(message) <= 500
    assert "\n" not in message and "Traceback" not in message and "<" not in message
    return message


def mentions(message: str, *tokens: object) -> bool:
    """Every token appears in the message as a whole word (so "h" is not found in "h_z")."""
    return all(re.search(rf"(?<![\w-]){re.escape(str(token))}(?!\w)", message) for token in tokens)


def with_changes(problem: dict, **changes) -> dict:
    return {**json.loads(json.dumps(problem)), **changes}


# --- 1. Creating problems ------------------------------------------------------


@pytest.mark.parametrize("preset", sorted(PRESET_SIZES))
def test_create_preset_gives_201_with_exactly_the_problem_keys(client, preset):
    body, location = create(client, {"preset": preset, "seed": 12345})
    assert set(body) == {"code", *GIVEN, "url"}
    assert DISPLAY_CODE.fullmatch(body["code"]) and body["code"].startswith("H")  # the newest generator
    assert shapes(body) == PRESET_SIZES[preset]
    assert location == f"/api/problems/{body['code']}"
    assert body["url"] == f"/p/{body['code']}"


def test_create_without_a_preset_gives_a_classic_problem(client):
    body, _ = create(client, {"seed": 7})
    assert shapes(body) == PRESET_SIZES["classic"]
    assert body == create(client, {"preset": "classic", "seed": 7})[0]


@pytest.mark.parametrize("sizes", [(1, 1, 1, 1), (1, 2, 3, 4), (5, 1, 6, 2), (6, 6, 6, 6)])
def test_create_with_sizes_gives_those_shapes(client, sizes):
    body, location = create(client, {"sizes": dict(zip(DIMENSIONS, sizes, strict=True)), "seed": 99})
    assert set(body) == {"code", *GIVEN, "url"}
    assert shapes(body) == sizes
    assert location == f"/api/problems/{body['code']}"


def test_create_custom_keeps_the_matrices_exactly(client):
    body, location = create(client, HAND)
    assert set(body) == {"code", *GIVEN, "url"}
    assert {name: body[name] for name in GIVEN} == HAND
    assert DISPLAY_CODE.fullmatch(body["code"]) and body["code"].startswith("C")
    assert location == f"/api/problems/{body['code']}"
    assert body["url"] == f"/p/{body['code']}"


def test_create_custom_at_the_limits(client):
    big = {"W1": [[99, -99] * 3] * 6, "b1": [-99] * 6, "W2": [[-99] * 6] * 6, "b2": [99] * 6,
           "X": [[99, -99, 0, 1, -1, 98]] * 6}
    body, location = create(client, big)
    assert {name: body[name] for name in GIVEN} == big
    assert client.get(location).get_json()["X"] == big["X"]


def test_custom_values_written_as_whole_floats_are_integers(client):
    body, _ = create(client, with_changes(HAND, X=[[2.0, 1], [3, 4.0]]))
    assert body["X"] == HAND["X"] and all(type(v) is int for row in body["X"] for v in row)
    assert canonical(body["code"]) == canonical(hand_code(client))


@pytest.mark.parametrize("request_body", [
    {"preset": "challenge", "seed": 2024},
    {"preset": "gentle", "seed": 0},
    {"preset": "gentle", "seed": MAX_SEED},
    {"sizes": {"inputs": 2, "hidden": 5, "outputs": 1, "batch": 3}, "seed": 31337},
])
def test_same_request_and_seed_give_the_same_problem(client, request_body):
    first, first_location = create(client, request_body)
    second, second_location = create(client, request_body)
    assert first == second and first_location == second_location


def test_different_seeds_give_different_problems(client):
    codes = {create(client, {"preset": "classic", "seed": seed})[0]["code"] for seed in (0, 1, 2, MAX_SEED)}
    assert len(codes) == 4


def test_without_a_seed_the_server_picks_one(client):
    # Four equal codes from 2**26 seeds would take a broken random source.
    codes = {create(client, {"preset": "gentle"})[0]["code"] for _ in range(3)}
    codes |= {create(client, {"preset": "gentle", "seed": None})[0]["code"]}
    assert len(codes) > 1


def test_a_code_keeps_its_meaning(client):
    """Codes are shared and printed: gentle with seed 1 of generator 1 is this problem for good."""
    body, _ = create(client, {"preset": "gentle", "seed": 1, "generator": 1})
    assert body == {"code": "G0000-0GM90",
                    "W1": [[1, 1], [1, 0], [-1, 1]], "b1": [-2, 0, -2],
                    "W2": [[0, 1, -1], [1, 0, -1]], "b2": [-3, 1], "X": [[2, 1], [2, 2]],
                    "url": "/p/G0000-0GM90"}


def test_a_preset_and_seed_give_the_newest_generators_problem_unless_asked(client):
    newest, _ = create(client, {"preset": "gentle", "seed": 1})
    again, _ = create(client, {"preset": "gentle", "seed": 1, "generator": 2})
    assert newest == again and newest["code"] == "H0000-0GM9T" and newest["code"] != "G0000-0GM90"
    for bad in (0, 3, "2", True, 2.0):
        response = client.post("/api/problems", json={"preset": "gentle", "generator": bad})
        assert response.status_code == 400
        assert response.get_json() == {"error": "generator must be one of 1, 2."}


# --- 2. Reading a problem and its solution back --------------------------------


CREATE_FORMS = {
    "preset": {"preset": "challenge", "seed": 77},
    "sizes": {"sizes": {"inputs": 3, "hidden": 2, "outputs": 4, "batch": 1}, "seed": 5},
    "custom": HAND,
}


@pytest.mark.parametrize("form", sorted(CREATE_FORMS))
def test_get_problem_returns_exactly_the_created_problem(client, form):
    created, location = create(client, CREATE_FORMS[form])
    response = client.get(location)
    assert response.status_code == 200 and response.is_json
    shown = response.get_json()
    assert set(shown) == {"code", *GIVEN}
    assert shown == {name: created[name] for name in ("code", *GIVEN)}


@pytest.mark.parametrize("typed", [
    "g0000-0gm90",       # lower case
    "G00000GM90",        # no hyphen
    "g00000gm90",
    "G0000 0GM90",       # a space instead of the hyphen
    "GOOOO-OGM9O",       # O typed for 0
    "-G0000-0GM90-",
])
def test_codes_are_read_forgivingly(client, typed):
    response = client.get(f"/api/problems/{typed}")
    assert response.status_code == 200
    assert response.get_json()["code"] == "G0000-0GM90"
    assert client.get(f"/api/problems/{typed}/solution").status_code == 200


@pytest.mark.parametrize("form", sorted(CREATE_FORMS))
def test_solution_equals_a_numpy_recomputation(client, form):
    created, location = create(client, CREATE_FORMS[form])
    response = client.get(f"{location}/solution")
    assert response.status_code == 200 and response.is_json
    solution = response.get_json()
    assert set(solution) == set(ANSWERS)
    assert solution == numpy_solution(created)


def test_hand_problem_solution_is_the_worked_one(client):
    assert client.get(f"/api/problems/{hand_code(client)}/solution").get_json() == HAND_SOLUTION


def test_random_custom_problems_round_trip_and_solve(client):
    """Custom codes hold every value: any shape and values round-trip through the code."""
    rng = np.random.default_rng(20240601)
    for _ in range(25):
        i, h, o, b = (int(n) for n in rng.integers(1, 7, size=4))
        top = int(rng.choice([1, 5, 99]))
        shape = {"W1": (h, i), "b1": h, "W2": (o, h), "b2": o, "X": (i, b)}
        problem = {name: rng.integers(-top, top + 1, shape[name]).tolist() for name in GIVEN}
        created, location = create(client, problem)
        shown = client.get(f"/api/problems/{canonical(created['code']).lower()}").get_json()
        assert {name: shown[name] for name in GIVEN} == problem
        assert client.get(f"{location}/solution").get_json() == numpy_solution(problem)


# --- 3. Checking answers ---------------------------------------------------------


@pytest.mark.parametrize("form", sorted(CREATE_FORMS))
def test_the_solution_is_all_correct(client, form):
    created, _ = create(client, CREATE_FORMS[form])
    _, hidden, outputs, batch = shapes(created)
    cells = 2 * (hidden + outputs) * batch
    report = check(client, created["code"], numpy_solution(created))
    assert set(report) == {"score", "summary", "cells"}
    assert report["score"] == {"correct": cells, "carried": 0, "total": cells,
                               "wrong": 0, "invalid": 0, "blank": 0, "with_help": 0}
    assert report["summary"] == f"{cells} of {cells} correct"
    expected_shapes = {"h_z": (hidden, batch), "h": (hidden, batch),
                       "y_z": (outputs, batch), "y": (outputs, batch)}
    assert set(report["cells"]) == set(ANSWERS)
    for name, grid in report["cells"].items():
        assert (len(grid), len(grid[0])) == expected_shapes[name]
        for row in grid:
            assert len(row) == batch
            for cell in row:
                assert set(cell) == {"status", "message", "diagnosis"}
                assert cell["status"] == "correct" and cell["message"]


def test_error_carried_forward(client):
    answers = {"h_z": [[3, 1], [-2, -1], [-1, -3]],   # 3 should be 2
               "h": [[3, 1], [0, 0], [0, 0]],          # 3 = ReLU(their 3)
               "y_z": [[2, 0]],                        # 2 = [1 1 -1] @ their h - 1
               "y": [[2, 5]]}                          # 2 = ReLU(their 2); 5 is just wrong
    report = check(client, hand_code(client), answers)
    assert statuses(report) == {
        "h_z": [["wrong", "correct"], ["correct", "correct"], ["correct", "correct"]],
        "h": [["carried", "correct"], ["correct", "correct"], ["correct", "correct"]],
        "y_z": [["carried", "correct"]],
        "y": [["carried", "wrong"]],
    }
    assert report["score"] == {"correct": 11, "carried": 3, "total": HAND_CELLS,
                               "wrong": 2, "invalid": 0, "blank": 0, "with_help": 0}
    assert report["summary"] == "11 of 16 correct, 3 carried forward, 2 wrong"
    messages = {cell["message"] for row in report["cells"]["h"] for cell in row}
    assert len(messages) == 2  # a carried cell is told something different from a correct one


def test_correct_beats_carried_and_wrong_is_wrong(client):
    # Their h_z is wrong in the first cell, but their h there is the true one: correct, not carried.
    # Their h_z is 4 where -2 was due; an h of 5 there follows from neither.
    answers = {"h_z": [[3, 1], [4, -1], [-1, -3]], "h": [[2, 1], [5, 0], [0, 0]]}
    report = check(client, hand_code(client), answers)
    assert statuses(report)["h_z"] == [["wrong", "correct"], ["wrong", "correct"], ["correct", "correct"]]
    assert statuses(report)["h"] == [["correct", "correct"], ["wrong", "correct"], ["correct", "correct"]]


def test_y_z_is_carried_only_from_a_complete_h(client):
    answers = {"h_z": [[3, 1], [-2, -1], [-1, -3]], "h": [[3, 1], [0, None], [0, 0]], "y_z": [[2, 0]]}
    report = check(client, hand_code(client), answers)
    assert statuses(report)["h"][1] == ["correct", "blank"]
    assert statuses(report)["y_z"] == [["wrong", "correct"]]


@pytest.mark.parametrize("answers, blanks", [
    ({}, 16),
    ({"h_z": HAND_SOLUTION["h_z"]}, 10),
    ({"h_z": HAND_SOLUTION["h_z"], "h": None, "y": HAND_SOLUTION["y"]}, 8),
    ({"h_z": [[None, ""], ["  ", None], [None, None]]}, 16),
])
def test_missing_matrices_and_empty_cells_are_blank(client, answers, blanks):
    report = check(client, hand_code(client), answers)
    assert report["score"] == {"correct": HAND_CELLS - blanks, "carried": 0, "total": HAND_CELLS,
                               "wrong": 0, "invalid": 0, "blank": blanks, "with_help": 0}
    for name in ANSWERS:
        expected = "correct" if answers.get(name) == HAND_SOLUTION[name] else "blank"
        assert {status for row in statuses(report)[name] for status in row} == {expected}
    blank_cell = next(cell for grid in report["cells"].values() for row in grid for cell in row
                      if cell["status"] == "blank")
    assert blank_cell["message"]


def test_typed_forms_of_numbers_are_accepted(client):
    answers = {"h_z": [["+2", " 1 "], ["\u22122", "\u2212 1"], ["-1", "\t-3\n"]],
               "h": [["2.0", 1.0], ["0", "-0"], [0, "\uff10"]],
               "y_z": [[" 1", "0 "]],
               "y": [["1", 0]]}
    report = check(client, hand_code(client), answers)
    assert report["score"]["correct"] == HAND_CELLS, statuses(report)


@pytest.mark.parametrize("entry", ["abc", "3.5", "x" * 50, "1" * 50, "1e3", "0x1", "--1", "2-",
                                   True, False, {}, [], [1], {"value": 2}, 1.5, 1e300])
def test_entries_that_are_not_whole_numbers_are_invalid(client, entry):
    answers = {"h_z": [[entry, 1], [-2, -1], [-1, -3]]}
    report = check(client, hand_code(client), answers)
    cell = report["cells"]["h_z"][0][0]
    assert cell["status"] == "invalid"
    assert isinstance(cell["message"], str) and cell["message"]
    assert cell["message"] not in {c["message"] for row in report["cells"]["h"] for c in row}
    assert report["score"] == {"correct": 5, "carried": 0, "total": HAND_CELLS,
                               "wrong": 0, "invalid": 1, "blank": 10, "with_help": 0}


def test_an_invalid_cell_does_not_carry(client):
    answers = {"h_z": [["abc", 1], [-2, -1], [-1, -3]], "h": [[7, 1], [0, 0], [0, 0]]}
    assert statuses(check(client, hand_code(client), answers))["h"][0] == ["wrong", "correct"]


# --- 4. Errors -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ZZZ", "G", "X0000-0GM90", "G0000-0GM9", "G0000-0GM90-0", "C0000",
                                  "U0000", "G" * 401, "%C3%A9"])
@pytest.mark.parametrize("suffix", ["", "/solution"])
def test_a_code_that_names_no_problem_is_404(client, code, suffix):
    assert_error(client.get(f"/api/problems/{code}{suffix}"), 404)


def test_checking_a_bad_code_is_404(client):
    assert_error(client.post("/api/problems/ZZZ/check", json={}), 404)


@pytest.mark.parametrize("code", ["G0000-0GM90", "C0000-223S7"])
def test_every_single_mistyped_symbol_is_caught_by_the_check(client, code):
    symbols = canonical(code)
    assert client.get(f"/api/problems/{code}").status_code == 200
    for position in range(1, len(symbols)):
        for other in CROCKFORD:
            if other == symbols[position]:
                continue
            typo = symbols[:position] + other + symbols[position + 1:]
            message = assert_error(client.get(f"/api/problems/{typo}"), 404)
            assert "check symbol" in message, (typo, message)
    for other in CROCKFORD:
        if other != symbols[0]:
            assert_error(client.get(f"/api/problems/{other}{symbols[1:]}"), 404)


def test_swapped_neighbours_are_caught(client):
    symbols = canonical(create(client, {"preset": "challenge", "seed": 54321987})[0]["code"])
    for i in range(1, len(symbols) - 1):
        if symbols[i] != symbols[i + 1]:
            swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2:]
            assert_error(client.get(f"/api/problems/{swapped}"), 404)


@pytest.mark.parametrize("answers, name, rows, cols", [
    ({"h_z": [[1, 2], [3, 4]]}, "h_z", 3, 2),
    ({"h_z": [[1, 2]] * 4}, "h_z", 3, 2),
    ({"h": [[1, 2, 3]] * 3}, "h", 3, 2),
    ({"h": [[1, 2], [3], [4, 5]]}, "h", 3, 2),
    ({"y_z": [1, 0]}, "y_z", 1, 2),
    ({"y_z": "1 0"}, "y_z", 1, 2),
    ({"y": [[1, 0]] * 3}, "y", 1, 2),
    ({"y": {"0": [1, 0]}}, "y", 1, 2),
    ({"y": 7}, "y", 1, 2),
])
def test_answers_of_the_wrong_shape_are_400(client, answers, name, rows, cols):
    message = assert_error(client.post(f"/api/problems/{hand_code(client)}/check", json=answers), 400)
    assert mentions(message, name, rows, cols), message


@pytest.mark.parametrize("route", ["/api/problems", "/api/problems/G0000-0GM90/check"])
@pytest.mark.parametrize("data", [b"", b"nope", b"[1, 2]", b"[]", b'"preset"', b"null", b"3", b"NaN",
                                  b"{", b'{"preset": "gentle"', b"\xff\xfe", b'{"preset": "\xff"}',
                                  b'{"seed": ' + b"1" * 5000 + b"}"])
def test_a_body_that_is_not_a_json_object_is_400(client, route, data):
    assert_error(client.post(route, data=data, content_type="application/json"), 400)


@pytest.mark.parametrize("route", ["/api/problems", "/api/problems/G0000-0GM90/check"])
def test_deeply_nested_json_is_400_not_500(client, route):
    data = '{"h_z": ' + "[" * 5000 + "]" * 5000 + "}"
    assert len(data) < LIMIT
    assert_error(client.post(route, data=data, content_type="application/json"), 400)


@pytest.mark.parametrize("body, words", [
    ({"preset": "nope"}, ["preset", "gentle", "classic", "challenge"]),
    ({"preset": "Gentle"}, ["preset"]),
    ({"preset": ""}, ["preset"]),
    ({"preset": None}, ["preset"]),
    ({"preset": 1}, ["preset"]),
    ({"preset": ["gentle"]}, ["preset"]),
    ({"seed": -1}, ["seed", MAX_SEED]),
    ({"seed": MAX_SEED + 1}, ["seed", MAX_SEED]),
    ({"seed": 2**64}, ["seed", MAX_SEED]),
    ({"seed": 1.5}, ["seed", MAX_SEED]),
    ({"seed": 3.0}, ["seed", MAX_SEED]),
    ({"seed": True}, ["seed", MAX_SEED]),
    ({"seed": "5"}, ["seed", MAX_SEED]),
    ({"preset": "gentle", "seed": -5}, ["seed", MAX_SEED]),
    ({"sizes": {"inputs": 1, "hidden": 2, "outputs": 3}}, ["sizes", "batch"]),
    ({"sizes": {"inputs": 1, "hidden": 2, "outputs": 3, "batch": 4, "depth": 2}}, ["sizes", "depth"]),
    ({"sizes": [1, 2, 3, 4]}, ["sizes"]),
    ({"sizes": None}, ["sizes"]),
    ({"preset": "gentle", "sizes": dict.fromkeys(DIMENSIONS, 1)}, ["preset", "sizes"]),
    ({"bogus": 1}, ["bogus"]),
    ({**HAND, "seed": 1}, ["preset", "sizes"]),
    ({**HAND, "preset": "gentle"}, ["preset", "sizes"]),
])
def test_bad_create_requests_are_400_with_a_plain_message(client, body, words):
    message = assert_error(client.post("/api/problems", json=body), 400)
    assert mentions(message, *words), message


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize("value", [0, 7, -1, 100, "3", True, 3.0, None, [3]])
def test_sizes_out_of_range_or_not_integers_are_400_not_clamped(client, dimension, value):
    sizes = {"inputs": 2, "hidden": 2, "outputs": 2, "batch": 2, dimension: value}
    message = assert_error(client.post("/api/problems", json={"sizes": sizes, "seed": 1}), 400)
    assert mentions(message, dimension, 1, 6), message


@pytest.mark.parametrize("change, words", [
    ({"W2": [[1, 1, -1, 0]]}, ["W2", 4, "h", 3]),
    ({"W1": [[1, 0, 1], [0, 1, 1], [1, -1, 1]]}, ["W1", 3, "X", 2]),
    ({"X": [[2, 1], [3, 4], [5, 6]]}, ["W1", 2, "X", 3]),
    ({"b1": [0, -5]}, ["b1", 2, "W1", 3]),
    ({"b2": [-1, 1]}, ["b2", 2, "W2", 1]),
    ({"W1": [[1, 0], [0, 1, 2], [1, -1]]}, ["W1"]),
    ({"X": [[2, 1], [3]]}, ["X"]),
    ({"W1": [[1, 0]] * 7, "b1": [0] * 7}, ["W1", 7, 6]),
    ({"X": [[1] * 7, [1] * 7]}, ["X", 7, 6]),
    ({"W1": [[1, 0], [0, 100], [1, -1]]}, ["W1", 100, -99, 99]),
    ({"b2": [-100]}, ["b2", -100]),
    ({"X": [[2, 1.5], [3, 4]]}, ["X"]),
    ({"X": [[2, "1"], [3, 4]]}, ["X"]),
    ({"X": [[2, True], [3, 4]]}, ["X"]),
    ({"X": [[2, None], [3, 4]]}, ["X"]),
    ({"b1": [[0], [-5], [0]]}, ["b1"]),
    ({"W1": [1, 0]}, ["W1"]),
    ({"X": []}, ["X"]),
    ({"W2": "[[1, 1, -1]]"}, ["W2"]),
])
def test_bad_custom_problems_are_400_naming_the_matrices(client, change, words):
    message = assert_error(client.post("/api/problems", json=with_changes(HAND, **change)), 400)
    assert mentions(message, *words), message


@pytest.mark.parametrize("missing", GIVEN)
def test_a_custom_problem_missing_a_matrix_is_400_naming_it(client, missing):
    body = {name: value for name, value in HAND.items() if name != missing}
    message = assert_error(client.post("/api/problems", json=body), 400)
    assert mentions(message, missing), message


@pytest.mark.parametrize("route", ["/api/problems", "/api/problems/G0000-0GM90/check"])
def test_bodies_over_64_kib_are_413(client, route):
    assert_error(client.post(route, data=b" " * (LIMIT + 1), content_type="application/json"), 413)
    assert_error(client.post(route, data=b" " * (10 * LIMIT), content_type="application/json"), 413)


def test_the_limit_is_exactly_64_kib(client):
    data = json.dumps({"preset": "gentle", "seed": 3}).encode()
    just_fits = data + b" " * (LIMIT - len(data))
    assert client.post("/api/problems", data=just_fits, content_type="application/json").status_code == 201
    assert_error(client.post("/api/problems", data=just_fits + b" ", content_type="application/json"), 413)


@pytest.mark.parametrize("method, route", [
    ("GET", "/api/problems"),
    ("PUT", "/api/problems"),
    ("DELETE", "/api/problems"),
    ("GET", "/api/problems/G0000-0GM90/check"),
    ("POST", "/api/problems/G0000-0GM90"),
    ("DELETE", "/api/problems/G0000-0GM90"),
    ("POST", "/api/problems/G0000-0GM90/solution"),
    ("POST", "/api/openapi.json"),
])
def test_a_method_a_route_does_not_take_is_405(client, method, route):
    assert_error(client.open(route, method=method), 405)


@pytest.mark.parametrize("method, route, allowed", [
    ("GET", "/api/problems", {"POST"}),
    ("POST", "/api/problems/G0000-0GM90", {"GET"}),
])
def test_a_405_says_which_methods_are_allowed(client, method, route, allowed):
    response = client.open(route, method=method)
    assert_error(response, 405)
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}


@pytest.mark.parametrize("route", ["/api/nothing", "/api/problems/G0000-0GM90/answers",
                                   "/api/problems/a/b/c"])
def test_unknown_api_addresses_are_404_json(client, route):
    assert_error(client.get(route), 404)


ODD_CELLS = [None, 0, -0.0, 1e308, -1e308, 2**63, -(2**63) - 1, 10**100, "", " ", "\u0000", "\u202e3",
             "\U0001f600", "\ud800", "3" * 8, "-" * 8, "٣", "³", "NaN", "Infinity", [[[]]], {"a": {"b": []}}]


def test_no_cell_value_makes_check_fail(client):
    """A crash would still answer tidily (as a 500 from the catch-all handler), so the
    status is what shows it: every odd cell must be marked, not refused or crashed on."""
    code = hand_code(client)
    for cell in ODD_CELLS:
        answers = {name: [[cell] * 2] * (3 if name in ("h_z", "h") else 1) for name in ANSWERS}
        report = check(client, code, answers)
        assert report["score"]["total"] == HAND_CELLS, cell
        assert {status for grid in statuses(report).values() for row in grid for status in row} <= STATUSES


@pytest.mark.parametrize("body", [
    {"preset": "\u0000" * 100}, {"preset": "x" * 10000}, {"preset": {"$ref": "#/"}},
    {"sizes": {"\u0000": 1}}, {"sizes": {"inputs": 1e308, "hidden": 1, "outputs": 1, "batch": 1}},
    {"seed": -(10**100)}, {"seed": 1e308}, {"": 1},
    {"W1": None}, {"W1": {}, "b1": {}}, with_changes(HAND, X=[[float("nan"), 1], [3, 4]]),
])
def test_odd_create_requests_are_400_not_500(client, body):
    assert_error(client.post("/api/problems", json=body), 400)


@pytest.mark.parametrize("body", [
    {"sizes": {"inputs": 10**1000, "hidden": 1, "outputs": 1, "batch": 1}},
    with_changes(HAND, X=[[10**1000, 1], [3, 4]]),
])
def test_huge_numbers_get_a_short_message(client, body):
    assert_error(client.post("/api/problems", json=body), 400)


# --- 5. The OpenAPI document ------------------------------------------------------


@pytest.fixture(scope="module")
def spec() -> dict:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


def resolve(spec: dict, node: dict) -> dict:
    """Follow local $refs ("#/components/...") to the object they name."""
    while "$ref" in node:
        pointer = node["$ref"]
        assert pointer.startswith("#/"), pointer
        node = spec
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _is_type(value: object, kind: str) -> bool:
    if kind == "integer":
        return (type(value) is int) or (type(value) is float and value.is_integer())
    return {"null": value is None, "boolean": type(value) is bool,
            "number": type(value) in (int, float), "string": isinstance(value, str),
            "array": isinstance(value, list), "object": isinstance(value, dict)}[kind]


def _object_parts(spec: dict, schema: dict) -> tuple[set, set]:
    """Required and declared property names of a schema, including its allOf parts."""
    required, properties = set(schema.get("required", ())), set(schema.get("properties", {}))
    for part in schema.get("allOf", ()):
        more_required, more_properties = _object_parts(spec, resolve(spec, part))
        required |= more_required
        properties |= more_properties
    return required, properties


def conform(spec: dict, schema: dict, value: object, where: str = "$", exact: bool = False) -> list[str]:
    """What is wrong with `value` under `schema` (empty when nothing), for the JSON Schema
    keywords this document uses. A closed object (additionalProperties or
    unevaluatedProperties false) takes only its declared keys; with `exact`, the
    contract for every response, it must have exactly its required keys."""
    schema = resolve(spec, schema)
    errors = []
    for part in schema.get("allOf", ()):
        errors += conform(spec, part, value, where, exact)
    if "oneOf" in schema:
        matches = sum(not conform(spec, part, value, where, exact) for part in schema["oneOf"])
        if matches != 1:
            errors.append(f"{where}: matches {matches} of oneOf")
    if "anyOf" in schema and all(conform(spec, part, value, where, exact) for part in schema["anyOf"]):
        errors.append(f"{where}: matches none of anyOf")
    if "not" in schema and not conform(spec, schema["not"], value, where, exact):
        errors.append(f"{where}: matches what it must not")
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, kind) for kind in kinds):
            return errors + [f"{where}: {value!r:.40} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if type(value) in (int, float):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            errors.append(f"{where}: length {len(value)} out of bounds")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            errors.append(f"{where}: {len(value)} items out of bounds")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += conform(spec, schema["items"], item, f"{where}[{i}]", exact)
    if isinstance(value, dict):
        required, properties = _object_parts(spec, schema)
        if required - set(value):
            errors.append(f"{where}: missing {sorted(required - set(value))}")
        for name, part in schema.get("properties", {}).items():
            if name in value:
                errors += conform(spec, part, value[name], f"{where}.{name}", exact)
        for name in value if "propertyNames" in schema else ():
            errors += conform(spec, schema["propertyNames"], name, f"{where} key {name!r}", exact)
        if schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False:
            if set(value) - properties:
                errors.append(f"{where}: undeclared keys {sorted(set(value) - properties)}")
            if exact and set(value) != required:
                errors.append(f"{where}: keys {sorted(value)} are not exactly {sorted(required)}")
    return errors


def response_schema(spec: dict, path: str, method: str, status: int) -> dict:
    operation = spec["paths"][path][method]
    assert str(status) in operation["responses"], f"{method.upper()} {path} does not document {status}"
    response = resolve(spec, operation["responses"][str(status)])
    return response.get("content", {}).get("application/json", {}).get("schema")


def operations(spec: dict) -> set[tuple[str, str]]:
    """(path, method) for every operation in the document."""
    return {(path, method) for path, item in spec["paths"].items()
            for method in item if method in HTTP_METHODS}


def api_routes(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) for every route under /api in the url_map."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_is_served_as_json(client, spec):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == spec
    assert re.fullmatch(r"3\.1\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]


def test_the_document_lists_exactly_the_routes_of_the_app(app, spec):
    documented = operations(spec)
    assert api_routes(app) == documented
    assert len(documented) >= 6


def test_path_parameters_are_declared(spec):
    for path, method in operations(spec):
        item = spec["paths"][path]
        parameters = item.get("parameters", []) + item[method].get("parameters", [])
        declared = {resolve(spec, p)["name"] for p in parameters if resolve(spec, p)["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_every_reference_resolves(spec):
    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(spec, node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
    walk(spec)
    assert '"$ref"' in OPENAPI_FILE.read_text(encoding="utf-8")


def test_the_validator_can_fail(spec):
    """The structural check below would notice a missing, extra or mistyped key."""
    problem_schema = response_schema(spec, "/api/problems/{code}", "get", 200)
    good = {"code": "G0000-0GM90", **{name: HAND[name] for name in GIVEN}}
    assert conform(spec, problem_schema, good, exact=True) == []
    assert conform(spec, problem_schema, {**good, "url": "/p/x"}, exact=True)
    assert conform(spec, problem_schema, {name: good[name] for name in GIVEN}, exact=True)
    assert conform(spec, problem_schema, {**good, "b1": [0.5, 1, 2]}, exact=True)
    assert conform(spec, problem_schema, {**good, "code": "G0000--0GM9-0"}, exact=True)
    report = response_schema(spec, "/api/problems/{code}/check", "post", 200)
    bad_status = {"score": dict.fromkeys(SCORE_KEYS, 0), "summary": "",
                  "cells": {name: [[{"status": "right", "message": ""}]] for name in ANSWERS}}
    assert conform(spec, report, bad_status, exact=True)


def test_create_request_schema_accepts_what_the_server_accepts(client, spec):
    schema = spec["paths"]["/api/problems"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    accepted = [{}, {"preset": "gentle"}, {"seed": 1}, {"seed": None},
                {"preset": "classic", "seed": MAX_SEED},
                {"sizes": {"inputs": 1, "hidden": 6, "outputs": 2, "batch": 3}}, HAND, {**HAND, "note": "x"}]
    refused = [{"preset": "nope"}, {"seed": -1}, {"seed": MAX_SEED + 1}, {"seed": 1.5},
               {"sizes": {"inputs": 0, "hidden": 1, "outputs": 1, "batch": 1}}, {"bogus": 1},
               {"preset": "gentle", "sizes": {"inputs": 1, "hidden": 1, "outputs": 1, "batch": 1}},
               with_changes(HAND, X=[[100, 1], [3, 4]]), {**HAND, "seed": 1},
               {**HAND, "sizes": dict.fromkeys(DIMENSIONS, 1)}, {"preset": "gentle", "note": "x"}]
    for body in accepted:
        assert conform(spec, schema, body) == [], body
        assert client.post("/api/problems", json=body).status_code == 201, body
    for body in refused:
        assert conform(spec, schema, body), body
        assert client.post("/api/problems", json=body).status_code == 400, body


def test_documented_examples_are_what_the_server_does(client, spec):
    create_op = spec["paths"]["/api/problems"]["post"]
    examples = create_op["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == {"preset", "sizes", "custom"}
    bodies = {name: create(client, example["value"])[0] for name, example in examples.items()}
    created = create_op["responses"]["201"]["content"]["application/json"]["example"]
    assert bodies["preset"] == created
    code = created["code"]
    shown = spec["paths"]["/api/problems/{code}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert client.get(f"/api/problems/{code}").get_json() == shown["example"]
    solved = spec["paths"]["/api/problems/{code}/solution"]["get"]["responses"]["200"]["content"]
    assert client.get(f"/api/problems/{code}/solution").get_json() == solved["application/json"]["example"]
    # The check example answers the custom example problem.
    check_op = spec["paths"]["/api/problems/{code}/check"]["post"]
    answers = check_op["requestBody"]["content"]["application/json"]["example"]
    report = check_op["responses"]["200"]["content"]["application/json"]["example"]
    assert check(client, bodies["custom"]["code"], answers) == report


def _observed(client) -> list[tuple[str, str, int, object, dict]]:
    """(path, method, status, body, headers) for a response of every kind the API gives."""
    seen = []

    def record(path, method, response):
        body = response.get_json() if response.is_json else response.get_data(as_text=True)
        seen.append((path, method, response.status_code, body, dict(response.headers)))

    for body in CREATE_FORMS.values():
        record("/api/problems", "post", client.post("/api/problems", json=body))
    code = hand_code(client)
    record("/api/problems/{code}", "get", client.get(f"/api/problems/{code}"))
    record("/api/problems/{code}/solution", "get", client.get(f"/api/problems/{code}/solution"))
    mixed = {"h_z": [["abc", 3], [" 4 ", None], [1.5, True]], "h": [[3, 1], [0, 0], [0, 0]]}
    for answers in ({}, HAND_SOLUTION, mixed):
        record("/api/problems/{code}/check", "post", client.post(f"/api/problems/{code}/check", json=answers))
    record("/api/", "get", client.get("/api/"))
    record("/api/openapi.json", "get", client.get("/api/openapi.json"))
    record("/api/problems", "post", client.post("/api/problems", json={"seed": -1}))
    record("/api/problems", "post", client.post("/api/problems", data=b"x" * (LIMIT + 1)))
    record("/api/problems/{code}", "get", client.get("/api/problems/ZZZ"))
    record("/api/problems/{code}/solution", "get", client.get("/api/problems/G0000-0GM91/solution"))
    working = f"/api/problems/{code}/working"
    for query in ("matrix=h_z&row=0&col=1", "matrix=h&row=2&col=0", "matrix=y_z&row=0&col=0",
                  "matrix=y&row=7&col=0", "matrix=W1&row=0&col=0", "row=x"):
        record("/api/problems/{code}/working", "get", client.get(f"{working}?{query}"))
    record("/api/problems/{code}/working", "get", client.get("/api/problems/ZZZ/working"))
    checking = f"/api/problems/{code}/check"
    record("/api/problems/{code}/check", "post", client.post(checking, json={"h": [[1]]}))
    record("/api/problems/{code}/check", "post", client.post("/api/problems/ZZZ/check", json={}))
    record("/api/problems/{code}/check", "post", client.post(checking, data=b"x" * (LIMIT + 1)))
    coding = f"/api/problems/{code}/code-check"
    for lines in ({}, {"h_z": ["W1", "x_batch", "b1"], "h": "h_z * (h_z > 0)", "y_z": "W2 @", "y": None},
                  {"h_z": "lambda: 0"}, {"h": ["h_z"]}):
        record("/api/problems/{code}/code-check", "post", client.post(coding, json=lines))
    record("/api/problems/{code}/code-check", "post", client.post("/api/problems/ZZZ/code-check", json={}))
    record("/api/problems/{code}/code-check", "post", client.post(coding, data=b"x" * (LIMIT + 1)))
    _observe_classes(client, record)
    return seen


def _observe_classes(client, record) -> None:
    """Every class operation, with each status it gives (tests/test_classes_api.py tests what they mean)."""
    made = client.post("/api/classes", json={"name": "7B", "preset": "classic", "problems": 1})
    record("/api/classes", "post", made)
    record("/api/classes", "post", client.post("/api/classes", json={"name": "7B"}))
    made = made.get_json()
    teacher = {"Authorization": f"Bearer {made['teacher_token']}"}
    joining = f"/api/classes/{made['join_code']}/students"
    joined = client.post(joining, json={"name": "Ada"})
    record("/api/classes/{join_code}/students", "post", joined)
    record("/api/classes/{join_code}/students", "post", client.post(joining, json={"name": ""}))
    record("/api/classes/{join_code}/students", "post", client.post("/api/classes/ZZZZ/students", json={}))
    student = joined.get_json()
    mine = student["problems"][0]["code"]
    record("/api/problems/{code}/check", "post",
           client.post(f"/api/problems/{mine}/check", json={}, headers={"Authorization": "Bearer x"}))
    record("/api/problems/{code}/check", "post",
           client.post(f"/api/problems/{mine}/check", json={}, headers={"Authorization": "Basic x"}))
    record("/api/problems/{code}/check", "post", client.post(
        f"/api/problems/{hand_code(client)}/check", json={},
        headers={"Authorization": f"Bearer {student['student_token']}"}))
    base = f"/api/classes/{made['id']}"
    record("/api/classes/{class_id}/results", "get", client.get(base + "/results", headers=teacher))
    record("/api/classes/{class_id}/results", "get", client.get(base + "/results"))
    record("/api/classes/{class_id}/results", "get", client.get("/api/classes/x/results", headers=teacher))
    record("/api/classes/{class_id}/results.csv", "get", client.get(base + "/results.csv", headers=teacher))
    record("/api/classes/{class_id}/results.csv", "get", client.get(base + "/results.csv"))
    record("/api/classes/{class_id}/close", "post", client.post(base + "/close", headers=teacher))
    record("/api/classes/{class_id}/close", "post", client.post(base + "/close"))
    record("/api/classes/{join_code}/students", "post", client.post(joining, json={"name": "Late"}))
    record("/api/classes/{class_id}/reopen", "post", client.post(base + "/reopen", headers=teacher))
    record("/api/classes/{class_id}/reopen", "post", client.post("/api/classes/x/reopen", headers=teacher))
    removing = f"{base}/students/{student['student_id']}"
    for _ in range(2):  # removed, then not there
        record("/api/classes/{class_id}/students/{student_id}", "delete",
               client.delete(removing, headers=teacher))
    record("/api/classes/{class_id}", "delete", client.delete(base))
    record("/api/classes/{class_id}", "delete", client.delete(base, headers=teacher))
    record("/api/classes/{class_id}", "delete", client.delete(base, headers=teacher))


def test_every_response_has_exactly_the_documented_keys(client, spec):
    observed = _observed(client)
    assert {(path, method) for path, method, *_ in observed} == operations(spec)
    assert {status for *_, status, _, _ in observed} >= {200, 201, 204, 400, 401, 403, 404, 409, 413}
    for path, method, status, body, headers in observed:
        schema = response_schema(spec, path, method, status)
        errors = conform(spec, schema, body, exact=True) if schema else []
        assert errors == [], (method, path, status, errors)
        if schema is None:  # no content (204), or not JSON: the CSV gradebook
            content = resolve(spec, spec["paths"][path][method]["responses"][str(status)]).get("content", {})
            assert (list(content) == [headers["Content-Type"].split(";")[0]]) if content else body == ""
        documented = resolve(spec, spec["paths"][path][method]["responses"][str(status)])
        for name, header in documented.get("headers", {}).items():
            if header.get("required"):
                assert name in headers, (path, status, name)


def test_a_405_has_the_documented_shape(client, spec):
    response = client.get("/api/problems")
    assert response.status_code == 405
    schema = spec["components"]["responses"]["MethodNotAllowed"]["content"]["application/json"]["schema"]
    assert conform(spec, schema, response.get_json(), exact=True) == []


# --- the working of a cell, and the slip behind a wrong one -----------------------------------

def test_working_of_every_cell_adds_up_to_the_solution(client):
    code = hand_code(client)
    solution = client.get(f"/api/problems/{code}/solution").get_json()
    problem = client.get(f"/api/problems/{code}").get_json()
    for name, grid in solution.items():
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                body = client.get(f"/api/problems/{code}/working?matrix={name}&row={i}&col={j}").get_json()
                assert body["value"] == value
                if name in ("h_z", "y_z"):
                    total = sum(w * x for w, x in body["terms"]) + body["bias"]
                    assert total == value
                    w = problem["W1" if name == "h_z" else "W2"][i]
                    assert [t[0] for t in body["terms"]] == w
                    assert body["w_row"] == {"matrix": "W1" if name == "h_z" else "W2", "row": i}
                else:
                    assert body["terms"] == [] and body["bias"] is None
                    assert body["source"] == {"matrix": "h_z" if name == "h" else "y_z", "row": i, "col": j}


@pytest.mark.parametrize("query, words", [
    ("matrix=h_z&row=9&col=0", "row must be a whole number from 0 to"),
    ("matrix=W1&row=0&col=0", "matrix must be one of"),
    ("matrix=h_z&row=-1&col=0", "row must be a whole number"),
    ("matrix=h_z&row=0", "col must be a whole number"),
])
def test_working_refuses_bad_cells_with_a_message(client, query, words):
    response = client.get(f"/api/problems/{hand_code(client)}/working?{query}")
    assert response.status_code == 400
    assert words in response.get_json()["error"]


def test_a_missing_bias_is_diagnosed_in_the_check(client):
    code = hand_code(client)
    problem = client.get(f"/api/problems/{code}").get_json()
    W1, X, b1 = np.array(problem["W1"]), np.array(problem["X"]), np.array(problem["b1"])
    row = int(np.flatnonzero(b1)[0])  # a row whose bias is not 0
    answer = [[None] * X.shape[1] for _ in range(W1.shape[0])]
    answer[row][0] = int((W1 @ X)[row, 0])
    cell = check(client, code, {"h_z": answer})["cells"]["h_z"][row][0]
    assert (cell["status"], cell["diagnosis"]) == ("wrong", "no_bias")
    assert "bias" in cell["message"]


# --- help counted apart --------------------------------------------------------------------


def test_correct_cells_the_student_was_helped_with_are_counted_apart(client):
    code = hand_code(client)
    solution = client.get(f"/api/problems/{code}/solution").get_json()
    answers = {**solution, "helped": [["h_z", 0, 0], ["h_z", 1, 1], ["y", 0, 1]]}
    answers["h_z"] = [row[:] for row in solution["h_z"]]
    answers["h_z"][1][1] += 5  # helped, and still wrong: not counted
    report = check(client, code, answers)
    assert report["score"]["with_help"] == 2 and report["score"]["correct"] == report["score"]["total"] - 1
    assert report["summary"].startswith(f"{report['score']['correct']} of {report['score']['total']}"
                                        " correct (2 with help)")
    assert check(client, code, solution)["score"]["with_help"] == 0


@pytest.mark.parametrize("helped", [
    "h_z-0-0", [["h_z", 0]], [["W1", 0, 0]], [["h_z", 9, 0]], [["h_z", -1, 0]], [["h_z", 0, True]],
    [["h_z", 0, 0.0]], [[0, 0, 0]], [["h_z", 0, 0]] * 200,
])
def test_bad_helped_cells_get_a_400_that_says_what_helped_is(client, helped):
    code = hand_code(client)
    response = client.post(f"/api/problems/{code}/check", json={"helped": helped})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "helped must be a list of [matrix, row, column] cells of this problem (0-based)."}
