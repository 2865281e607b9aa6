"""The JSON API, a public contract: field names here never change.

Each route translates JSON to a core call and back; every error is
``{"error": message}`` with a 4xx status (see errors.py). The contract is
written down in openapi.json, served at /api/openapi.json.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, request, url_for

from .apibody import BadRequest
from .apibody import body as _body
from .core import problem_request
from .core.answers import AnswerError, answers_from_json, helped_from_json
from .core.codecheck import CodeRefused, check_lines, summary
from .core.codes import CodeError, Loaded, display, load
from .core.grading import grade
from .core.problem import MAX_SIZE, ProblemError, solve
from .core.working import working

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = Path(__file__).with_name("openapi.json")


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}  # a check's token (RFC 6750)
    return {"error": str(error)}, error.status, headers


@bp.errorhandler(ProblemError)
@bp.errorhandler(AnswerError)
def bad_problem(error: ValueError):
    return {"error": str(error)}, 400


def _load(code: str) -> Loaded:
    try:
        return load(code)
    except CodeError as error:
        raise BadRequest(str(error), 404) from None


def _problem_json(code: str, problem) -> dict:
    return {"code": display(code), **problem.as_lists()}


@bp.post("/problems")
def create():
    code = problem_request.code_for(_body())
    body = _problem_json(code, load(code).problem)
    body["url"] = url_for("practice.problem", code=code)
    return body, 201, {"Location": url_for("api.show", code=code)}


@bp.get("/problems/<code>")
def show(code: str):
    loaded = _load(code)
    return _problem_json(loaded.code, loaded.problem)


@bp.get("/problems/<code>/solution")
def solution(code: str):
    problem = _load(code).problem
    return solve(problem).as_lists()


@bp.get("/problems/<code>/working")
def show_working(code: str):
    problem = _load(code).problem
    args = request.args
    try:
        found = working(problem, args.get("matrix", ""), _index(args, "row"), _index(args, "col"))
    except ValueError as error:
        raise BadRequest(str(error)) from None
    return found.as_dict()


def _index(args, name: str) -> int:
    text = args.get(name, "")
    if not text.isascii() or not text.isdigit() or len(text) > 2:
        raise BadRequest(f"{name} must be a whole number from 0 to {MAX_SIZE - 1}.")
    return int(text)


@bp.post("/problems/<code>/check")
def check(code: str):
    """Marks for every cell; with a student's Bearer token, the check is also
    recorded for their class ("recorded"), and only their own problems are taken."""
    loaded = _load(code)
    problem = loaded.problem
    tokened = "Authorization" in request.headers
    if tokened:
        from . import classes_api  # the classes' side: the database is opened for a token only

        student = classes_api.student_of_request(display(loaded.code))
    body = _body()
    answers = answers_from_json(problem.sizes, body)
    helped = helped_from_json(problem.sizes, body.get("helped"))
    report = grade(problem, answers, helped=helped)
    cells = {
        name: [[{"status": mark.status, "message": mark.message, "diagnosis": mark.diagnosis}
                for mark in row] for row in grid]
        for name, grid in report.marks.items()
    }
    score = {"correct": report.counts["correct"], "carried": report.counts["carried"],
             "total": report.total, "wrong": report.counts["wrong"],
             "invalid": report.counts["invalid"], "blank": report.counts["blank"],
             "with_help": report.with_help}
    answer = {"score": score, "summary": report.summary(), "cells": cells}
    if tokened:
        return classes_api.answer_recorded(student, display(loaded.code), answers, report, helped, answer)
    return answer


@bp.post("/problems/<code>/code-check")
def code_check(code: str):
    """Fill-in-the-code: each line of the forward pass read, never run, and marked."""
    problem = _load(code).problem
    try:
        marks = check_lines(problem.sizes, _body())
    except CodeRefused as error:
        raise BadRequest(str(error)) from None
    score, line = summary(marks)
    lines = {name: {"status": mark.status, "message": mark.message, "diagnosis": mark.diagnosis}
             for name, mark in marks.items()}
    return {"score": score, "summary": line, "lines": lines}


@bp.get("/openapi.json")
def openapi():
    return Response(OPENAPI.read_bytes(), mimetype="application/json")


@bp.get("/")
def index():
    return {"openapi": url_for("api.openapi"), "docs": "See the OpenAPI document for every route."}



