"""Template helpers: how numbers look, and static URLs that carry a hash of
their file, so browsers can keep them for a year and still never see a stale one."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, url_for
from markupsafe import Markup

from .core.grading import field_id


def number(value: int) -> str:
    """Negative numbers with a true minus sign (U+2212), as in print: it is as
    wide as a digit in tabular figures, so columns line up."""
    return f"\u2212{-value}" if value < 0 else str(value)


@lru_cache(maxsize=64)
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @lru_cache(maxsize=8192)
    def markbox(field: str, mark, controls: bool = False, oob: bool = False):
        """The markbox macro of _grid.html, remembered: most cells of most checks
        carry the same few marks ("h_z-0-0", correct), and rendering 36 of them
        anew was most of the cost of a check (see README, Performance)."""
        return app.jinja_env.get_template("_grid.html").module.markbox(field, mark, controls, oob)

    app.jinja_env.globals["cached_markbox"] = markbox

    def markboxes(report, revealed: frozenset[str]):
        """Every cell's markbox for the htmx check, out of band; joined here
        rather than in a template loop, which cost a third of a check."""
        # Each piece is already Markup, so a plain join is safe (and skips re-escaping).
        return Markup("\n".join(markbox(field_id(name, i, j), mark, True, True)
                                 for name, i, j, mark in report.cells() if name not in revealed))

    app.jinja_env.globals["markboxes"] = markboxes

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
