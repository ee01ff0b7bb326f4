"""转人工 as a specification: the exact events of each step while a conversation waits for a person, is
with one, or comes back; and what the queue in the database holds afterwards.

As in tests/test_dialogue_steps.py: no trained router (steering words are enough here), the real
knowledge base, wording and a SQLite database, a clock the test moves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.cases.handoff_queue import CITIZEN, ENDED, TAKEN, WAITING
from assistant.cases.workorder_status import CallerField
from assistant.dialogue.events import (
    CallbackAsked,
    HandedOff,
    HandoffEnded,
    Moved,
    Offered,
    Said,
    SentToAgent,
    Submitted,
    said_keys,
)
from assistant.dialogue.session import FormState, SessionState
from assistant.dialogue.states import State
from assistant.factory import build_assistant
from settings import Settings
from tests.conftest import KB_DIR
from tests.persistence_support import Clock
from tests.test_dialogue_steps import REPORT, StubRouter

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "13912345678"


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture
def assistant(tmp_path, knowledge_base, clock):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, handoff_hours="08:30-17:30", handoff_days=[1, 2, 3, 4, 5],
                        handoff_wait_seconds=180)
    return build_assistant(settings, knowledge_base, StubRouter(), clock=clock)


def filling_report(values: dict[str, str] | None = None) -> SessionState:
    form = FormState(subject_id=REPORT, asked="location", values=dict(values or {}), displays=dict(values or {}))
    return SessionState(state=State.filling, form=form, topic=REPORT, consented=[REPORT])


def stored(assistant, state: SessionState) -> str:
    """The new conversation's token; it is stored, as the engine stores it, under the token's key."""
    session_id = assistant.new_session()
    assistant.store.save(assistant.key_of(session_id), state.to_document(assistant.cipher.encrypt), None)
    return session_id


def step(assistant, session_id: str, text: str) -> list:
    """One step on the stored conversation, saved as the engine saves it (so the queue sees it too)."""
    turn_events: list = []
    original = assistant.dialogue.step

    def keep(state, sid, msg):
        events = original(state, sid, msg)
        turn_events.extend(events)
        return events

    assistant.dialogue.step = keep
    try:
        assistant.handle(session_id, text)
    finally:
        assistant.dialogue.step = original
    return turn_events


def waiting(assistant, values: dict[str, str] | None = None) -> str:
    session_id = stored(assistant, filling_report(values))
    step(assistant, session_id, "转人工")
    return session_id


def location_asked(assistant) -> list:
    """The question waiting when the handoff began, asked again (already asked: no Asked event)."""
    return [Said("ask", {"question": assistant.kb.services[REPORT].slots[2].ask})]


# -- asking for a person ------------------------------------------------------------------------------------


def test_asking_for_a_person_in_service_hours_queues_the_conversation_and_says_its_place(assistant):
    session_id = stored(assistant, filling_report())
    events = step(assistant, session_id, "转人工")
    assert events == [HandedOff("asked"), Said("handoff", {}), Said("handoff_queued", {"position": 1}),
                      Offered(("继续", "登记回电"))]
    case = assistant.handoffs.open_case(assistant.key_of(session_id))
    assert case is not None and (case.status, case.reason, case.created_at) == (WAITING, "asked", MONDAY_10)


def test_a_second_conversation_is_told_it_is_second(assistant):
    waiting(assistant)
    events = step(assistant, stored(assistant, SessionState()), "人工")
    assert Said("handoff_queued", {"position": 2}) in events


def test_outside_service_hours_the_citizen_is_told_nobody_can_come_and_offered_a_call_back(assistant, clock):
    clock.now = MONDAY_10.replace(hour=20)
    events = step(assistant, stored(assistant, SessionState()), "转人工")
    assert said_keys(events) == ["handoff", "handoff_closed"]
    assert Said("handoff_closed", {"days": "周一、周二、周三、周四、周五", "hours": "08:30-17:30"}) in events
    assert events[-1] == Offered(("登记回电", "继续"))


def test_the_third_misunderstanding_queues_the_conversation_too(assistant):
    session_id = stored(assistant, SessionState())
    for _ in range(3):
        events = step(assistant, session_id, "qwe")
    assert HandedOff("misunderstood") in events
    assert assistant.handoffs.open_case(assistant.key_of(session_id)).reason == "misunderstood"


# -- while waiting -----------------------------------------------------------------------------------------------


def test_what_a_waiting_citizen_says_goes_to_the_agent_and_they_are_told_their_place_not_asked_to_wait_for_ever(assistant):
    session_id = waiting(assistant)
    events = step(assistant, session_id, "喂？有人吗")
    assert events == [SentToAgent("喂？有人吗"), Said("handoff_noted", {}), Said("handoff_queued", {"position": 1}),
                      Offered(("继续", "登记回电"))]
    assert [(m.sender, m.text) for m in assistant.handoffs.messages(session_id=assistant.key_of(session_id))] == [(CITIZEN, "喂？有人吗")]


def test_when_nobody_takes_it_in_the_set_time_the_citizen_is_told_so_and_offered_a_call_back(assistant, clock):
    session_id = waiting(assistant)
    clock.now = MONDAY_10 + timedelta(seconds=180)
    events = step(assistant, session_id, "怎么还没人")
    assert events == [SentToAgent("怎么还没人"), Said("handoff_noted", {}), Said("handoff_nobody", {"position": 1}),
                      Offered(("登记回电", "继续"))]


@pytest.mark.parametrize("word", ["继续", "算了"])
def test_continue_or_never_mind_goes_back_to_the_form_and_leaves_the_queue(assistant, word):
    session_id = waiting(assistant)
    events = step(assistant, session_id, word)
    assert events == [HandoffEnded("left"), Said("handoff_back", {}), *location_asked(assistant)]
    assert assistant.state_of(assistant.key_of(session_id)).state is State.filling
    assert assistant.handoffs.open_case(assistant.key_of(session_id)) is None
    assert assistant.handoffs.get(1).outcome == "left"


# -- a call-back work order -----------------------------------------------------------------------------------------


def test_a_call_back_asks_for_a_phone_checks_it_and_files_a_work_order_with_it(assistant):
    session_id = waiting(assistant)
    assert step(assistant, session_id, "登记回电") == [CallbackAsked(True), Said("callback_ask_phone", {}), Offered(("继续",))]
    refused = step(assistant, session_id, "1234")
    assert said_keys(refused) == ["callback_phone_invalid"] and assistant.state_of(assistant.key_of(session_id)).callback_asked
    events = step(assistant, session_id, PHONE)
    number = events[0].number
    assert events == [Submitted(number), HandoffEnded("callback"),
                      Said("callback_filed", {"number": number, "phone": "139****5678"}), *location_asked(assistant)]
    order = assistant.orders.get(number)
    assert order.caller[CallerField.phone] == "139****5678" and order.subject_id == REPORT
    assert assistant.orders.reveal(number, CallerField.phone, "agent1") == PHONE
    assert assistant.handoffs.get(1).outcome == "callback" and number in assistant.state_of(assistant.key_of(session_id)).applications


def test_a_call_back_uses_the_phone_the_form_already_has(assistant):
    session_id = waiting(assistant, {"phone": PHONE})
    events = step(assistant, session_id, "登记回电")
    assert [type(e) for e in events[:3]] == [Submitted, HandoffEnded, Said] and events[2].key == "callback_filed"


# -- with an agent ------------------------------------------------------------------------------------------------------


def test_once_an_agent_took_it_the_citizen_s_messages_go_to_the_agent_and_the_assistant_says_nothing(assistant):
    session_id = waiting(assistant)
    assert assistant.handoffs.take(1, "agent1", "1001")
    events = step(assistant, session_id, "社保卡丢了")
    assert events == [SentToAgent("社保卡丢了")]
    assert assistant.handoffs.get(1).status == TAKEN


def test_the_agent_hands_back_and_the_form_resumes_where_it_was(assistant):
    session_id = waiting(assistant, {"issue_type": "street_light"})
    assistant.handoffs.take(1, "agent1", "1001")
    state = assistant.state_of(assistant.key_of(session_id))
    reply = assistant.dialogue.handed_back(state, "returned", "1001")
    assert reply.handoff == [HandoffEnded("returned")]
    assert reply.lines[0] == assistant.ctx.say("handoff_returned", work_number="1001")
    assert state.state is State.filling and state.form.values == {"issue_type": "street_light"}


def test_handing_back_through_the_engine_ends_the_case_and_tells_the_citizen_through_the_handoff(assistant):
    session_id = waiting(assistant)
    assistant.handoffs.take(1, "agent1", "1001")
    turn = assistant.end_handoff(assistant.key_of(session_id), "returned", "1001")
    assert turn.state is State.filling
    case = assistant.handoffs.get(1)
    assert (case.status, case.outcome) == (ENDED, "returned")
    assert [m.sender for m in assistant.handoffs.messages(session_id=assistant.key_of(session_id))] == ["assistant"]


def test_the_handoff_events_are_exact(assistant):
    """handed_back's events, as the dialogue tests assert them."""
    from assistant.dialogue.events import Tracker

    state = assistant.state_of(assistant.key_of(waiting(assistant)))
    t = Tracker(state)
    assistant.dialogue.handoffs.handed_back(t, "workorder", "1001", number="WO20261123-000001")
    assert t.events == [Submitted("WO20261123-000001"), HandoffEnded("workorder"),
                        Said("handoff_workorder", {"work_number": "1001", "number": "WO20261123-000001", "name": ""}),
                        *location_asked(assistant)]
    assert Moved not in [type(e) for e in t.events]
