"""Databases for the persistence tests: a fresh SQLite file, or a private schema on a PostgreSQL server.

`open_db()` may be called more than once in a test: each call is a new engine on the same database,
which is what a restarted process sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.db import open_database
from eval.bench_db import DatabaseUnreachable, PrivateSchema

POSTGRES_URL = os.environ.get("GOVASSIST_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")

OpenDb = Callable[[], sessionmaker[Session]]


def engine_of(factory: sessionmaker[Session]) -> Engine:
    return factory.kw["bind"]


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'govassist.db'}"


@contextmanager
def private_postgres_schema() -> Iterator[str]:
    """A URL whose connections work in a new schema, dropped afterwards; skips if there is no server."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    schema = PrivateSchema(POSTGRES_URL, prefix="govassist_test")
    try:
        url = schema.create()
    except DatabaseUnreachable as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    try:
        yield url
    finally:
        schema.drop()


@contextmanager
def _opener(url: str) -> Iterator[OpenDb]:
    engines: list[Engine] = []

    def open_db() -> sessionmaker[Session]:
        factory = open_database(url)
        engines.append(engine_of(factory))
        return factory

    try:
        yield open_db
    finally:
        for engine in engines:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenDb]:
    """Opens the same database on each call; the test runs once on SQLite and once on PostgreSQL."""
    urls = nullcontext(sqlite_url(tmp_path)) if request.param == "sqlite" else private_postgres_schema()
    with urls as url, _opener(url) as open_db:
        yield open_db


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[OpenDb]:
    with _opener(sqlite_url(tmp_path)) as open_db:
        yield open_db


class Clock:
    """A clock standing at `now` until a test moves it (clock.now += timedelta(...))."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
