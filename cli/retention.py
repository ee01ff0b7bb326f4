"""`govassist retention purge [--dry-run]`: delete idle conversations, scrub old closed cases."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.common import services
from settings import Settings


@click.group("retention")
def retention() -> None:
    """How long conversations and personal values are kept (GOVASSIST_*_RETENTION_DAYS)."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.pass_obj
def purge(settings: Settings, dry_run: bool) -> None:
    """Delete conversations idle longer than session_retention_days; replace by a tombstone the personal
    values of applications and work orders closed longer ago than personal_data_retention_days."""
    from assistant.cases.retention import Retention, RetentionPolicy

    policy = RetentionPolicy.from_settings(settings)
    report = Retention(services(settings).database, policy).purge(datetime.now(UTC), dry_run=dry_run)
    verb = "would" if dry_run else "did"
    click.echo(f"{verb} delete {report.sessions} conversation(s) idle over {policy.session_days} days")
    click.echo(f"{verb} scrub {len(report.applications)} application(s) and {len(report.work_orders)} work order(s) "
               f"closed over {policy.personal_data_days} days ago")
    for number in [*report.applications, *report.work_orders]:
        click.echo(f"  {number}")
