"""The rate limit's failures (app/ratelimit.py), kept in the classes' database.

Why the database: replicas behind a proxy share nothing else, and a guesser whose
requests the proxy spreads over N replicas (or N workers) must meet one limit, not
N. A failure is a row (address, time); the limit is a moving window over those
rows, counted with one indexed SELECT; each new failure deletes every row older
than the window, so the table holds one window's failures at most. Plain SQL
(an INSERT, a DELETE, a count), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from .db import Database
from .models import failures

ADDRESS_LENGTH = 64  # an IPv6 address with a zone is at most 45 characters
UNITS = {"second": 1, "minute": 60, "hour": 3600}


@dataclass(frozen=True)
class Limit:
    count: int  # failures allowed within `seconds`; the next request is refused
    seconds: int


def parse(text: str) -> Limit:
    """"30/minute", "5 per second", "100/hour" (the form Flask-Limiter's users know)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:/|per)\s*(second|minute|hour)s?\s*", str(text))
    if not match or int(match[1]) < 1:
        raise ValueError(f"RATE_LIMIT_FAILURES must read like 30/minute, not {str(text)[:40]!r}.")
    return Limit(int(match[1]), UNITS[match[2]])


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _key(address: str) -> str:
    return address[:ADDRESS_LENGTH]


def window(database: Database, limit: Limit, address: str) -> tuple[int, datetime | None]:
    """(failures from `address` within the window, the oldest of them) as of now."""
    since = now() - timedelta(seconds=limit.seconds)
    with database.begin() as connection:
        count, oldest = connection.execute(
            select(func.count(), func.min(failures.c.at))
            .where(failures.c.address == _key(address), failures.c.at > since)).one()
    return count, oldest


def record(database: Database, limit: Limit, address: str) -> None:
    """One more failure from `address`; failures older than the window are deleted."""
    at = now()
    with database.begin(write=True) as connection:
        connection.execute(delete(failures).where(failures.c.at <= at - timedelta(seconds=limit.seconds)))
        connection.execute(failures.insert().values(address=_key(address), at=at))
