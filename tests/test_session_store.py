"""Conversation sessions: saved with a version check, kept across a restart, consent recorded."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from persistence_support import OpenDb, any_db, engine_of, sqlite_db  # noqa: F401 (fixtures)
from sqlalchemy import select, text

from assistant.dialogue.session_store import SessionStore, StaleSession, StoredSession
from assistant.storage.personal_tables import ConsentRow
from settings import Settings

STATE = {"state": "filling", "subject": "newborn", "values": {"mother_name": "enc:v1:0a1b2c3d:AAAA"}, "note": "您好"}


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {SessionStore.new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", t) for t in tokens)


def test_a_new_session_is_saved_at_version_1_and_loaded_back(any_db: OpenDb) -> None:
    store = SessionStore(any_db())
    token = store.new_token()
    assert store.load(token) is None
    assert store.save(token, STATE, expected_version=None) == 1
    loaded = store.load(token)
    assert loaded is not None
    assert (loaded.token, loaded.state, loaded.version) == (token, STATE, 1)


def test_exists_tells_a_stored_conversation_from_an_unknown_token(any_db: OpenDb) -> None:
    store = SessionStore(any_db())
    token = store.new_token()
    assert not store.exists(token)
    store.save(token, STATE, expected_version=None)
    assert store.exists(token)
    assert not store.exists(store.new_token())


def test_each_save_from_the_current_version_bumps_it(any_db: OpenDb) -> None:
    store = SessionStore(any_db())
    token = store.new_token()
    store.save(token, {"step": 1}, None)
    assert store.save(token, {"step": 2}, expected_version=1) == 2
    assert store.save(token, {"step": 3}, expected_version=2) == 3
    assert store.load(token) == StoredSession(token=token, state={"step": 3}, version=3)


def test_a_save_from_an_older_version_is_refused_and_changes_nothing(any_db: OpenDb) -> None:
    store = SessionStore(any_db())
    token = store.new_token()
    store.save(token, {"step": 1}, None)
    store.save(token, {"step": 2, "by": "first request"}, expected_version=1)
    with pytest.raises(StaleSession):
        store.save(token, {"step": 2, "by": "second request"}, expected_version=1)
    loaded = store.load(token)
    assert loaded is not None and loaded.state == {"step": 2, "by": "first request"} and loaded.version == 2


def test_creating_a_session_that_exists_or_updating_one_that_does_not_is_refused(any_db: OpenDb) -> None:
    store = SessionStore(any_db())
    token = store.new_token()
    store.save(token, {"step": 1}, None)
    with pytest.raises(StaleSession):
        store.save(token, {"step": 1}, None)
    with pytest.raises(StaleSession):
        store.save(store.new_token(), {"step": 1}, expected_version=1)


def test_of_many_simultaneous_saves_from_one_version_exactly_one_wins(any_db: OpenDb) -> None:
    store = SessionStore(any_db())
    token = store.new_token()
    store.save(token, {"writer": None}, None)
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def write(n: int) -> None:
        start.wait()
        try:
            store.save(token, {"writer": n}, expected_version=1)
            outcomes.append(f"won {n}")
        except StaleSession:
            outcomes.append("stale")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(outcomes) == 6 and len(winners) == 1
    loaded = store.load(token)
    assert loaded is not None and loaded.version == 2 and f"won {loaded.state['writer']}" == winners[0]


def test_sessions_survive_a_restart(any_db: OpenDb) -> None:
    token = SessionStore.new_token()
    first = any_db()
    SessionStore(first).save(token, STATE, None)
    engine_of(first).dispose()
    loaded = SessionStore(any_db()).load(token)
    assert loaded is not None and loaded.state == STATE and loaded.version == 1


def test_deleting_a_session_forgets_its_state_but_keeps_its_consents(any_db: OpenDb) -> None:
    factory = any_db()
    store = SessionStore(factory)
    token = store.new_token()
    store.save(token, STATE, None)
    store.record_consent(token, "newborn", "办理出生一件事", ["母亲姓名", "母亲身份证号"], granted=True)
    assert store.delete(token) is True
    assert store.load(token) is None
    assert store.delete(token) is False
    with factory() as session:
        assert session.scalars(select(ConsentRow.session_id)).all() == [token]


def test_consent_answers_are_recorded_with_what_was_asked(any_db: OpenDb) -> None:
    factory = any_db()
    store = SessionStore(factory)
    token = store.new_token()
    store.record_consent(token, "newborn", "办理出生一件事", ["母亲姓名", "母亲身份证号"], granted=False)
    store.record_consent(token, "newborn", "办理出生一件事", ["母亲姓名", "母亲身份证号"], granted=True)
    with factory() as session:
        rows = session.scalars(select(ConsentRow).order_by(ConsentRow.id)).all()
    assert [(r.subject_id, r.purpose, r.fields, r.granted) for r in rows] == [
        ("newborn", "办理出生一件事", ["母亲姓名", "母亲身份证号"], False),
        ("newborn", "办理出生一件事", ["母亲姓名", "母亲身份证号"], True),
    ]
    assert all(r.created_at.tzinfo is not None for r in rows)


def test_the_sqlite_file_is_set_up_for_several_processes(sqlite_db: OpenDb) -> None:
    with sqlite_db()() as session:
        pragmas = {p: session.execute(text(f"PRAGMA {p}")).scalar() for p in ("journal_mode", "foreign_keys", "busy_timeout")}
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["busy_timeout"] >= 1000


def test_the_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).resolved_database_url == f"sqlite:///{tmp_path / 'govassist.db'}"
    url = "postgresql://db.example/govassist"
    assert Settings(data_dir=tmp_path, database_url=url).resolved_database_url == url


def test_writers_of_one_process_take_turns_on_sqlite_without_busy_waiting(sqlite_db: OpenDb) -> None:
    from sqlalchemy import event

    factory = sqlite_db()
    engine = engine_of(factory)

    @event.listens_for(engine, "connect")
    def no_busy_wait(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")  # a writer finding the file locked would fail at once

    engine.dispose()  # the connections opened so far had the default timeout
    store, failures = SessionStore(factory), []

    def write(n: int) -> None:
        try:
            for i in range(20):
                store.save(f"writer{n}-{i}", STATE, expected_version=None)
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(store.exists(f"writer{n}-19") for n in range(8))
