"""Rate limiting: a key gets its quota per minute, then is refused (429, Retry-After), then allowed again.

Every public or citizen route that costs work counts requests per client address and, when it names
one, per conversation (web/limits.py `limit`). The quota is GOVASSIST_RATE_LIMIT_PER_MINUTE, counted in
the database so that several workers share it.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from assistant.storage.hit_counter import HitCounter
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from tests.route_probes import ROUTES, STAFF_PASSWORD, STAFF_USERS, Caller, call, probe_for, route_id
from web.access import Access

QUOTA = 3
# Pages, static files and lookups answered from memory: nothing worth limiting. Any other public or
# citizen route must call `limit` (a new one fails below until it does, or is listed here).
CHEAP = {"/openapi.json", "/docs", "/docs/assets", "/docs/oauth2-redirect", "/redoc", "/static", "/", "/copilot", "/admin",
         "/api/health", "/api/services", "/api/services/{service_id}"}
LIMITED = [(r, m) for r, m in ROUTES if r.access and r.access & {Access.public, Access.citizen} and r.path not in CHEAP]


def limiter_on(database, per_minute: int, now: list[float]) -> HitCounter:
    return HitCounter(database, quota=per_minute, clock=lambda: now[0])


def test_a_key_is_refused_over_its_quota_and_allowed_again_a_minute_later(tmp_path):
    now = [1000.0]
    limiter = limiter_on(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"), 3, now)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # other keys are not affected
    now[0] = 1061.0
    assert limiter.allow("a")


def test_a_refused_key_is_told_how_long_to_wait(tmp_path):
    now = [100.0]
    limiter = limiter_on(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"), 2, now)
    assert [limiter.wait("a") for _ in range(2)] == [0, 0]
    now[0] = 110.5
    assert limiter.wait("a") == 50  # the oldest hit leaves the one-minute window at 160
    now[0] = 160.5
    assert limiter.wait("a") == 0


def test_workers_on_one_database_share_one_quota(tmp_path):
    # Two limiters with their own engines stand for two worker processes: before, each counted apart,
    # so two workers allowed twice the quota.
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    now = [500.0]
    first, second = limiter_on(open_database(url), 4, now), limiter_on(open_database(url), 4, now)
    assert [worker.allow("ip:10.0.0.1") for worker in (first, second, first, second)] == [True] * 4
    assert not first.allow("ip:10.0.0.1") and not second.allow("ip:10.0.0.1")
    assert second.allow("ip:10.0.0.2")


def test_a_request_refused_under_one_key_is_counted_under_none(tmp_path):
    now = [0.0]
    limiter = limiter_on(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"), 1, now)
    assert limiter.wait("session:s") == 0
    assert limiter.wait("ip:a", "session:s") > 0  # the conversation is over its quota
    assert limiter.wait("ip:a") == 0  # so the address was not charged for the refused request


def test_the_stored_key_is_a_hash_not_the_conversation_token(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    limiter_on(database, 5, [0.0]).wait("session:secret-token-value")
    assert b"secret-token-value" not in (tmp_path / "db.sqlite").read_bytes() + (tmp_path / "db.sqlite-wal").read_bytes()


@pytest.fixture(scope="module")
def app(tmp_path_factory, router):
    settings = Settings(data_dir=tmp_path_factory.mktemp("limits") / "data", kb_dir=KB_DIR, rate_limit_per_minute=QUOTA)
    settings.data_dir.mkdir(parents=True)
    StaffDirectory(open_database(settings.resolved_database_url)).add(STAFF_USERS[Access.staff], STAFF_PASSWORD, Role.staff)
    app = create_app(settings, router=router)
    with TestClient(app):
        yield app


def client_at(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def citizen(app) -> Caller:
    """A conversation made without a request, so that none of the quota is used on it."""
    return Caller(Access.citizen, session=app.state.runtime.assistant.handle(None, "你好").session_id)


@pytest.mark.parametrize(("route", "method"), LIMITED, ids=[route_id(item) for item in LIMITED])
def test_every_public_or_citizen_route_that_costs_work_is_limited(app, route, method):
    address = f"10.1.{LIMITED.index((route, method))}.1"  # an address of its own: quotas do not mix
    caller = citizen(app) if Access.citizen in route.access else Caller(Access.public)
    client = client_at(app, address)
    outcomes = [call(client, probe_for(route, method, caller), caller) for _ in range(QUOTA + 1)]
    assert all(o.status != 429 for o in outcomes[:QUOTA]), [o.status for o in outcomes]
    refused = outcomes[QUOTA]
    assert refused.body and refused.body["code"] == "rate_limited" and "频繁" in refused.body["message"], refused
    if route.kind == "http":
        assert refused.status == 429 and 1 <= int(refused.headers["retry-after"]) <= 60, refused
    # Another address, with a conversation of its own, is not held up by this one.
    other = citizen(app) if Access.citizen in route.access else Caller(Access.public)
    assert call(client_at(app, address + "0"), probe_for(route, method, other), other).status not in (429, 1008)


def test_one_noisy_address_does_not_use_up_anothers_quota(app):
    noisy, quiet = client_at(app, "10.2.0.1"), client_at(app, "10.2.0.2")
    assert [noisy.get("/api/search", params={"q": "社保卡"}).status_code for _ in range(QUOTA + 1)][-1] == 429
    assert quiet.get("/api/search", params={"q": "社保卡"}).status_code == 200


def test_a_conversation_is_limited_whatever_address_it_comes_from(app):
    session = citizen(app).session
    statuses = [client_at(app, f"10.3.0.{n}").post("/api/chat", json={"session_id": session, "text": "你好"}).status_code
                for n in range(QUOTA + 1)]
    assert statuses == [200] * QUOTA + [429]


def test_signed_in_agents_share_an_office_address_and_are_not_counted(app):
    office = client_at(app, "10.4.0.1")
    assert office.post("/api/staff/login", json={"username": STAFF_USERS[Access.staff], "password": STAFF_PASSWORD}).status_code == 200
    session = citizen(app).session  # 代办: the agent carries on a caller's conversation
    statuses = [office.post("/api/chat", json={"session_id": session, "text": "你好"}).status_code for _ in range(QUOTA * 2)]
    assert statuses == [200] * (QUOTA * 2)
