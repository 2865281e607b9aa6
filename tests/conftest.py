"""Shared fixtures: the Flask `app` and its test `client` (as in Flask's tutorial),
a real server started the way the README starts it, for browser tests, and a real
PostgreSQL (tests/realpg.py) with a fresh database for each test that asks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import create_app
from tests import realpg
from tools import serving

# Fixtures that start a real server or a browser; a test that uses one belongs to a
# slow tier, so that `make test-fast` (-m "not browser and not system") never starts one.
SLOW_FIXTURES = {"server_url", "browser", "page", "postgres", "pg_url", "pg_template"}
TIERS = {"browser", "system"}


def pytest_collection_modifyitems(config, items):
    def fixtures(item) -> set[str]:  # the fixtures a test asks for, not its parameters
        params = getattr(getattr(item, "callspec", None), "params", {})
        return set(getattr(item, "fixturenames", ())) - set(params)

    untiered = [item.nodeid for item in items if SLOW_FIXTURES & fixtures(item)
                and not TIERS & {mark.name for mark in item.iter_markers()}]
    if untiered:
        raise pytest.UsageError("mark these tests browser or system, since they start a server or a "
                                "browser: " + ", ".join(untiered))


# The databases the class tests run on, each test once on each, with the same assertions.
# PostgreSQL's side starts a real server, so it is in the system tier (not `make test-fast`).
DATABASES = [pytest.param("sqlite", id="sqlite"),
             pytest.param("postgresql", id="postgresql", marks=pytest.mark.system)]


def pytest_generate_tests(metafunc):
    """Every test marked `databases` that stores anything (it asks for `database_url`,
    or `app`, `client`, which do) runs on SQLite and on PostgreSQL."""
    if metafunc.definition.get_closest_marker("databases") and "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", DATABASES, indirect=True)


@pytest.fixture
def database_url(request, tmp_path):
    """A fresh classes database for one test: a SQLite file under tmp_path, made (and
    migrated) on first use; or, for a `databases` test's postgresql run, a database of
    its own in the session's real PostgreSQL, a copy of one migrated once (`pg_template`),
    dropped after the test. Tests not marked `databases` get the SQLite file alone."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'handgrid.db'}"
        return
    postgres, template = request.getfixturevalue("postgres"), request.getfixturevalue("pg_template")
    with postgres.database(template) as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(postgres):
    """A database of the session's PostgreSQL with the migrations run, for tests to copy.
    Nothing stays connected to it (CREATE DATABASE ... TEMPLATE needs it idle)."""
    from app.classroom import db

    name = postgres.new_database()
    db.migrate(postgres.url(name))
    return name


@pytest.fixture
def app(database_url):
    return create_app({"TESTING": True, "DATABASE_URL": database_url})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def server_url():
    """The app served as `make run` and the Docker image serve it (python -m
    app.server), on a free loopback port."""
    with serving.running(2) as url:
        yield url


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL (tests/realpg.py) for this pytest worker's session."""
    with realpg.running() as server:
        yield server


@pytest.fixture
def pg_url(postgres):
    """A `postgresql+psycopg://` URL of a database of this test's own, dropped after it."""
    with postgres.database() as url:
        yield url


CHROMIUM = os.environ.get("HANDGRID_CHROMIUM", "/usr/bin/chromium")
# This machine has no network beyond package registries: keep Chromium from
# reaching out (it would stall on every start), as the environment notes advise.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (its own download is not used)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that fails the test on any console error (a CSP violation
    included), except the browser's note that the page itself came with a 4xx."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []

    def on_console(message):
        own_status = (message.text.startswith("Failed to load resource")
                      and message.location.get("url") == page.url)
        if message.type == "error" and not own_status:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"
