"""Running a coroutine to its end from a test, wherever the test runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests)
    keeps an event loop running on the main thread for the whole session, and a
    test in the same pytest worker cannot start another there."""
    outcome: list = []

    def target() -> None:
        try:
            outcome.append((True, asyncio.run(coroutine)))
        except BaseException as error:  # handed to the test's thread
            outcome.append((False, error))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
