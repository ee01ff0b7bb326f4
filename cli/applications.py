"""`govassist application show|advance`: what staff do with an application, from the terminal."""

from __future__ import annotations

import getpass

import click

from cli.common import services
from cli.wording import cli_wording
from settings import Settings


def staff_actor() -> str:
    """Who acts from the terminal, as the audit log names them: cli:<login name>."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a bare container user)
        return "cli"


def _book(settings: Settings):
    return services(settings).applications


@click.group("application")
def application() -> None:
    """Look up an application and move it along its statuses (staff)."""


@application.command("show")
@click.argument("number")
@click.pass_obj
def show(settings: Settings, number: str) -> None:
    """Status, history and masked fields of one application."""
    book = _book(settings)
    view = book.get(number.upper(), None, staff=staff_actor())
    if view is None:
        raise click.ClickException(f"no application {number}")
    expected = cli_wording()("application_expected", date=view.expected_date or "-")
    click.echo(f"{view.number}  {view.subject_name}  {view.dept}  {view.status_label}  {expected}")
    for member in view.members:
        click.echo(f"  {member.number}  {member.subject_name}  {member.dept}  {member.status_label}")
    for label, value in (view.fields or {}).items():
        click.echo(f"  {label}：{value}")
    for event in book.history(view.number):
        before = event.from_status.value if event.from_status else "-"
        click.echo(f"  {event.at:%Y-%m-%d %H:%M}  {before} → {event.to_status.value}  {event.actor}  {event.note}")


@application.command("advance")
@click.argument("number")
@click.argument("status", type=click.Choice(["accepted", "in_review", "approved", "rejected", "done"]))
@click.option("--note", default="", help="Why (shown in the history).")
@click.pass_obj
def advance(settings: Settings, number: str, status: str, note: str) -> None:
    """Move an application to its next status (only the allowed transitions)."""
    from assistant.cases.applications import ApplicationStatus, UnknownApplication
    from assistant.cases.case_book import IllegalStatusChange

    try:
        event = _book(settings).advance(number.upper(), ApplicationStatus(status), staff_actor(), note)
    except (IllegalStatusChange, UnknownApplication) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{number}: {event.from_status.value if event.from_status else '-'} → {event.to_status.value}")
