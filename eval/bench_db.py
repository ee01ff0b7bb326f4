"""A private schema on a PostgreSQL server, dropped afterwards: a fresh database for a benchmark or a test
without touching anything else on that server."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from assistant.storage.db import make_engine


class DatabaseUnreachable(RuntimeError):
    """The server did not answer (or refused us); the first line of the driver's message says why."""


class PrivateSchema:
    """`create()` makes the schema and returns a URL whose connections work in it; `drop()` removes it."""

    def __init__(self, server_url: str, prefix: str = "govassist_bench") -> None:
        self.server_url = server_url
        self.name = f"{prefix}_{secrets.token_hex(4)}"
        admin_url = make_url(server_url).update_query_dict({"connect_timeout": "3"})
        self._admin = make_engine(admin_url.render_as_string(hide_password=False))

    def create(self) -> str:
        try:
            with self._admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {self.name}"))
        except OperationalError as exc:
            self._admin.dispose()
            raise DatabaseUnreachable(str(exc).splitlines()[0]) from exc
        url = make_url(self.server_url).update_query_dict({"options": f"-csearch_path={self.name}"})
        return url.render_as_string(hide_password=False)

    def drop(self) -> None:
        with self._admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
        self._admin.dispose()


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str | None]:
    """None (SQLite in a fresh data directory) as is; a PostgreSQL server URL: a private schema in it."""
    if server_url is None:
        yield None
        return
    schema = PrivateSchema(server_url)
    url = schema.create()
    try:
        yield url
    finally:
        schema.drop()
