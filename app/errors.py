"""Every error as a plain message: JSON under /api, a page everywhere else.

No input may produce a 500 with a stack trace; the catch-all handler logs the
exception and still answers in the same two shapes.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .contexts import ErrorPage, render

MESSAGES = {
    400: "The request could not be read.",
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    408: "The request took too long to arrive; please try again.",
    413: "The request is too large: bodies are limited to {limit} KiB.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def respond(status: int, message: str):
    if wants_json():
        return {"error": message}, status
    return render("error.html", ErrorPage(status=status, message=message)), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = MESSAGES.get(error.code, error.description or error.name)
        limit = app.config["MAX_CONTENT_LENGTH"] // 1024
        body, status = respond(error.code or 500, message.format(limit=limit))
        # Keep the exception's own headers but its content type: a 405's Allow (RFC 9110).
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error", exc_info=error)
        return respond(500, InternalServerError.description)
