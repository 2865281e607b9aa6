"""Classes' storage: the database (db.py), its tables (models.py) and migrations
(migrations/), and what the routes ask of it (store.py).

`init_app` gives a Flask app its `Database` (made lazily: see db.py), from
HANDGRID_DATABASE_URL, and checks HANDGRID_CLASS_RETENTION_DAYS (config
CLASS_RETENTION_DAYS, default 180): how long a class is kept after its last
activity. The store's functions use the current app's database. The rules themselves are app.core.classroom's.
"""

from __future__ import annotations

from flask import Flask

from ..core.classroom import RETENTION_DAYS
from .db import Database, url_of

EXTENSION = "handgrid.classes"


def init_app(app: Flask) -> None:
    days = app.config.setdefault("CLASS_RETENTION_DAYS", RETENTION_DAYS)
    if type(days) is not int or not 1 <= days <= 36500:
        raise ValueError(f"HANDGRID_CLASS_RETENTION_DAYS must be a whole number of days from 1 to 36500, "
                         f"not {str(days)[:40]!r}.")
    app.extensions[EXTENSION] = Database(url_of(app))
