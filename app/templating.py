"""Template helpers: the number filter (core.wording.number, as the core writes
numbers), and static URLs that carry a hash of their file, so browsers can keep
them for a year and still never see a stale one."""

from __future__ import annotations

import hashlib
from functools import lru_cache, partial
from pathlib import Path

from flask import Flask, Response, request, url_for

from . import marks
from .core.wording import factor, number


@lru_cache(maxsize=64)
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["factor"] = factor
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # The grids' cells draw their marks through the remembered macro (app/marks.py).
    app.jinja_env.globals["cached_markbox"] = partial(marks.markbox, app.jinja_env)

    @app.after_request
    def cache_static(response: Response) -> Response:
        # A versioned URL (?v=<hash>) names one exact file: cache it for a year.
        # Without the version, revalidate each time (Flask sends an ETag).
        if request.endpoint == "static" and response.status_code == 200:
            versioned = "v" in request.args
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "no-cache")
        return response

    @app.template_global()
    def static_url(filename: str) -> str:
        """A static URL carrying a hash of the file, so it can be cached for long."""
        path = Path(app.static_folder) / filename
        try:
            version = _digest(str(path), path.stat().st_mtime)
        except OSError:
            version = "missing"
        return url_for("static", filename=filename, v=version)
