"""Our scripts and stylesheets go out minified (app/assets.py), with an ETag, and
a new version of a file is minified anew; everything else goes out as it is."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_scripts_and_stylesheets_are_sent_minified_with_an_etag(client):
    for name in ("handgrid.js", "handgrid.css"):
        source = (ROOT / "static" / name).read_bytes()
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert len(response.data) < 0.8 * len(source)
        assert b"/*" not in response.data and b"\n  //" not in response.data  # no comments left
        etag = response.headers["ETag"]
        again = client.get(f"/static/{name}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
    assert client.get("/static/handgrid.js").mimetype == "text/javascript"
    assert client.get("/static/handgrid.css").mimetype == "text/css"


def test_other_files_and_missing_ones_go_out_as_flask_sends_them(client):
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.data == (ROOT / "static/favicon.svg").read_bytes()
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.data == (ROOT / "static/vendor/htmx.min.js").read_bytes()
    for missing in ("/static/nothing.js", "/static/../app/__init__.py", "/static/%2e%2e/README.md"):
        assert client.get(missing).status_code == 404


def test_a_changed_file_is_minified_anew(tmp_path):
    app = create_app({"TESTING": True})
    app.static_folder = str(tmp_path)
    script = tmp_path / "a.js"
    script.write_text("// a comment\nvar first = 1;\n")
    client = app.test_client()
    assert client.get("/static/a.js").data == b"var first=1;"
    script.write_text("var second = 2;\n")
    os.utime(script, (time.time() + 5, time.time() + 5))  # a new modification time, as a deploy gives
    assert client.get("/static/a.js").data == b"var second=2;"
