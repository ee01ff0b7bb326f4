"""`govassist audit verify|list|import-legacy`: check the audit log's hash chain and read it."""

from __future__ import annotations

import json

import click

from cli.common import services
from settings import Settings


def _log(settings: Settings):
    return services(settings).audit


@click.group("audit")
def audit() -> None:
    """The audit log: who read personal data and who changed what (hash-chained)."""


@audit.command("verify")
@click.option("--head", "head", metavar="HASH", help="A head noted down earlier: it must still be in the chain.")
@click.pass_obj
def verify(settings: Settings, head: str | None) -> None:
    """Walk the chain; exit 1 naming the first event where it breaks."""
    log = _log(settings)
    report = log.verify()
    if report.broken is not None:
        b = report.broken
        raise click.ClickException(f"audit log broken at event {b.seq} (row id {b.id}): {b.reason}; "
                                   f"{report.count} event(s) before it are intact")
    if head is not None and log.find(head) is None:
        raise click.ClickException(f"head {head[:16]}… is not in the chain: events were cut off the end or replaced")
    click.echo(f"audit log intact: {report.count} event(s), head {report.head}")


@audit.command("list")
@click.option("--object", "object_", help="Only events about this object (a GA…/WO… number, call:<id>, kb:<id>).")
@click.option("--actor", help="Only events by this actor.")
@click.option("--action", help="Only this action (view, reveal, submit, status_change, create, transition…).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def list_(settings: Settings, object_: str | None, actor: str | None, action: str | None, limit: int, as_json: bool) -> None:
    """The latest events, oldest first."""
    entries = _log(settings).entries(object=object_, actor=actor, action=action, limit=limit, newest_first=True)
    for e in reversed(entries):
        if as_json:
            click.echo(json.dumps(e.to_dict(), ensure_ascii=False))
        else:
            detail = e.detail if isinstance(e.detail, str) else json.dumps(e.detail, ensure_ascii=False)
            click.echo(f"{e.seq:>6}  {e.at:%Y-%m-%d %H:%M:%S}Z  {e.actor}  {e.action}  {e.object}  {detail}")


@audit.command("import-legacy")
@click.pass_obj
def import_legacy(settings: Settings) -> None:
    """Move reveals recorded before the chain existed (table audit_events) into it."""
    click.echo(f"moved {_log(settings).import_legacy()} legacy event(s) into the audit log")
