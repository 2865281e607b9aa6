"""Alembic's entry point: migrate on the connection app.classroom.db hands it
(there is no alembic.ini: db.migrate_engine configures Alembic in code)."""

from alembic import context

from app.classroom.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
