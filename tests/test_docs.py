"""The docs keep up with the code: every setting, every `govassist` command and every endpoint is
documented, and every docs/ file the code and docs point to exists.

In the manner of Datasette's tests/test_docs.py. docs/cli.md is written from the commands' own --help
(`make docs`), so it is compared whole; settings and endpoints need a mention in README.md or docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli import main
from cli.reference import commands, reference
from server import create_app
from settings import Settings
from web.access import declared_routes

ROOT = Path(__file__).resolve().parents[1]
CODE = ("assistant", "cli", "eval", "intents", "knowledge", "voice", "web", "server.py", "settings.py", "Makefile")
_PARAMETER = re.compile(r"\{[^}/]*\}")


def _docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _bare(text: str) -> str:
    """Path parameters without their names: the docs may write /api/handoffs/{id}/take."""
    return _PARAMETER.sub("{}", text)


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"GOVASSIST_{name.upper()}" in _docs(), f"document GOVASSIST_{name.upper()} (docs/configuration.md)"


def test_the_cli_reference_is_the_commands_own_help() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference(main), "docs/cli.md is out of date: run `make docs`"


def test_every_command_has_a_section_in_the_cli_reference() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    paths = [" ".join(path) for path, _ in commands(main, ("govassist",))]
    assert len(paths) > 30
    assert [p for p in paths if f"\n## {p}\n" not in written] == []


def _endpoints() -> list[str]:
    app = create_app(Settings(data_dir=ROOT / "tests" / "no-data-dir-needed"))  # routes only: nothing is loaded
    found = []
    for route in declared_routes(app):
        if route.kind == "http":
            found += [f"{method} {route.path}" for method in route.methods]
        else:
            found.append(f"WS {route.path}" if route.kind == "websocket" else route.path)
    return found


def test_every_endpoint_is_documented() -> None:
    docs = _bare(_docs())
    endpoints = _endpoints()
    assert "POST /api/chat" in endpoints and "WS /ws/voice" in endpoints
    assert [e for e in endpoints if _bare(e) not in docs] == [], "document these in docs/api.md"


def test_every_docs_file_pointed_to_exists() -> None:
    """A `docs/….md` named in the code, the README or the docs is there (docs/security-reliability.md was not)."""
    named = re.compile(r"docs/[\w.-]+\.md")
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    for part in CODE:
        files += [ROOT / part] if (ROOT / part).is_file() else [*(ROOT / part).rglob("*.py"), *(ROOT / part).rglob("*.yaml")]
    missing = {(str(f.relative_to(ROOT)), m) for f in files for m in named.findall(f.read_text(encoding="utf-8"))
               if not (ROOT / m).is_file()}
    assert not missing
