"""The classes' JSON API (openapi.json): make a class, join it, read its results.

A teacher's token opens their class (``Authorization: Bearer <teacher_token>``);
a student's token makes their checks count (app/api.py's check route calls
`student_of_request`). The error contract, the same on every route:

* no token: 401, with ``WWW-Authenticate: Bearer``;
* a wrong token, an unknown class, id or join code: 404, the same message for
  each, so that a guesser learns nothing (failures are rate-limited: app/ratelimit.py);
* joining a closed or full class: 409; anything else unreadable: 400;
* the database unavailable: 503. Every error is ``{"error": message}``.
"""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from . import ratelimit, recording
from .apibody import BadRequest
from .apibody import body as _body
from .classroom import store
from .classroom.db import Unavailable
from .core import classroom
from .core.classroom import ClassClosed, ClassError, ClassFull
from .core.generate import MAX_SEED

bp = Blueprint("classes_api", __name__, url_prefix="/api")
log = logging.getLogger(__name__)

NOT_FOUND = "There is no class here, or the token does not open it."
NO_STUDENT = "This token opens no student of a class."
NEEDS_TOKEN = "Send the token as Authorization: Bearer <token>."


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    return {"error": str(error)}, error.status, headers


@bp.errorhandler(ClassError)
def bad_class(error: ClassError):
    return {"error": str(error)}, 409 if isinstance(error, ClassClosed | ClassFull) else 400


@bp.errorhandler(SQLAlchemyError)
@bp.errorhandler(Unavailable)
def unavailable(error: Exception):
    log.error("classes database unavailable: %s", error)
    return {"error": "Classes are unavailable just now; practice still works. Try again in a minute."}, 503


def bearer_token() -> str | None:
    """The Bearer token of the request; None without an Authorization header,
    a 401 when the header is there but holds no Bearer token."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise BadRequest(NEEDS_TOKEN, 401)
    return token


def _teacher_class(class_id: str) -> classroom.ClassInfo:
    token = bearer_token()
    if token is None:
        raise BadRequest(NEEDS_TOKEN, 401)
    found = store.class_for_teacher(class_id, token)
    if found is None:
        raise BadRequest(NOT_FOUND, 404)
    return found


def student_of_request(code: str) -> store.StudentRow | None:
    """For a check of `code` (display form): the student whose Bearer token came
    with it (None without one); 404 for a token that opens no student, 403 when
    `code` is not one of their problems. None too when the database fails: the
    check is answered all the same, and says it was not recorded.

    A student's token is 128 random bits: no guesser finds one, so a check that
    presents one that opens a student is never refused by the rate limit (which
    limits failures, not successes), and the lookup is remembered (the check's
    write finds out if the student has gone since: `answer_recorded`). Only a
    token that opens nothing is a failure, refused with a 429 once its address
    has failed too often."""
    token = bearer_token()
    if token is None:
        return None
    try:
        student = store.student_for_token(token, remembered=True)
    except (SQLAlchemyError, Unavailable) as error:
        log.error("a student's token could not be looked up: %s", error)
        return None
    if student is None:
        ratelimit.refuse_if_limited()
        raise BadRequest(NO_STUDENT, 404)
    if code not in student.codes:
        raise BadRequest(f"{code} is not one of your class problems; yours are {', '.join(student.codes)}.",
                         403)
    return student


def public_base() -> str:
    configured = current_app.config.get("PUBLIC_URL")
    return str(configured).rstrip("/") if configured else request.host_url.rstrip("/")


def join_url(join_code: str) -> str:
    return f"{public_base()}/c/{classroom.display_join_code(join_code)}"


@bp.post("/classes")
def create():
    body = _body()
    unknown = sorted(str(key)[:20] for key in body if key not in ("name", "preset", "sizes", "codes",
                                                                    "problems", "closes_at"))
    if unknown:
        raise BadRequest(f"Unknown field {unknown[0]!r}; send name, preset, sizes or codes, problems "
                         "and closes_at.")
    given = classroom.assignment_from_json(body, seed=secrets.randbelow(MAX_SEED + 1))
    closes_at = classroom.parse_closes_at(body.get("closes_at"), store.now())
    made = store.create_class(body.get("name"), given, closes_at)
    result = {"id": made.id, "name": made.name, "join_code": classroom.display_join_code(made.join_code),
              "join_url": join_url(made.join_code),
              "teacher_url": f"{public_base()}/classes/{made.id}/t/{made.teacher_token}",
              "teacher_token": made.teacher_token}
    return result, 201, {"Location": url_for("classes_api.results", class_id=made.id)}


@bp.post("/classes/<join_code>/students")
def join(join_code: str):
    body = _body()
    unknown = sorted(str(key)[:20] for key in body if key != "name")
    if unknown:
        raise BadRequest(f"Unknown field {unknown[0]!r}; send only the student's name.")
    name = body.get("name")
    try:
        joined = store.join(join_code, name)
    except LookupError:
        raise BadRequest(NOT_FOUND, 404) from None
    except ClassError as error:
        if classroom.is_join_code(join_code) or isinstance(error, ClassClosed | ClassFull):
            raise
        raise BadRequest(NOT_FOUND, 404) from None
    problems = [{"code": code, "url": url_for("practice.problem", code=code)}
                for code in joined.codes]
    return {"student_id": joined.student_id, "student_token": joined.student_token,
            "class_id": joined.class_id, "problems": problems,
            "resume_url": f"{public_base()}/me/r/{joined.student_token}"}, 201


@bp.get("/classes/<class_id>/results")
def results(class_id: str):
    _teacher_class(class_id)
    found = store.results(class_id)
    if found is None:  # deleted in between
        raise BadRequest(NOT_FOUND, 404)
    return found.as_dict()


@bp.get("/classes/<class_id>/results.csv")
def results_csv(class_id: str):
    info = _teacher_class(class_id)
    text = store.gradebook_csv(class_id)
    if text is None:
        raise BadRequest(NOT_FOUND, 404)
    safe_name = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in info.name).strip("-")[:40]
    filename = f"handgrid-{safe_name or 'class'}.csv"
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.post("/classes/<class_id>/close")
def close(class_id: str):
    _teacher_class(class_id)
    store.close(class_id)
    return {"class": _info(class_id)}


@bp.post("/classes/<class_id>/reopen")
def reopen(class_id: str):
    _teacher_class(class_id)
    store.reopen(class_id)
    return {"class": _info(class_id)}


def _info(class_id: str) -> dict:
    found = store.class_by_id(class_id)
    if found is None:
        raise BadRequest(NOT_FOUND, 404)
    return found.as_dict()


@bp.delete("/classes/<class_id>")
def delete(class_id: str):
    _teacher_class(class_id)
    store.delete(class_id)
    return Response(status=204)


@bp.delete("/classes/<class_id>/students/<student_id>")
def remove_student(class_id: str, student_id: str):
    _teacher_class(class_id)
    if not store.remove_student(class_id, student_id):
        raise BadRequest("There is no such student in this class.", 404)
    return Response(status=204)


def answer_recorded(student: store.StudentRow | None, code: str, answers, report, helped: frozenset[str],
                    answer: dict) -> Response:
    """The answer to a check that came with a student's token: `answer` and whether
    the check was recorded, sent only once it is on disk (app/recording.py). Not
    recorded when the class is closed or the database fails (the check is still
    answered: the student loses nothing); a 404 when the student has gone since."""
    dumps = current_app.json.dumps  # `finish` runs outside the request
    token = bearer_token() or ""
    database = store.database()
    # Written now, and "recorded" put before the object's closing brace once it is known:
    # the answer's many small objects are not kept alive while the check waits for its
    # commit (Python's collector went through them again and again: 20 µs a check).
    opened = dumps(answer).encode()[:-1]

    def finish(outcome: store.Outcome) -> tuple[int, bytes]:
        if outcome is store.Outcome.GONE:
            store.forget_student(token, database)
            return 404, dumps({"error": NO_STUDENT}).encode()
        recorded = b"true" if outcome is store.Outcome.RECORDED else b"false"
        return 200, opened + b',"recorded":' + recorded + b"}"

    if student is None:  # the database failed to look the token up
        status, body = finish(store.Outcome.FAILED)
        return Response(body, status=status, mimetype="application/json")
    check = store.check_to_store(student, code, answers, report, helped)
    return recording.answer_when_stored(check, finish, "application/json")


