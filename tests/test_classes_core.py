"""The pure rules of classes (app/core/classroom.py): join codes, names, what a
class is assigned, each student's version, and what the teacher is shown."""

from __future__ import annotations

import csv
import io
import random
import secrets
from datetime import datetime, timedelta

import numpy as np
import pytest

from app.core import classroom, codes, worksheet
from app.core.answers import answers_from_json
from app.core.classroom import (
    MAX_NAME,
    Assignment,
    ClassError,
    ClassInfo,
    Progress,
    StudentRecord,
    aggregate,
    check_name,
    codes_for_student,
    gradebook_csv,
    normalize_join_code,
    spreadsheet_safe,
    summarize,
)
from app.core.grading import grade
from app.core.problem import Sizes, solve

NOW = datetime(2026, 12, 2, 9, 0, 0)
CODE = classroom.codes_for_student(classroom.assignment("classic", problems=1, seed=11), 1)[0]


# --- join codes -------------------------------------------------------------------


def test_join_codes_are_seven_symbols_never_a_scheme_letter_first_and_read_back_forgivingly():
    rng = random.Random(7)
    for _ in range(500):
        code = classroom.new_join_code(rng.randrange)
        assert len(code) == 7 and code[0] not in "GHCW" and codes.checks_out(code)
        shown = classroom.display_join_code(code)
        assert shown == f"{code[:4]}-{code[4:]}"
        typed = shown.lower().replace("0", "o").replace("1", "l")
        assert normalize_join_code(f" {typed} ") == code


def test_every_single_typo_and_swap_in_a_join_code_is_caught():
    code = classroom.new_join_code(secrets.randbelow)
    for place in range(len(code)):
        for symbol in codes.ALPHABET:
            typo = code[:place] + symbol + code[place + 1:]
            if typo != code:
                with pytest.raises(ClassError):
                    normalize_join_code(typo)
    for place in range(len(code) - 1):
        swapped = code[:place] + code[place + 1] + code[place] + code[place + 2:]
        if swapped != code:
            with pytest.raises(ClassError):
                normalize_join_code(swapped)


@pytest.mark.parametrize("typed, message", [
    ("", "has 7 symbols; this one has 0"), ("K3QM7W", "this one has 6"), ("K3QM-7WX!", "'!'"),
    (12, "7 letters and digits"), ("x" * 41, "7 letters and digits")])
def test_a_join_code_that_is_not_one_says_why(typed, message):
    with pytest.raises(ClassError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalize_join_code(typed)


def test_a_problem_code_is_never_a_join_code():
    assert not classroom.is_join_code("G1A2B-3C4DX")
    assert not classroom.is_join_code(codes.with_check_symbol("G12345"))


# --- names ------------------------------------------------------------------------


def test_names_are_kept_tidy_and_within_their_limit():
    assert check_name("  Ada \n Lovelace ") == "Ada Lovelace"
    assert check_name("é" * MAX_NAME) == "é" * MAX_NAME
    assert check_name("=1+1") == "=1+1"  # kept as typed; escaped where shown (CSV, HTML)
    for bad, message in [("", "cannot be empty"), ("   ", "cannot be empty"), ("x" * 41, "at most 40"),
                         ("a\x00b", "cannot be shown"), ("evil\u202etxt", "cannot be shown"),
                         (None, "must be text"), (["Ada"], "must be text")]:
        with pytest.raises(ClassError, match=message):
            check_name(bad)


# --- assignments and versions -----------------------------------------------------


def test_student_n_gets_the_worksheets_version_n():
    given = classroom.assignment("gentle", problems=3, seed=4242)
    sheet = worksheet.versions(given.settings(versions=60))
    for number in (1, 2, 17, 60):
        assert codes_for_student(given, number) == tuple(item.code for item in sheet[number - 1].items)
    everyone = {code for n in range(1, classroom.MAX_STUDENTS + 1) for code in codes_for_student(given, n)}
    assert len(everyone) == 3 * classroom.MAX_STUDENTS  # every problem of the class is different


def test_the_versions_do_not_depend_on_the_order_students_join_in():
    given = classroom.assignment("classic", problems=2, seed=99)
    late = codes_for_student(given, 250)
    classroom._STREAMS.clear()
    assert codes_for_student(given, 250) == late
    assert codes_for_student(given, 3) == tuple(
        item.code for item in worksheet.versions(given.settings(versions=3))[2].items)


def test_sizes_with_few_problems_give_their_versions_out_again_once_all_are_given():
    tiny = Sizes(1, 1, 1, 1)
    given = classroom.assignment(sizes=tiny, problems=6, seed=5)
    versions = [codes_for_student(given, n) for n in range(1, classroom.MAX_STUDENTS + 1)]
    distinct = list(dict.fromkeys(versions))
    assert 1 <= len(distinct) < 50 and versions[:len(distinct)] == distinct  # every version once, first
    assert versions[len(distinct)] == distinct[0] and all(len(set(v)) == 6 for v in versions)
    for order in ([300, 1, 150], [7, 300], [11, 12, 300]):  # in a fresh worker, whoever joins first
        classroom._STREAMS.clear()
        assert [codes_for_student(given, n) for n in order] == [versions[n - 1] for n in order]


def test_listed_codes_go_to_everyone_and_custom_codes_are_welcome():
    problem = worksheet.versions(classroom.assignment("gentle", seed=1).settings(versions=1))[0].items[0]
    custom = codes.display(codes.custom_code(problem.problem))
    given = classroom.assignment_from_json({"codes": [problem.code.lower(), custom]}, seed=5)
    assert given.kind == "codes" and given.problems == 2
    assert codes_for_student(given, 1) == codes_for_student(given, 300) == (problem.code, custom)


@pytest.mark.parametrize("body, message", [
    ({}, "exactly one"), ({"preset": "classic", "codes": ["x"]}, "exactly one"),
    ({"preset": "huge"}, "Unknown preset"), ({"preset": 3}, "preset must be"),
    ({"preset": "classic", "problems": 7}, "from 1 to 6"),
    ({"preset": "classic", "problems": "2"}, "from 1 to 6"),
    ({"sizes": {"inputs": 9, "hidden": 1, "outputs": 1, "batch": 1}}, "from 1 to 6"),
    ({"sizes": [1, 2]}, "sizes must be"), ({"codes": []}, "at least one"),
    ({"codes": "G1"}, "must be a list"),
    ({"codes": ["G0000-00000"]}, "Code 1"), ({"codes": ["H"] * 7}, "at most 6"),
])
def test_an_assignment_that_cannot_be_says_why(body, message):
    with pytest.raises(ClassError, match=message):
        classroom.assignment_from_json(body, seed=1)


def test_an_assignment_is_stored_and_read_back_whole():
    for body in ({"preset": "challenge", "problems": 6},
                 {"sizes": {"inputs": 1, "hidden": 2, "outputs": 3, "batch": 4}, "problems": 1}):
        given = classroom.assignment_from_json(body, seed=77)
        assert Assignment.from_dict(given.as_dict()) == given


def test_closing_times_need_an_offset_and_a_future():
    when = classroom.parse_closes_at("2026-12-24T16:00:00+01:00", NOW)
    assert when == datetime(2026, 12, 24, 15, 0, 0)
    assert classroom.iso(when) == "2026-12-24T15:00:00Z"
    for bad, message in [("2026-12-24T16:00:00", "offset"), ("tomorrow", "offset"), (5, "offset"),
                         ("0001-01-01T00:00:00+14:00", "offset"), ("9999-12-31T23:59:59-14:00", "offset"),
                         ("2020-01-01T00:00:00Z", "in the past")]:
        with pytest.raises(ClassError, match=message):
            classroom.parse_closes_at(bad, NOW)


# --- what the teacher sees ---------------------------------------------------------


def _check(code: str, wrong: dict[str, int]) -> classroom.CheckSummary:
    problem = codes.load(code).problem
    rows = solve(problem).as_lists()
    for field_, value in wrong.items():
        name, i, j = field_.rsplit("-", 2)
        rows[name][int(i)][int(j)] = value
    return summarize(grade(problem, answers_from_json(problem.sizes, rows)))


def _relu_missed(code: str) -> dict[str, int] | None:
    """A cell of h holding its negative h_z, where diagnosis names that slip (it
    names a slip only when it is the likely one, so not in every problem)."""
    expected = solve(codes.load(code).problem)["h_z"]
    for (i, j), value in np.ndenumerate(expected):
        if value < 0 and ("h", "relu_missed") in _check(code, typed := {f"h-{i}-{j}": int(value)}).slips:
            return typed
    return None


SLIP_CODE, SLIP = next((code, typed) for n in range(1, 40)
                       for code in codes_for_student(classroom.assignment("classic", seed=11), n)
                       if code != CODE and (typed := _relu_missed(code)) is not None)  # two problems


def test_a_check_leaves_its_counts_wrong_cells_and_named_slips():
    code, typed = SLIP_CODE, SLIP
    problem = codes.load(code).problem
    summary = _check(code, typed)
    assert summary.total == problem.sizes.answer_cells()
    (field_,) = typed
    name, i, j = field_.rsplit("-", 2)
    assert (name, int(i), int(j)) in summary.wrong
    assert summary.correct + summary.carried + len(summary.wrong) == summary.total
    assert summary.slips == {("h", "relu_missed")}


def _info(students: int = 0) -> ClassInfo:
    return ClassInfo("cls1", "7B", "K3QM7WX", classroom.assignment("classic", problems=2, seed=3), NOW,
                     None, False, students, NOW)


def test_results_count_each_slip_once_per_student_and_map_wrong_cells_by_shape():
    given = classroom.assignment(listed=[SLIP_CODE, CODE], seed=3)
    records = []
    for number, name in enumerate(["Ada", "Bo", "Cy"], 1):
        mine = codes_for_student(given, number)
        progress = [Progress(code, codes.load(code).problem.sizes.answer_cells()) for code in mine]
        if name != "Cy":  # Ada and Bo keep a negative h_z in h, then put it right; Cy has not checked
            for k, code in enumerate(mine):
                progress[k] = progress[k].after(_check(code, SLIP if code == SLIP_CODE else {}),
                                                NOW + timedelta(minutes=k))
                progress[k] = progress[k].after(_check(code, {}), NOW + timedelta(minutes=5 + k))
        records.append(StudentRecord(f"s{number}", name, NOW - timedelta(hours=1), progress))
    results = aggregate(_info(3), records)
    assert [s.name for s in results.students] == ["Ada", "Bo", "Cy"]
    ada = results.students[0]
    assert [p.checks for p in ada.problems] == [2, 2]
    assert all(p.correct == p.total for p in ada.problems)  # the latest check counts
    assert ada.last_activity == NOW + timedelta(minutes=6)
    assert results.students[2].last_activity == NOW - timedelta(hours=1)
    assert results.slips == [classroom.SlipCount("h", "relu_missed", 2)]
    (heat,) = results.heatmaps
    (field_,) = SLIP
    _, i, j = field_.split("-")
    assert heat.students == 2 and heat.wrong["h"][int(i)][int(j)] == 2
    assert sum(map(sum, heat.wrong["h"])) == 2 and sum(map(sum, heat.wrong["h_z"])) == 0
    body = results.as_dict()
    assert body["slips"] == [{"matrix": "h", "kind": "relu_missed", "students": 2}]
    assert body["students"][0]["problems"][0]["last_check_at"] == "2026-12-02T09:05:00Z"


def test_the_stored_marks_read_back_the_same():
    progress = Progress(CODE, 36).after(_check(CODE, {"h-0-0": 9, "y_z-1-1": 9}), NOW)
    wrong, slips = Progress.from_marks_json(progress.marks_json())
    assert wrong == progress.wrong and slips == progress.slips and len(wrong) >= 2


# --- the gradebook -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "＝1+1"])
def test_anything_a_spreadsheet_would_run_is_made_text(text):
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_safe("Ada " + text) == "Ada " + text


def test_the_gradebook_has_a_row_per_student_and_no_formula():
    given = classroom.assignment("classic", problems=2, seed=3)
    first, second = codes_for_student(given, 1)
    ada = [Progress(first, 36).after(_check(first, {}), NOW), Progress(second, 36)]
    mallory = [Progress(first, 36), Progress(second, 36)]
    results = aggregate(_info(2), [StudentRecord("s1", "Ada, \"the first\"", NOW, ada),
                                   StudentRecord("s2", "=cmd|' /C calc'!A0", NOW, mallory)])
    text = gradebook_csv(results)
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    assert header[:4] == ["Name", "Problem 1", "Problem 1 correct", "Problem 1 cells"]
    assert len(rows) == 3 and all(len(row) == len(header) for row in rows)
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["Ada, \"the first\""]["Correct"] == "36"
    assert by_name["Ada, \"the first\""]["Cells"] == "72"
    assert by_name["Ada, \"the first\""]["Percent correct"] == "50.0"
    assert "'=cmd|' /C calc'!A0" in by_name
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
