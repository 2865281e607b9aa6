"""Handgrid: practise the arithmetic of a small neural network by hand.

`create_app` is the application factory (as in Flask's tutorial): the server
(app/server.py), `flask run` and the tests each build their own app from it. Configuration comes
from defaults here, then `HANDGRID_*` environment variables, then `test_config`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import formdata, jsonprovider

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # Every request body is small: 144 cells of a few characters at the most.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 400,
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    app.request_class = formdata.HandgridRequest
    app.json = jsonprovider.OrjsonProvider(app)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("HANDGRID")
    if test_config:
        app.config.from_mapping(test_config)

    from . import api, assets, code, custom, errors, practice, security, templating, worksheets

    templating.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(practice.bp)
    app.register_blueprint(custom.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(worksheets.bp)
    app.register_blueprint(code.bp)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
