"""Print the DDL that an old main's create_all ran, for one dialect: how the fixtures here were made.

    git worktree add --detach /tmp/old <commit>
    cd /tmp/old && python <this file> sqlite > <tests/data/legacy_schemas>/<commit>.sqlite.sql
    cd /tmp/old && python <this file> postgresql > <tests/data/legacy_schemas>/<commit>.postgresql.sql

It imports the checkout's own assistant/storage/records.py (the current directory), never today's.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import create_mock_engine

sys.path.insert(0, os.getcwd())
from assistant.storage.records import Base  # the old checkout's, found through the path above


def main(dialect: str) -> None:
    statements: list[str] = []

    def record(ddl: object, *_: object, **__: object) -> None:
        statements.append(str(ddl.compile(dialect=engine.dialect)).strip())  # type: ignore[attr-defined]

    engine = create_mock_engine(f"{dialect}://", record)
    Base.metadata.create_all(engine, checkfirst=False)
    print(";\n\n".join(statements) + ";")


if __name__ == "__main__":
    main(sys.argv[1])
