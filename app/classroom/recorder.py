"""Group commit: a worker's class checks stored together, one commit for all that wait.

Why: a recorded check must be on disk before its answer says so, and a durable
commit costs a flush to disk (SQLite's fsync, PostgreSQL's WAL flush) of one or
two milliseconds, several times what grading the check takes. One commit per
check capped a class's checks at what the disk could flush one by one, with
every worker queued on SQLite's single writer. Here a check is not written by
its own request: the request leaves it with the worker's Recorder and waits
(app/deferred.py lets the server's event loop go on to the next requests), and
once the loop has taken in every request that is ready, the Recorder stores all
the checks they left in one transaction (store.store_checks) and answers each.
The requests that arrive while that commit is under way are the next batch: the
busier the server, the more checks share a flush.

Nothing is acknowledged early: a check's future is set only once its transaction
has committed. The write runs on the event loop's own thread, between requests,
like any quick request: a writer thread of its own would wait for Python's
interpreter lock each time SQLite gives it back (every statement), which under
load costs milliseconds per batch. Nor does it ever wait for another worker's
write to a SQLite file: it takes in more requests and tries again a millisecond
later, so the workers' commits overlap with each other's requests, and a worker
whose neighbour hangs holding the write turn goes on serving (its checks are
answered "not recorded" after app/recording.py's RECORD_TIMEOUT). On
PostgreSQL a batch waits for row locks at most db.SHORT_LOCK_WAIT.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from .db import Busy, Database, Unavailable
from .store import CheckToStore, Outcome, store_checks

log = logging.getLogger(__name__)
MAX_BATCH = 500  # checks in one transaction at most: a few milliseconds of writing
RETRY = 0.001  # seconds before trying again when another worker holds SQLite's write turn (uvloop's
# timers count whole milliseconds: a shorter delay would be none, and the loop would spin)


class Recorder:
    """Stores the checks submitted to it on one event loop, in batches, between requests."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._waiting: list[tuple[CheckToStore, asyncio.Future[Outcome]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due = False  # a write is scheduled
        self.batches = 0  # transactions written, for tests and the benchmark
        self.stored = 0  # checks in them

    def submit(self, check: CheckToStore) -> asyncio.Future[Outcome]:
        """A future that becomes the check's Outcome once its transaction is over. Call
        it on the running event loop (the bridge's), from the request's own code. A
        future cancelled before its batch is written (the answer gave up waiting: see
        app/deferred.py) takes its check out: what was answered "not recorded" is not
        stored later, to be counted twice when the student checks again."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (a forked worker, a test's): nothing of the old one
            self._loop, self._waiting, self._due = loop, [], False
        future: asyncio.Future[Outcome] = loop.create_future()
        self._waiting.append((check, future))
        if not self._due:
            self._due = True
            loop.call_soon(self._write)  # after every request that is ready now has had its turn
        return future

    def _write(self) -> None:
        assert self._loop is not None
        self._waiting = [(check, future) for check, future in self._waiting if not future.done()]
        batch = self._waiting[:MAX_BATCH]
        try:
            outcomes = self._store([check for check, _ in batch])
        except Busy:  # another worker is committing: take in more requests, then try again
            self._loop.call_later(RETRY, self._write)
            return
        except BaseException:  # nothing may be left waiting, nor the next batch unscheduled
            log.exception("%d checks could not be recorded", len(batch))
            outcomes = [Outcome.FAILED] * len(batch)
        del self._waiting[:len(batch)]
        self.batches += 1
        self.stored += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=False):
            if not future.done():
                future.set_result(outcome)
        if self._waiting:
            self._loop.call_soon(self._write)
        else:
            self._due = False

    def _store(self, checks: list[CheckToStore]) -> list[Outcome]:
        outcomes = store_now(self.database, checks, wait=False)
        if len(outcomes) != len(checks):
            raise RuntimeError(f"{len(outcomes)} outcomes for {len(checks)} checks")
        return outcomes


def store_now(database: Database, checks: list[CheckToStore], wait: bool = True) -> list[Outcome]:
    """store.store_checks, with a database that fails logged and its checks FAILED (each is
    answered all the same: the student loses nothing); Busy is the caller's. What a
    Recorder's batch does, and a check's request where there is no Recorder to wait for."""
    try:
        return store_checks(database, checks, wait=wait)
    except (SQLAlchemyError, Unavailable) as error:
        log.error("%d checks could not be recorded: %s", len(checks), error)
        return [Outcome.FAILED] * len(checks)


def for_database(database: Database) -> Recorder:
    """The database's Recorder (kept on the Database; a forked worker's own event loop
    starts it afresh: `submit`)."""
    if database.recorder is None:
        database.recorder = Recorder(database)
    return database.recorder
