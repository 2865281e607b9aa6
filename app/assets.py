"""Our own scripts and stylesheets as sent: minified, once per version of each file.

The sources in static/ are written to be read, with comments that say why; a
phone on a school's Wi-Fi only needs the code. rjsmin and rcssmin (small,
well-kept minifiers from PyPI) cut handgrid.js and handgrid.css to about two
thirds of their gzipped size, which keeps the practice page and everything it
loads within its budget (tests/test_performance.py). There is no build step:
a file is minified the first time it is asked for after it changes (its
modification time is part of the key), and every other static file goes out
as Flask sends it. The vendored htmx is minified already.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin
from flask import Flask, Response, send_file
from werkzeug.security import safe_join

MINIFIERS = {".js": ("text/javascript", rjsmin.jsmin), ".css": ("text/css", rcssmin.cssmin)}


@lru_cache(maxsize=32)
def _minified(path: str, mtime: float) -> tuple[bytes, str]:
    mimetype, minify = MINIFIERS[Path(path).suffix]
    data = minify(Path(path).read_text(encoding="utf-8")).encode("utf-8")
    return data, hashlib.sha256(data).hexdigest()[:20]


def init_app(app: Flask) -> None:
    plain = app.view_functions["static"]

    def static(filename: str) -> Response:
        suffix = Path(filename).suffix
        found = safe_join(str(app.static_folder), filename)
        if suffix not in MINIFIERS or found is None or "vendor/" in filename or not Path(found).is_file():
            return plain(filename=filename)  # Flask's own answer, its 404 included
        data, etag = _minified(found, Path(found).stat().st_mtime)
        response = send_file(io.BytesIO(data), mimetype=MINIFIERS[suffix][0], etag=etag,
                             last_modified=Path(found).stat().st_mtime, conditional=True)
        return response

    app.view_functions["static"] = static
