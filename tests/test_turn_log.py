"""Every dialogue turn leaves one analytics row in turn_events, with personal data masked."""

from __future__ import annotations

import pytest
from persistence_support import any_db  # noqa: F401 (fixture)
from sqlalchemy import select

from assistant.dialogue.states import State
from assistant.dialogue.turn_log import TurnEvent, mask_known
from assistant.storage.db import open_database, reading
from assistant.storage.personal_tables import TurnEventRow
from tests.conftest import DIALOGUE_NOW

ID = "110101199003074514"
PHONE = "13800138000"


def events(settings) -> list[TurnEventRow]:
    with reading(open_database(settings.resolved_database_url)) as db:
        return list(db.scalars(select(TurnEventRow).order_by(TurnEventRow.id)))


def test_each_turn_is_one_event_with_states_routing_and_masked_text(assistant, dialogue_settings):
    session = assistant.new_session()
    assistant.handle(session, "我想第一次办张社保卡")
    assistant.handle(session, "同意", channel="voice")
    assistant.handle(session, f"我叫张三，身份证{ID}，电话{PHONE}")

    routed, consented, filled = events(dialogue_settings)
    assert [e.session_id for e in (routed, consented, filled)] == [assistant.key_of(session)] * 3  # the key, never the token
    assert (routed.state_before, routed.state_after) == ("idle", "consent")
    assert routed.decision == "route" and routed.subject_id == "sscard-apply"
    assert 0 < routed.confidence <= 1
    assert routed.candidates[0]["id"] == "sscard-apply" and 1 <= len(routed.candidates) <= 3
    assert set(routed.candidates[0]) == {"id", "score"}
    assert routed.channel == "text" and consented.channel == "voice"
    assert routed.at == DIALOGUE_NOW and routed.latency_ms > 0
    # Consent and answers are not routed: no decision, no candidates.
    assert (consented.state_before, consented.state_after) == ("consent", "filling")
    assert consented.decision is None and consented.confidence is None and consented.candidates == []
    assert "同意" in consented.text_masked and consented.reply_masked

    assert ID not in filled.text_masked and PHONE not in filled.text_masked and "张三" not in filled.text_masked
    assert "110101********4514" in filled.text_masked and "138****8000" in filled.text_masked
    assert "张*" in filled.text_masked


def test_the_submitting_turn_carries_the_application_number(assistant, dialogue_settings):
    session = assistant.new_session()
    for text in ("我想第一次办张社保卡", "同意", f"我叫张三，身份证{ID}，电话{PHONE}"):
        turn = assistant.handle(session, text)
    while turn.state is State.filling:
        turn = assistant.handle(session, "都有了" if "材料" in turn.reply else "1")
    turn = assistant.handle(session, "确认提交")
    assert turn.state is State.submitted

    rows = events(dialogue_settings)
    assert rows[-1].state_after == "submitted" and rows[-1].application_number == turn.application.number
    assert [r.application_number for r in rows[:-1]] == [None] * (len(rows) - 1)
    assert all(ID not in r.text_masked + r.reply_masked and PHONE not in r.text_masked + r.reply_masked for r in rows)


def test_an_out_of_scope_message_is_recorded_as_decision_none(assistant, dialogue_settings):
    assistant.handle(None, "今天晚上吃什么好呢")
    (row,) = events(dialogue_settings)
    assert row.decision == "none" and row.state_after == "idle"


def test_the_engine_works_without_a_recorder(assistant):
    assistant.recorder = None
    assert assistant.handle(None, "我想第一次办张社保卡").state is State.consent


def test_known_values_are_masked_before_free_text_masking():
    masked = mask_known(f"我叫张三，住广州市越秀区东风中路305号，身份证{ID}", {"张三": "张*", "广州市越秀区东风中路305号": "广州市越秀区****"})
    assert masked == "我叫张*，住广州市越秀区****，身份证110101********4514"


def test_an_event_names_exactly_the_columns_of_the_table():
    assert set(TurnEvent.__dataclass_fields__) == set(TurnEventRow.__table__.columns.keys()) - {"id"}


def test_the_web_layer_names_the_channel_a_citizen_text_and_an_agents_copilot(tmp_path, router):
    from fastapi.testclient import TestClient

    from assistant.staff.accounts import Role, StaffDirectory
    from server import create_app
    from settings import Settings
    from tests.conftest import KB_DIR

    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    StaffDirectory(open_database(settings.resolved_database_url)).add("agent1", "correct horse battery", Role.staff)
    with TestClient(create_app(settings, router=router)) as client:
        client.post("/api/chat", json={"text": "我想第一次办张社保卡"})
        client.cookies.clear()
        client.post("/api/staff/login", json={"username": "agent1", "password": "correct horse battery"})
        started = client.post("/api/copilot/apply", json={"service_id": "sscard-apply", "caller": {"phone": PHONE}}).json()
        client.post("/api/chat", json={"session_id": started["session_id"], "text": "张三"})
    citizen, on_behalf, agent = events(settings)
    assert citizen.channel == "text"
    assert (on_behalf.channel, on_behalf.text_masked, on_behalf.state_before) == ("copilot", "", "idle")
    assert PHONE not in on_behalf.reply_masked
    assert agent.channel == "copilot" and agent.session_id == client.app.state.runtime.assistant.key_of(started["session_id"])


def test_a_turn_and_its_event_are_written_in_one_transaction(assistant):
    # One commit (one fsync) a turn: the event rides in the transaction that saves the conversation.
    from sqlalchemy import event

    engine = assistant.store._sessions.kw["bind"]
    writes: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        session = assistant.new_session()
        assistant.handle(session, "今天晚上吃什么好呢")
        assistant.handle(session, "今天天气怎么样")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(writes) == 2


def test_a_failed_event_does_not_fail_the_turn_or_its_save(assistant, dialogue_settings):
    from sqlalchemy import text

    from assistant.storage.db import writing

    with writing(assistant.store._sessions) as db:
        db.execute(text("DROP TABLE turn_events"))  # every event insert now fails
    session = assistant.new_session()
    assert assistant.handle(session, "我想第一次办张社保卡").state is State.consent
    assert assistant.handle(session, "同意").state is State.filling  # the first turn's state was saved


def test_a_stale_save_writes_nothing_it_carries(any_db):
    from assistant.dialogue.session_store import SessionStore, StaleSession

    store, carried = SessionStore(any_db()), []
    token = store.new_token()
    store.save(token, {"n": 1}, None)
    store.save(token, {"n": 2}, 1)
    with pytest.raises(StaleSession):
        store.save(token, {"n": 3}, 1, also=carried.append)
    with pytest.raises(StaleSession):
        store.save(token, {"n": 3}, None, also=carried.append)
    assert carried == [] and store.load(token).state == {"n": 2}
