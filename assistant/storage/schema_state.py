"""Where a database's schema stands, and the refusal to open one that is not current: apart from
assistant/storage/schema.py so that the command line can name them without loading Alembic."""

from __future__ import annotations

from dataclasses import dataclass


class SchemaNotCurrent(RuntimeError):
    """The database is not at the revision this code needs and will not be changed on open."""


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # the stored revision; None: never migrated
    head: str  # the revision this code needs
    has_tables: bool  # any of the assistant's tables there (an unversioned one was made by create_all)
    known: bool  # whether this code has the stored revision among its scripts

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None and not self.has_tables

    def describe(self) -> str:
        if self.empty:
            return f"empty database; this version needs {self.head}"
        stored = self.current or "no revision (made before migrations)"
        if not self.known:
            return f"schema at {stored}, which this version does not know: a newer version migrated it; run that one"
        if self.up_to_date:
            return f"schema at {stored} (up to date)"
        return f"schema at {stored}; this version needs {self.head}"
