"""Marks as markup, drawn once and remembered.

A class checks the same problems again and again, so the same few pieces of
markup come up over and over: cell h_z-0-0 marked correct, the score line
"36 of 36 correct". Each piece is drawn by its macro (markbox in _grid.html,
summary and check_state in _check.html), remembered per Jinja environment, and
the answer to an htmx Check is put together from those pieces. Rendering it as
a template, cell by cell, cost more than reading and grading the answers
(docs/performance.md).
"""

from __future__ import annotations

from functools import lru_cache, partial
from itertools import starmap

from flask import current_app
from jinja2 import Environment
from markupsafe import Markup

from .present import layout
from .present.layout import Attempt


@lru_cache(maxsize=8192)
def markbox(env: Environment, field: str, mark, controls: bool = False, oob: bool = False) -> Markup:
    """The markbox macro of _grid.html for one cell and mark."""
    return env.get_template("_grid.html").module.markbox(field, mark, controls, oob)


@lru_cache(maxsize=4096)
def _sent_row(env: Environment, fields: tuple[str, ...], marks: tuple) -> str:
    # Remembered by whole rows: most rows of most checks are the same (all right).
    return "\n".join(markbox(env, field, mark, True, True) for field, mark in zip(fields, marks, strict=True))


@lru_cache(maxsize=1024)
def _score_and_state(env: Environment, score: str, invalid: tuple, next_url: str | None) -> Markup:
    module = env.get_template("_check.html").module
    return module.summary(score, invalid, next_url, True) + module.check_state(True, True)


def check_answer(attempt: Attempt, next_url: str | None = None) -> Markup:
    """The answer to Check with htmx: only what a check changes, each piece
    swapped in by id (out of band), so the inputs, the caret and the focus stay
    exactly as the student left them: the score line (with `next_url`, a Next
    problem link, once every cell is right), the check state and the markbox
    of every cell but those of revealed matrices."""
    env = current_app.jinja_env
    report = attempt.report
    head = _score_and_state(env, report.summary(), tuple(layout.invalid_cells(report)), next_url)
    rows = starmap(partial(_sent_row, env), report.rows(attempt.revealed))
    # Every piece is made of Markup: a plain join keeps it so, without escaping each again.
    return Markup("\n".join((head, *rows)))
