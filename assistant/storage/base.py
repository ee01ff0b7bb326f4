"""The declarative base every table is defined on, its shared column type, and the one metadata with
every table registered (`all_tables`).

Each table is defined by the package that owns it, in that package's tables.py (storage's own and the
tables privacy sweeps are in assistant/storage/tables.py and personal_tables.py). A table is on
Base.metadata only once its module has been imported, so whatever creates or compares the whole schema
(Alembic's env, the schema check in assistant/storage/schema.py, tests) reads it through `all_tables`.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named, not imported: storage is the bottom of assistant/ and may not import the sub-packages above it
# (tests/test_import_contract.py), while the schema needs their tables. `all_tables` imports them when the
# schema is read, long after every package has loaded; tests/test_migrations.py fails on a table module
# missing here (its tables would be missing from the metadata that the migrations are compared with).
TABLE_MODULES = (
    "assistant.storage.tables",
    "assistant.storage.personal_tables",
    "assistant.privacy.tables",
    "assistant.cases.tables",
    "assistant.insight.tables",
    "assistant.staff.tables",
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC, read back aware: SQLite would otherwise drop the offset."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


def all_tables() -> MetaData:
    """The metadata with every table of the assistant on it."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return Base.metadata
