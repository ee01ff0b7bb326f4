"""Alembic's entry point, run by assistant/storage/schema.py on a connection it already holds (in its
transaction, under its lock): never on a URL of its own, never from an alembic.ini."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.types import TypeDecorator

from assistant.storage.base import all_tables


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Revisions spell out the stored type (UtcDateTime is a DateTime), so they never import the models."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=all_tables(),  # every table, each defined by the package that owns it
    render_item=render_item,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
