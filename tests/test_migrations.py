"""The schema's migrations (assistant/storage/schema.py, assistant/migrations/):

- the revisions make exactly the tables the models describe, on SQLite and PostgreSQL;
- a database made by an old main (create_all, no version) upgrades to head with its rows kept: the
  first main (number_sequences.day was VARCHAR(8)), the last before 2026-12-07, and the last before
  migrations; their DDL is under tests/data/legacy_schemas/, printed from those commits;
- SQLite upgrades when opened; PostgreSQL refuses, in one line, until `govassist db upgrade`;
- a database a newer version migrated is refused everywhere.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from assistant.cases.numbers import APPLICATION_NUMBERS, WORK_ORDER_NUMBERS, next_number
from assistant.storage.db import make_engine, open_database, schema_state, schema_transaction, upgrade_schema
from assistant.cases.tables import ApplicationEventRow
from assistant.storage.base import TABLE_MODULES, Base, all_tables
from assistant.storage.personal_tables import ApplicationRow, ConsentRow, SessionRow
from assistant.storage.schema import alembic_config, head_revision
from assistant.storage.schema_state import SchemaNotCurrent
from tests.persistence_support import private_postgres_schema, sqlite_url

LEGACY_SCHEMAS = Path(__file__).parent / "data" / "legacy_schemas"
OLD_MAINS = {
    "b5b7b33": "the first main (2026-11-23 01:55)",
    "dc85b3c": "the last main before 2026-12-07",
    "0bb75a7": "the last main before migrations",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a fresh SQLite file, or a private PostgreSQL schema."""
    urls = nullcontext(sqlite_url(tmp_path)) if request.param == "sqlite" else private_postgres_schema()
    with urls as url:
        yield url


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def schema_diff(url: str) -> list[object]:
    """What Alembic's autogenerate would still write to make the database match the models."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), all_tables())
    finally:
        engine.dispose()


def run_sql_file(engine: Engine, path: Path) -> None:
    with engine.begin() as connection:
        for statement in path.read_text(encoding="utf-8").split(";\n"):
            if statement.strip():
                connection.exec_driver_sql(statement)


def build_as_old_main_did(url: str, commit: str) -> None:
    """The tables that commit's create_all made on this backend, and a few rows of a submitted application."""
    engine = make_engine(url)
    try:
        run_sql_file(engine, LEGACY_SCHEMAS / f"{commit}.{dialect_of(url)}.sql")
        run_sql_file(engine, LEGACY_SCHEMAS / "rows.sql")
    finally:
        engine.dispose()


def test_the_revisions_make_exactly_the_tables_the_models_describe(empty_url):
    open_database(empty_url).kw["bind"].dispose()  # an empty database is made at head on either backend
    assert schema_diff(empty_url) == []
    state = schema_state(empty_url)
    assert state.current == head_revision() and state.up_to_date


def open_at_once(url: str, workers: int = 4) -> None:
    """What several workers starting together do: each opens the database on its own engine."""
    with ThreadPoolExecutor(workers) as pool:
        for factory in pool.map(lambda _: open_database(url), range(workers)):
            factory.kw["bind"].dispose()


def test_workers_opening_an_empty_database_at_once_make_it_once(empty_url):
    open_at_once(empty_url)
    assert schema_diff(empty_url) == []
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    engine.dispose()


def test_workers_opening_an_old_sqlite_database_at_once_upgrade_it_once(tmp_path):
    url = sqlite_url(tmp_path)
    build_as_old_main_did(url, "b5b7b33")
    open_at_once(url)
    assert schema_diff(url) == []
    engine = make_engine(url)
    assert_rows_kept_and_numbers_go_on(engine)
    engine.dispose()


def test_downgrading_to_nothing_and_up_again_gives_the_same_schema(tmp_path):
    url = sqlite_url(tmp_path)
    engine = open_database(url).kw["bind"]
    with schema_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "base")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all() == [
            "alembic_version"]
    engine.dispose()
    upgrade_schema(url)
    assert schema_diff(url) == []


@pytest.mark.parametrize("commit", OLD_MAINS)
def test_a_sqlite_database_made_by_an_old_main_is_upgraded_when_opened(tmp_path, commit):
    url = sqlite_url(tmp_path)
    build_as_old_main_did(url, commit)
    assert schema_state(url).current is None and schema_state(url).has_tables

    factory = open_database(url)
    try:
        assert schema_diff(url) == []
        assert_rows_kept_and_numbers_go_on(factory.kw["bind"])
    finally:
        factory.kw["bind"].dispose()


@pytest.mark.parametrize("commit", OLD_MAINS)
def test_a_postgresql_database_made_by_an_old_main_is_refused_until_db_upgrade(commit, govassist, monkeypatch):
    with private_postgres_schema() as url:
        build_as_old_main_did(url, commit)
        with pytest.raises(SchemaNotCurrent) as refused:
            open_database(url)
        assert str(refused.value) == (f"schema at no revision (made before migrations); this version needs "
                                      f"{head_revision()}: run `govassist db upgrade` (docs/deploy.md)")

        monkeypatch.setenv("GOVASSIST_DATABASE_URL", url)
        upgraded = govassist("db", "upgrade")
        assert upgraded.exit_code == 0, upgraded.output
        assert upgraded.output == f"upgraded from no revision to {head_revision()}\n"

        assert schema_diff(url) == []
        factory = open_database(url)
        try:
            assert_rows_kept_and_numbers_go_on(factory.kw["bind"])
        finally:
            factory.kw["bind"].dispose()


def assert_rows_kept_and_numbers_go_on(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        conversation = session.get(SessionRow, "s-legacy-1")
        assert conversation is not None and conversation.version == 3
        assert json.loads(conversation.state_json) == {"state": "idle"}
        consent = session.scalars(select(ConsentRow)).one()
        assert (consent.granted, consent.fields) == (True, ["name", "id_number"])
        application = session.scalars(select(ApplicationRow)).one()
        assert (application.number, application.display_json, application.expected_date) == (
            "GA20261120-000001", {"姓名": "张*"}, date(2026, 12, 4))
        assert session.scalars(select(ApplicationEventRow.to_status)).all() == ["submitted"]
        # The day's count goes on from the stored one; a work order's 10-character key fits the widened column.
        assert next_number(session, APPLICATION_NUMBERS, date(2026, 11, 20)) == "GA20261120-000002"
        assert next_number(session, WORK_ORDER_NUMBERS, date(2026, 12, 7)) == "WO20261207-000001"


def test_a_postgresql_database_behind_stops_every_command_with_one_line(govassist, monkeypatch):
    with private_postgres_schema() as url:
        build_as_old_main_did(url, "dc85b3c")
        monkeypatch.setenv("GOVASSIST_DATABASE_URL", url)
        checked = govassist("db", "current", "--check")
        assert checked.exit_code == 1
        assert checked.output == f"schema at no revision (made before migrations); this version needs {head_revision()}\n"

        refused = govassist("staff", "list")
        assert refused.exit_code == 1
        assert refused.output.strip().splitlines() == [
            f"Error: schema at no revision (made before migrations); this version needs {head_revision()}: "
            "run `govassist db upgrade` (docs/deploy.md)"]


def test_db_current_and_upgrade_on_sqlite(govassist):
    assert govassist("db", "current").output == f"empty database; this version needs {head_revision()}\n"
    assert govassist("db", "upgrade").output == f"upgraded from no revision to {head_revision()}\n"
    assert govassist("db", "upgrade").output == f"already at {head_revision()}\n"
    current = govassist("db", "current", "--check")
    assert (current.exit_code, current.output) == (0, f"schema at {head_revision()} (up to date)\n")


def test_a_database_migrated_by_a_newer_version_is_refused(empty_url):
    open_database(empty_url).kw["bind"].dispose()
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaNotCurrent, match="schema at 9999, which this version does not know"):
        open_database(empty_url)
    with pytest.raises(SchemaNotCurrent):
        upgrade_schema(empty_url)


def test_the_migration_scripts_ship_with_the_package():
    import tomllib

    from setuptools import find_packages

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    packages = find_packages(root, include=project["tool"]["setuptools"]["packages"]["find"]["include"])
    assert {"assistant.migrations", "assistant.migrations.versions"} <= set(packages)
    assert "migrations/script.py.mako" in project["tool"]["setuptools"]["package-data"]["assistant"]
    assert any(dep.startswith("alembic") for dep in project["project"]["dependencies"])


def test_every_module_that_defines_a_table_is_one_all_tables_imports():
    """Tables are defined by the packages that own them; one in a module all_tables() does not name would
    be missing from what Alembic compares and upgrades to (and from the schema check), unnoticed until used."""
    root = Path(__file__).resolve().parents[1]
    defining = set()
    for path in (root / "assistant").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "Base" for b in node.bases):
                defining.add(".".join(path.relative_to(root).with_suffix("").parts))
    assert defining == set(TABLE_MODULES)
    assert {m.class_.__module__ for m in Base.registry.mappers} <= set(TABLE_MODULES)
