"""`govassist chat`: a terminal conversation on the same engine as the web app."""

from __future__ import annotations

import click

from cli.common import services
from cli.wording import cli_wording
from settings import Settings


@click.command()
@click.option("--session", "session_id", help="Continue this conversation (its token is printed at the start).")
@click.option("--debug", is_flag=True, help="Show state, filled fields and what is missing after each reply.")
@click.pass_obj
def chat(settings: Settings, session_id: str | None, debug: bool) -> None:
    """Talk to the assistant in the terminal (Ctrl-D or 再见 to leave)."""
    assistant = services(settings).assistant
    session_id = session_id or assistant.new_session()
    say = cli_wording()
    leave = set(say("chat_leave_words").split(","))
    click.echo(f"session: {session_id}", err=True)
    while True:
        try:
            text = click.prompt(say("chat_you"), prompt_suffix=say("chat_prompt_suffix"), default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if text.strip() in leave:
            break
        turn = assistant.handle(session_id, text)
        click.echo(say("chat_assistant", reply=turn.reply))
        if turn.suggestions:
            click.echo("   [" + "] [".join(turn.suggestions) + "]")
        if debug:
            filled = "，".join(f"{s.label}={s.value}" for s in turn.slots)
            missing = say("chat_missing", fields="、".join(turn.missing))
            click.echo(f"   ({turn.state.value}; {filled}; {missing})", err=True)
