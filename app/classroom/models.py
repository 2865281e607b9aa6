"""The classes' tables (SQLAlchemy 2), as the migrations in migrations/ make them.

Plain types only (strings, integers, booleans, naive UTC date-times, JSON), so
that SQLite and PostgreSQL store them alike. Ids and tokens are random: a class
id or student id is an unguessable string, and a token is kept only as the
SHA-256 of it, so a copy of the database opens no class.

* `classes`: one row a class; `joined` counts every student who ever joined
  (their version numbers), `last_activity` drives the retention (store.purge_expired).
* `students`: who joined, their problems (`codes`, in order) and their number.
* `progress`: one row per student and problem, made when they join, so that a
  check is one UPDATE of a row that exists (no upsert, which each database
  spells its own way): the latest check's counts, how many checks, every wrong
  cell and named slip so far (`marks`), the last checked answers and the
  entries last saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 24
HASH_LENGTH = 64  # SHA-256, in hex
CODE_LENGTH = 240  # a problem code as displayed (app.core.codes.MAX_TYPED)


class Base(DeclarativeBase):
    pass


class ClassTable(Base):
    __tablename__ = "classes"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    join_code: Mapped[str] = mapped_column(String(8), unique=True)
    teacher_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    assignment: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    joined: Mapped[int] = mapped_column(Integer, default=0)
    last_activity: Mapped[datetime] = mapped_column(DateTime, index=True)


class StudentTable(Base):
    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("class_id", "number"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    codes: Mapped[list[str]] = mapped_column(JSON)
    joined_at: Mapped[datetime] = mapped_column(DateTime)


class ProgressTable(Base):
    __tablename__ = "progress"
    __table_args__ = (Index("ix_progress_class", "class_id"),)

    student_id: Mapped[str] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    carried: Mapped[int] = mapped_column(Integer, default=0)
    with_help: Mapped[int] = mapped_column(Integer, default=0)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    last_check_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    marks: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    entries: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


classes = ClassTable.__table__
students = StudentTable.__table__
progress = ProgressTable.__table__


class FailureTable(Base):
    """A request that staked a code or a token and failed (app/ratelimit.py): one row
    each, kept for the rate limit's window, so that every replica counts them all."""

    __tablename__ = "failures"
    __table_args__ = (Index("ix_failures_address_at", "address", "at"), Index("ix_failures_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


failures = FailureTable.__table__
