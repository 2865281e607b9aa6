"""Classes: classes, their students and each student's progress on each problem.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("join_code", sa.String(8), nullable=False, unique=True),
        sa.Column("teacher_hash", sa.String(64), nullable=False),
        sa.Column("assignment", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("closes_at", sa.DateTime, nullable=True),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("joined", sa.Integer, nullable=False),
        sa.Column("last_activity", sa.DateTime, nullable=False),
    )
    op.create_index("ix_classes_last_activity", "classes", ["last_activity"])
    op.create_table(
        "students",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("class_id", sa.String(24), sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("codes", sa.JSON, nullable=False),
        sa.Column("joined_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("class_id", "number"),
    )
    op.create_index("ix_students_class_id", "students", ["class_id"])
    op.create_table(
        "progress",
        sa.Column("student_id", sa.String(24), sa.ForeignKey("students.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("code", sa.String(240), primary_key=True),
        sa.Column("class_id", sa.String(24), sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("carried", sa.Integer, nullable=False),
        sa.Column("with_help", sa.Integer, nullable=False),
        sa.Column("checks", sa.Integer, nullable=False),
        sa.Column("last_check_at", sa.DateTime, nullable=True),
        sa.Column("marks", sa.JSON, nullable=False),
        sa.Column("answers", sa.JSON, nullable=True),
        sa.Column("entries", sa.JSON, nullable=True),
    )
    op.create_index("ix_progress_class", "progress", ["class_id"])


def downgrade() -> None:
    op.drop_table("progress")
    op.drop_table("students")
    op.drop_table("classes")
