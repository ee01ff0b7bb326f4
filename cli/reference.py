"""docs/cli.md, written from the real `--help` of every `govassist` command, so it cannot drift:
tests/test_docs.py fails when the file differs from what this writes. `make docs` writes it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from settings import REPO_ROOT

WIDTH = 100
HEADER = """# Command-line reference

Every `govassist` command and subcommand with its `--help`, written by `make docs`
(`python -m cli.reference > docs/cli.md`) from the commands themselves; tests/test_docs.py fails when
this file and the commands differ. The settings the commands read are in docs/configuration.md.
"""


def commands(command: click.Command, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """(path, command) for `command` and everything under it, in the order --help lists them."""
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            sub = command.get_command(click.Context(command), name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, (*path, name))


def help_text(chain: list[click.Command], path: tuple[str, ...]) -> str:
    """The --help of chain[-1], reached through chain[:-1] (whose settings, such as -h, it inherits)."""
    ctx: click.Context | None = None
    for command, name in zip(chain, path, strict=True):
        ctx = click.Context(command, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH,
                            **command.context_settings)
    assert ctx is not None
    command = chain[-1]
    # Defaults that are files of the checkout are shown relative to it, the same on every machine.
    options = [p for p in command.params if isinstance(p, click.Option)]
    shown = {p: p.show_default for p in options}
    for option in options:
        default = option.default
        if isinstance(default, str | Path) and str(default).startswith(f"{REPO_ROOT}/"):
            option.show_default = str(default).removeprefix(f"{REPO_ROOT}/") if option.show_default else False
    try:
        return command.get_help(ctx)
    finally:
        for option, was in shown.items():
            option.show_default = was


def reference(root: click.Command, name: str = "govassist") -> str:
    parts = [HEADER]
    for path, _ in commands(root, (name,)):
        chain = [root]
        for part in path[1:]:
            chain.append(chain[-1].get_command(click.Context(chain[-1]), part))  # type: ignore[attr-defined]  # a Group, as it has subcommands
        parts.append(f"\n## {' '.join(path)}\n\n```text\n{help_text(chain, path)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    from cli import main

    print(reference(main), end="")
