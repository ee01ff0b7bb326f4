"""Print the DDL that an old main's create_all ran, for one dialect: how the fixtures here were made.

    git worktree add --detach /tmp/old <commit>
    cd /tmp/old && python <this file> sqlite > <tests/data/legacy_schemas>/<commit>.sqlite.sql
    cd /tmp/old && python <this file> postgresql > <tests/data/legacy_schemas>/<commit>.postgresql.sql

It imports the checkout's own table definitions (the current directory), never today's: assistant/records.py
in the old mains these fixtures come from, assistant/storage/base.py's all_tables() from issue 20 on.
"""

from __future__ import annotations

import importlib
import os
import sys

from sqlalchemy import MetaData, create_mock_engine

sys.path.insert(0, os.getcwd())  # the old checkout's modules, found through this path


def checkout_metadata() -> MetaData:
    try:
        return importlib.import_module("assistant.storage.base").all_tables()
    except ModuleNotFoundError:
        return importlib.import_module("assistant.records").Base.metadata


def main(dialect: str) -> None:
    statements: list[str] = []

    def record(ddl: object, *_: object, **__: object) -> None:
        statements.append(str(ddl.compile(dialect=engine.dialect)).strip())  # type: ignore[attr-defined]

    engine = create_mock_engine(f"{dialect}://", record)
    checkout_metadata().create_all(engine, checkfirst=False)
    print(";\n\n".join(statements) + ";")


if __name__ == "__main__":
    main(sys.argv[1])
