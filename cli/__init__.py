"""`govassist`: one command line in front of the whole assistant. A thin shell over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.storage.schema_state import SchemaNotCurrent
from cli.applications import application
from cli.audit import audit
from cli.bench import bench
from cli.bench_index import index as bench_index
from cli.chat import chat
from cli.db import db
from cli.evaluate import eval_
from cli.kb import kb
from cli.keys import keys
from cli.name_tagger import train_name_tagger
from cli.policy import policy
from cli.retention import retention
from cli.serve import serve
from cli.staff import staff
from cli.understand import ask, train, tune
from settings import Settings


class Govassist(click.Group):
    """The command group; a database whose schema is not current stops any command with one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SchemaNotCurrent as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=Govassist, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path), help="Runtime data directory (GOVASSIST_DATA_DIR).")
@click.option("--kb-dir", type=click.Path(path_type=Path, file_okay=False), help="Knowledge base directory (GOVASSIST_KB_DIR).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, kb_dir: Path | None) -> None:
    """政务助手 government-service assistant."""
    overrides: dict[str, Any] = {k: v for k, v in {"data_dir": data_dir, "kb_dir": kb_dir}.items() if v is not None}
    ctx.obj = Settings(**overrides)


main.add_command(kb)
main.add_command(policy)
main.add_command(serve)
main.add_command(application)
main.add_command(staff)
main.add_command(db)
main.add_command(bench)
bench.add_command(bench_index)
for group in (audit, keys, retention):
    main.add_command(group)
for command in (train, ask, tune, eval_, chat, train_name_tagger):
    main.add_command(command)
