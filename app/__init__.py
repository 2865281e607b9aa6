"""Handgrid: practise the arithmetic of a small neural network by hand.

`create_app` is the application factory (as in Flask's tutorial): the server
(app/server.py), `flask run` and the tests each build their own app from it. Configuration comes
from defaults here, then `HANDGRID_*` environment variables, then `test_config`.

`HANDGRID_PUBLIC_URL` (config PUBLIC_URL) is the address students reach the
site at, printed on worksheets and in their QR codes; without it, the address
each worksheet was asked for at is printed (app/worksheets.py).

`HANDGRID_PROXIES` (config PROXIES) is how many proxies stand in front of the
app (nginx in compose.yaml: 1). Werkzeug's ProxyFix then takes the client's
address, the scheme and the host from the last that many entries of their
X-Forwarded-* headers, which those proxies append or set; with 0, the default,
the headers are ignored, since anyone can send them to a server reached directly.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

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
    check_public_url(app.config.get("PUBLIC_URL"))
    proxies = check_proxies(app.config.get("PROXIES", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from . import (
        api,
        assets,
        classes,
        classes_api,
        classroom,
        code,
        custom,
        errors,
        practice,
        ratelimit,
        security,
        templating,
        worksheets,
    )

    templating.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    classroom.init_app(app)  # the classes' database, opened on first use only
    ratelimit.init_app(app)
    app.register_blueprint(practice.bp)
    app.register_blueprint(custom.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(classes_api.bp)
    app.register_blueprint(worksheets.bp)
    app.register_blueprint(code.bp)
    app.register_blueprint(classes.bp)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def check_public_url(value: object) -> None:
    """A ValueError with a plain message unless `value` is empty or an http(s)
    address with a host and nothing after the path (no query, no fragment)."""
    if not value:
        return
    parts = urlsplit(str(value))
    if not isinstance(value, str) or parts.scheme not in ("http", "https") or not parts.hostname \
            or parts.query or parts.fragment:
        raise ValueError(f"HANDGRID_PUBLIC_URL must be an address such as https://grid.school.example, "
                         f"not {str(value)[:100]!r}.")


MAX_PROXIES = 5


def check_proxies(value: object) -> int:
    """The number of trusted proxies, or a ValueError with a plain message."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PROXIES:
        raise ValueError(f"HANDGRID_PROXIES must be how many proxies are in front of Handgrid, "
                         f"from 0 to {MAX_PROXIES}, not {str(value)[:100]!r}.")
    return value
