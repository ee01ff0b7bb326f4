"""`govassist db current|upgrade|revision`: the database schema's version (docs/deploy.md).

SQLite is upgraded whenever the assistant opens it; PostgreSQL is upgraded by `db upgrade`, a step of
the deploy, and workers refuse to start on a schema behind it.
"""

from __future__ import annotations

from pathlib import Path

import click

from settings import Settings


@click.group("db")
def db() -> None:
    """The database schema: where it stands, and upgrading it (docs/deploy.md)."""


@db.command("current")
@click.option("--check", is_flag=True, help="Exit with status 1 unless the schema is up to date.")
@click.pass_obj
def current(settings: Settings, check: bool) -> None:
    """Show the schema's revision and the one this version needs; changes nothing."""
    from assistant.storage.db import schema_state

    state = schema_state(settings.resolved_database_url)
    click.echo(state.describe())
    if check and not state.up_to_date:
        raise SystemExit(1)


@db.command("upgrade")
@click.pass_obj
def upgrade(settings: Settings) -> None:
    """Bring the schema to the revision this version needs (once, however many workers run)."""
    from assistant.storage.db import upgrade_schema

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    before, after = upgrade_schema(settings.resolved_database_url)
    if before.up_to_date:
        click.echo(f"already at {after.current}")
    else:
        click.echo(f"upgraded from {before.current or 'no revision'} to {after.current}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the revision changes, in a few words.")
def revision(message: str) -> None:
    """For developers: write a new revision from the difference between the models and the last one.

    The difference is taken on a scratch SQLite database upgraded to the last revision; read the
    script it writes (assistant/migrations/versions/) before committing it.
    """
    import tempfile

    from alembic import command

    from assistant.storage.db import make_engine, schema_transaction
    from assistant.storage.schema import alembic_config, head_revision
    from assistant.storage.schema import upgrade as upgrade_to_head

    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            with schema_transaction(engine) as connection:
                upgrade_to_head(connection)
                script = command.revision(alembic_config(connection), message=message, autogenerate=True,
                                          rev_id=f"{int(head_revision()) + 1:04d}")
        finally:
            engine.dispose()
    click.echo(f"wrote {script.path if script and not isinstance(script, list) else script}")
