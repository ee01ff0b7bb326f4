"""A citizen's conversation token is stored only as its key (HMAC-SHA256 under a secret of its own): the
database never holds the token, a value read from it does not work as a token, every worker derives the
same key, and rows written raw by older versions are re-keyed when the app starts."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from assistant.privacy.crypto import field_key_path
from assistant.privacy.session_keys import (
    SESSION_COLUMNS,
    SessionKeys,
    is_key,
    rekey_stored,
    session_key_path,
    session_keys_from_settings,
)
from assistant.storage.db import open_database
from assistant.storage.personal_tables import ApplicationRow, SessionRow
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from tests.test_personal_data import APPLY, REPORT, converse

ALL_DAY = {"handoff_hours": "00:00-24:00", "handoff_days": [1, 2, 3, 4, 5, 6, 7]}  # 转人工 queues at any hour


def settings_in(data_dir: Path, **extra) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(data_dir=data_dir, kb_dir=KB_DIR, **ALL_DAY, **extra)


def stored_ids(database) -> set[str]:
    """Every value of every column that names a conversation."""
    with database() as session:
        return {v for column in SESSION_COLUMNS for v in session.scalars(select(column).distinct()) if v is not None}


def database_bytes(settings: Settings) -> bytes:
    """The SQLite file with its write-ahead log and shared-memory index, as someone copying them would read them."""
    base = settings.data_dir / "govassist.db"
    return b"".join(p.read_bytes() for p in (base, base.with_name("govassist.db-wal"), base.with_name("govassist.db-shm"))
                    if p.exists())


def live_everywhere(client: TestClient) -> tuple[str, str, str]:
    """A conversation that leaves its session in every table: an application, a 12345 report, a rating, a
    handoff with a message for the agent. Returns (token, application number, work-order number)."""
    token, number = converse(client, APPLY)
    _, order = converse(client, REPORT, token)
    assert client.post("/api/feedback", json={"session_id": token, "rating": 2, "comment": "太慢了",
                                              "application": number}).status_code == 201
    converse_to_person = [client.post("/api/chat", json={"session_id": token, "text": t}) for t in ("转人工", "社保卡丢了")]
    assert [r.json()["state"] for r in converse_to_person] == ["handoff", "handoff"]
    return token, number, order


# -- the key ----------------------------------------------------------------------------------------------


def test_a_token_has_one_key_under_one_secret_and_another_under_another() -> None:
    keys, other = SessionKeys(b"k" * 32), SessionKeys(b"o" * 32)
    token = "VEqClP9vtTZyJ1tdHOz_8-MWlLjNIOHJ"
    assert keys.key_of(token) == keys.key_of(token) and is_key(keys.key_of(token))
    assert keys.key_of(token) != keys.key_of(token + "x") and keys.key_of(token) != other.key_of(token)
    assert not is_key(token) and not is_key(keys.key_of(token).upper())


def test_workers_starting_together_make_and_share_one_key_file(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda _: session_keys_from_settings(settings), range(8)))
    assert len({keys.secret for keys in made}) == 1
    assert session_key_path(settings).stat().st_mode & 0o777 == 0o600
    assert session_keys_from_settings(settings) == made[0]  # a later start reads the same file


def test_the_key_comes_from_the_environment_and_not_from_the_field_key(tmp_path, monkeypatch) -> None:
    secret = bytes(range(32))
    monkeypatch.setenv("GOVASSIST_SESSION_KEY", base64.b64encode(secret).decode())
    assert session_keys_from_settings(Settings(data_dir=tmp_path / "a")).secret == secret
    monkeypatch.delenv("GOVASSIST_SESSION_KEY")
    first = Settings(data_dir=tmp_path / "b")
    before = session_keys_from_settings(first)
    # A field-key rotation (a new GOVASSIST_ENCRYPTION_KEY) leaves the conversations' keys as they were.
    rotated = Settings(data_dir=tmp_path / "b", encryption_key=base64.b64encode(b"n" * 32).decode())
    assert session_keys_from_settings(rotated) == before
    assert session_key_path(first) != field_key_path(first)


# -- the running app --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory, router):
    settings = settings_in(tmp_path_factory.mktemp("session-keys") / "data")
    with TestClient(create_app(settings, router=router)) as client:
        token, number, order = live_everywhere(client)
        yield client, settings, token, number, order


def test_a_value_read_from_the_database_does_not_work_as_a_session(app) -> None:
    client, settings, token, number, order = app
    client.cookies.clear()
    values = stored_ids(open_database(settings.resolved_database_url))
    key = client.app.state.runtime.assistant.key_of(token)
    assert key in values and token not in values and all(is_key(v) for v in values)
    for value in values:
        for response in (client.post("/api/chat", json={"session_id": value, "text": "继续"}),
                         client.get("/api/me/data", headers={"X-Session-Token": value}),
                         client.get("/api/handoff", params={"session_id": value}),
                         client.post("/api/feedback", json={"session_id": value, "rating": 5})):
            assert (response.status_code, response.json()["code"]) == (404, "session_not_found"), response.url
        held = {"X-Session-Token": value}  # not the owner: a case lookup asks for the phone's last digits
        for case in (f"/api/applications/{number}", f"/api/cases/{order}"):
            assert client.get(case, headers=held).json()["code"] == "second_factor_required"
        assert client.get("/api/conversation", headers=held).json()["lines"] == []
    # The token itself still does all of it.
    mine = {"X-Session-Token": token}
    assert client.get(f"/api/applications/{number}", headers=mine).json()["fields"]
    assert client.get(f"/api/cases/{order}", headers=mine).json()["fields"]
    assert client.get("/api/conversation", headers=mine).json()["lines"]
    assert client.get("/api/handoff", headers=mine).json()["status"] == "waiting"
    data = client.get("/api/me/data", headers=mine).json()
    assert [a["number"] for a in data["applications"]] == [number] and data["feedback"][0]["rating"] == 2
    assert len(data["consents"]) == 2 and data["conversation"]["state"] == "handoff"


def test_the_token_is_nowhere_in_the_database_file_or_its_log(app) -> None:
    client, settings, token, _, _ = app
    # A second citizen erases their data: the audit entry names the conversation, never by its token.
    client.cookies.clear()
    other = client.post("/api/chat", json={"text": "我想第一次办张社保卡"}).json()["session_id"]
    client.post("/api/chat", json={"session_id": other, "text": "同意"})
    assert client.delete("/api/me/data", headers={"X-Session-Token": other}).status_code == 200
    stored = database_bytes(settings)
    assert len(stored) > 100_000  # the file and its log were read
    for secret in (token, other):
        assert secret.encode() not in stored
    assert client.app.state.runtime.assistant.key_of(token).encode() in stored  # what is stored instead


def test_two_app_instances_sharing_the_key_file_go_on_with_one_conversation(tmp_path, router) -> None:
    settings = settings_in(tmp_path / "data")
    with TestClient(create_app(settings, router=router)) as first, TestClient(create_app(settings, router=router)) as second:
        token = first.post("/api/chat", json={"text": "我想第一次办张社保卡"}).json()["session_id"]
        turn = second.post("/api/chat", json={"session_id": token, "text": "同意"}).json()
        assert (turn["session_id"], turn["state"]) == (token, "filling")
        assert first.app.state.runtime.assistant.key_of(token) == second.app.state.runtime.assistant.key_of(token)


# -- databases written by older versions ------------------------------------------------------------------


def test_tokens_stored_raw_by_an_older_version_are_re_keyed_at_start_and_the_conversation_goes_on(tmp_path, router) -> None:
    settings = settings_in(tmp_path / "data")
    with TestClient(create_app(settings, router=router)) as client:
        token, number, order = live_everywhere(client)
        key = client.app.state.runtime.assistant.key_of(token)
    database = open_database(settings.resolved_database_url)
    with database() as session, session.begin():  # as the older version wrote them: the token itself
        for column in SESSION_COLUMNS:
            session.execute(update(column.class_).where(column == key).values({column.key: token}))
    assert token in stored_ids(database)
    database.kw["bind"].dispose()

    with TestClient(create_app(settings, router=router)) as client:
        client.cookies.clear()
        assert stored_ids(open_database(settings.resolved_database_url)) == {key}
        assert token.encode() not in database_bytes(settings)
        mine = {"X-Session-Token": token}
        data = client.get("/api/me/data", headers=mine).json()
        assert [a["number"] for a in data["applications"]] == [number] and [o["number"] for o in data["work_orders"]] == [order]
        assert data["applications"][0]["fields"] and data["conversation"]["state"] == "handoff"
        assert client.get("/api/handoff", headers=mine).json()["status"] == "waiting"
        # A raw token in the old rows is no longer a way in for someone reading them: only the token's holder
        # gets on, and a second start finds nothing left to re-key.
        assert rekey_stored(open_database(settings.resolved_database_url), client.app.state.runtime.assistant.keys) == 0


def test_re_keying_leaves_keys_alone_and_counts_what_it_changed(tmp_path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'old.db'}")
    keys = SessionKeys(b"s" * 32)
    now = datetime.now(UTC)
    with database() as session, session.begin():
        session.add(SessionRow(id="old-token", created_at=now, updated_at=now, version=1, state_json="{}"))
        session.add(SessionRow(id=keys.key_of("new-token"), created_at=now, updated_at=now, version=1, state_json="{}"))
        for n, owner in enumerate(("old-token", "old-token", keys.key_of("new-token"))):
            session.add(ApplicationRow(number=f"GA1-{n}", kind="single", subject_id="s", subject_name="s", dept="d",
                                       session_id=owner, form_id=f"f{n}", status="submitted", created_at=now,
                                       expected_date=None, values_json={}, display_json={}, deferred_materials=[]))
    assert rekey_stored(database, keys) == 3  # the conversation and its two applications
    assert stored_ids(database) == {keys.key_of("old-token"), keys.key_of("new-token")}
    assert rekey_stored(database, keys) == 0
