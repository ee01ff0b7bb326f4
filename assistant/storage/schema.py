"""The schema's version: bring a database to the revision this code needs, or say why not.

The revisions are Alembic scripts in assistant/migrations/versions, configured here in code (no
alembic.ini). What happens when a worker opens the database (`prepare`):

- SQLite: upgraded at once. One machine, one file: the worker that opens it is the deploy.
- PostgreSQL, empty: made at head at once, as create_all did before (nothing there to lose).
- PostgreSQL with tables, behind: refused, one line saying to run `govassist db upgrade`. Several
  workers on several machines share it, and an old worker may still be serving while a new one starts;
  changing a shared schema is a step of the deploy (after a backup), not a side effect of a start.
- Any backend, at a revision this code does not know (a newer version migrated it): refused.

Every path runs in the one transaction that assistant/storage/db.py opens (BEGIN IMMEDIATE on SQLite, an
advisory lock on PostgreSQL), so workers starting together upgrade once and the others wait, then
find it done. Both backends change their schema transactionally: a failed upgrade leaves nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, inspect

from assistant.storage.base import all_tables
from assistant.storage.schema_state import SchemaNotCurrent, SchemaState

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
UPGRADE_HINT = "run `govassist db upgrade` (docs/deploy.md)"

__all__ = ["SchemaNotCurrent", "SchemaState", "alembic_config", "head_revision", "prepare", "state", "upgrade"]


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, made in code; env.py runs the revisions on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:  # the baseline always exists: only a broken install gets here
        raise RuntimeError(f"no migration scripts under {MIGRATIONS_DIR}")
    return head


def state(connection: Connection) -> SchemaState:
    current = MigrationContext.configure(connection).get_current_revision()
    has_tables = bool(set(inspect(connection).get_table_names()) & set(all_tables().tables))
    return SchemaState(current, head_revision(), has_tables, current is None or _is_known(current))


def _is_known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(connection: Connection) -> SchemaState:
    """Run every revision the database lacks, in the caller's transaction; the state it was in before."""
    before = state(connection)
    if not before.known:
        raise SchemaNotCurrent(before.describe())
    if not before.up_to_date:
        command.upgrade(alembic_config(connection), "head")
    return before


def prepare(connection: Connection) -> None:
    """What opening the database does to its schema (see the module's docstring)."""
    current = state(connection)
    if not current.known:
        raise SchemaNotCurrent(current.describe())
    if current.up_to_date:
        return
    if connection.dialect.name == "sqlite" or current.empty:
        upgrade(connection)
        return
    raise SchemaNotCurrent(f"{current.describe()}: {UPGRADE_HINT}")
