"""What every JSON route shares: reading the body, and an error with its status.

Its own module so that the problem routes (app/api.py) and the class routes
(app/classes_api.py) can both use it without importing each other.
"""

from __future__ import annotations

from flask import request


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def body() -> dict:
    """The request's JSON object, or a BadRequest."""
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # deeply nested arrays: `silent` only covers ValueError
        data = None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data
