"""build_services (assistant/services.py) is the one place the parts are wired: the CLI and the server get
their books from it, each part is built once and only when used, and a command that needs no router
never loads one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services, build_services
from settings import Settings
from tests.conftest import KB_DIR

BOOKS = ("applications", "work_orders", "handoffs", "turn_log", "sessions", "applicant_links", "cases", "audit",
         "privacy", "staff", "work_numbers", "analytics", "followups", "feedback", "kb_edits", "label_queue",
         "limiter", "lookup_failures")
LOADED = ("kb", "router", "assistant", "copilot", "recogniser")


def settings_in(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)


def test_nothing_is_built_until_asked_for_and_a_book_opens_the_database_but_loads_no_router(tmp_path):
    services = build_services(settings_in(tmp_path))
    assert not any(services.built(name) for name in ("database", *BOOKS, *LOADED))
    assert not (tmp_path / "data").exists()  # not even the data directory

    services.audit.verify()
    assert services.built("database") and services.built("audit")
    assert not any(services.built(name) for name in LOADED)
    assert (tmp_path / "data" / "govassist.db").is_file()
    services.close()


def test_each_part_is_built_once_and_shared_by_the_parts_made_of_it(tmp_path):
    services = build_services(settings_in(tmp_path))
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(services.cases)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(c is services.cases for c in seen)
    assert services.privacy is services.privacy and services.kb_edits is services.kb_edits
    with pytest.raises(AttributeError):
        services.prepare("settings")  # a field, not a part
    services.close()


def test_a_given_database_is_shared_and_left_open(tmp_path):
    first = build_services(settings_in(tmp_path))
    second = build_services(settings_in(tmp_path), database=first.database)
    assert second.database is first.database
    second.close()
    first.staff.accounts("test")  # still open: the one who opened it closes it
    first.close()


def test_the_audit_and_staff_commands_load_no_router_and_no_knowledge_base(govassist, monkeypatch):
    import cli.common

    def refuse(*_args: object) -> None:
        raise AssertionError("this command must not load the knowledge base or the router")

    monkeypatch.setattr(cli.common, "load_router", refuse)
    monkeypatch.setattr(cli.common, "load_kb", refuse)
    added = govassist("staff", "add", "admin1", "--role", "admin", "--work-number", "2001",
                      input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    verified = govassist("audit", "verify")
    assert verified.exit_code == 0 and "intact: 1 event(s)" in verified.output, verified.output
    shown = govassist("application", "show", "GA0000")
    assert shown.exit_code == 1 and "no application GA0000" in shown.output


def test_the_server_and_the_cli_take_the_same_parts_from_build_services(tmp_path, router):
    from cli.common import services as cli_services
    from server import create_app

    settings = settings_in(tmp_path)
    with TestClient(create_app(settings, router=router)) as client:
        served: Services = client.app.state.services
        runtime = client.app.state.runtime
        assert isinstance(served, Services) and served.settings is settings
        # The runtime's assistant and copilot answer on the services' books, not copies of them.
        assert runtime.assistant.cases is served.cases and runtime.assistant.orders is served.work_orders
        assert runtime.router is router
        assert not served.built("router")  # the runtime was given the shared one; services loaded none
        from_cli = cli_services(settings)
        for name in BOOKS:
            assert type(getattr(from_cli, name)) is type(getattr(served, name)), name
        from_cli.close()


def test_ask_routes_without_opening_a_database(routing_settings, router, monkeypatch):
    from click.testing import CliRunner

    import assistant.storage.db
    from cli import main

    def refuse(*_args: object) -> None:
        raise AssertionError("`govassist ask` must not open the database")

    monkeypatch.setattr(assistant.storage.db, "open_database", refuse)
    asked = CliRunner().invoke(main, ["--data-dir", str(routing_settings.data_dir), "ask", "--json", "我想第一次办张社保卡"],
                               catch_exceptions=False)
    assert asked.exit_code == 0, asked.output
    assert '"decision"' in asked.output
