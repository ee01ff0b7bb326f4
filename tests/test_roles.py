"""Who may call what: every route of the real app declares it, and lets in exactly those callers.

Each route — API, page, WebSocket, static files, FastAPI's own docs — states who may call it with
`dependencies=[allow(Access.…)]` (web/access.py). Every route is called by nobody, by a citizen
(a conversation's token, as header, cookie and body/query), by a staff member and by an admin:
those it declares get past authorization (any answer but 401/403 — a 404 or 422 for the example's
content is fine), the others are refused with 401/403 (1008 on a WebSocket) and the one error shape.
A route added without a declaration fails here, and so does one that lets in someone it should not.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from tests.route_probes import ROUTES, STAFF_PASSWORD, STAFF_USERS, Caller, call, probe_for, route_id
from tests.server_process import server_data_dir
from web.access import Access, DeclaredRoute, admits

CALLERS = (Access.public, Access.citizen, Access.staff, Access.admin)


@pytest.fixture(scope="module")
def app(tmp_path_factory, routing_settings, router):
    # The trained encoder and index are linked in, so an admin's POST /api/admin/rebuild is quick.
    data_dir = server_data_dir(tmp_path_factory.mktemp("roles") / "data", routing_settings)
    settings = Settings(data_dir=data_dir, kb_dir=KB_DIR, rate_limit_per_minute=100_000)
    staff = StaffDirectory(open_database(settings.resolved_database_url))
    staff.add(STAFF_USERS[Access.staff], STAFF_PASSWORD, Role.staff)
    staff.add(STAFF_USERS[Access.admin], STAFF_PASSWORD, Role.admin)
    app = create_app(settings, router=router)
    with TestClient(app):
        yield app
        _wait_for_rebuilds(app)


def _wait_for_rebuilds(app) -> None:
    """Leave no rebuild running into the shutdown (an admin's probe of POST /api/admin/rebuild starts one)."""
    deadline = time.monotonic() + 300
    while (job := app.state.rebuilder.latest()) is not None and job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.5)


class Callers:
    """A caller of each kind with live credentials (a probe may log out or erase the ones it had)."""

    def __init__(self, app) -> None:
        self.app = app
        self.tokens: dict[Access, str] = {}

    def __call__(self, who: Access) -> Caller:
        state = self.app.state
        if who is Access.citizen:
            return Caller(who, session=state.runtime.assistant.handle(None, "我想第一次办张社保卡").session_id)
        if who in STAFF_USERS:
            token = self.tokens.get(who)
            if state.services.staff.user_for(token) is None:
                token = self.tokens[who] = state.services.staff.login(STAFF_USERS[who], STAFF_PASSWORD)
            return Caller(who, staff_token=token)
        return Caller(who)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


@pytest.fixture(scope="module")
def callers(app):
    return Callers(app)


def test_every_route_declares_who_may_call_it():
    undeclared = [route_id(item) for item in ROUTES if item[0].access is None]
    assert not undeclared, ("add dependencies=[allow(Access.public | citizen | staff | admin)] to these routes "
                            f"or their router (web/access.py): {undeclared}")


@pytest.mark.parametrize(("route", "method"), ROUTES, ids=[route_id(item) for item in ROUTES])
def test_a_route_lets_in_exactly_the_callers_it_declares(route: DeclaredRoute, method: str, client, callers):
    if route.access is None:
        pytest.fail(f"{route.path} declares no access (see test_every_route_declares_who_may_call_it)")
    for who in CALLERS:
        caller = callers(who)
        outcome = call(client, probe_for(route, method, caller), caller)
        if admits(route.access, who):
            assert not outcome.refused, (who.value, outcome.status, outcome.body)
        else:
            assert outcome.refused, (who.value, outcome.status, outcome.body)
            body = outcome.body or {}
            assert isinstance(body.get("code"), str) and any("\u4e00" <= ch <= "\u9fff" for ch in body.get("message", "")), body


def test_an_admin_is_a_staff_member_and_a_staff_member_is_not_an_admin():
    assert admits({Access.staff}, Access.admin) and not admits({Access.admin}, Access.staff)
    assert all(admits({Access.public}, who) for who in CALLERS)
    assert not admits({Access.citizen}, Access.staff)  # staff act in a caller's conversation only with its token
