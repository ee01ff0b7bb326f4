"""The handoff queue in the database: shared by every worker, taken by exactly one agent, texts encrypted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant.cases.handoff_queue import AGENT, CITIZEN, TAKEN, HandoffQueue, NotYourCase, ServiceHours
from assistant.privacy.crypto import FieldCipher
from assistant.storage.db import open_database, reading, writing
from assistant.storage.personal_tables import HandoffMessageRow

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ALL_DAY = ServiceHours.parse("00:00-24:00", [1, 2, 3, 4, 5, 6, 7])


def queue_on(url: str, key: bytes = b"k" * 32) -> HandoffQueue:
    """A queue as one worker process makes it: its own engine on the shared database."""
    return HandoffQueue(open_database(url), FieldCipher([key]), lambda: NOW, ALL_DAY, timedelta(minutes=3))


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}"


def enqueue(queue: HandoffQueue, session_id: str, reason: str = "asked") -> None:
    with writing(queue._sessions) as session:
        queue.enqueue(session, session_id, reason)


def test_two_workers_on_one_database_see_the_same_queue(url):
    first, second = queue_on(url), queue_on(url)
    enqueue(first, "s1")
    enqueue(second, "s2")
    assert [c.session_id for c in first.open_cases()] == [c.session_id for c in second.open_cases()] == ["s1", "s2"]
    assert second.status("s2").ahead == 1 and first.status(None).ahead == 2


def test_a_conversation_is_queued_once_however_often_it_asks(url):
    queue = queue_on(url)
    enqueue(queue, "s1")
    enqueue(queue, "s1", "misunderstood")
    assert [(c.session_id, c.reason) for c in queue.open_cases()] == [("s1", "asked")]


def test_only_one_of_two_agents_taking_at_once_gets_the_case(url):
    first, second = queue_on(url), queue_on(url)
    enqueue(first, "s1")
    case_id = first.open_cases()[0].id
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda args: args[0].take(case_id, *args[1:]), [(first, "agent1", "1001"), (second, "agent2", "1002")]))
    assert sorted(results) == [False, True]
    case = second.get(case_id)
    winner = "agent1" if results[0] else "agent2"
    assert (case.status, case.agent) == (TAKEN, winner)
    assert not first.take(case_id, "agent3", "1003")  # taken is taken


def test_only_the_agent_holding_a_case_writes_to_the_citizen(url):
    queue = queue_on(url)
    enqueue(queue, "s1")
    with pytest.raises(NotYourCase):
        queue.post(1, "agent1", "您好")  # not taken yet
    queue.take(1, "agent1", "1001")
    with pytest.raises(NotYourCase):
        queue.post(1, "agent2", "您好")
    message = queue.post(1, "agent1", "您好，我是人工客服")
    assert (message.sender, message.work_number) == (AGENT, "1001")


def test_message_texts_are_encrypted_at_rest_and_read_back_by_any_worker_with_the_key(url):
    first = queue_on(url)
    enqueue(first, "s1")
    with writing(first._sessions) as session:
        first.post_in(session, "s1", CITIZEN, "我电话13912345678")
    with reading(first._sessions) as session:
        stored = session.scalars(select(HandoffMessageRow.text_encrypted)).all()
    assert stored and "13912345678" not in stored[0]
    assert [m.text for m in queue_on(url).messages(session_id="s1")] == ["我电话13912345678"]


def test_service_hours_and_the_wait_limit():
    hours = ServiceHours.parse("08:30-17:30", [1, 2, 3, 4, 5])
    assert hours.open_at(NOW) and not hours.open_at(NOW.replace(hour=18)) and not hours.open_at(NOW + timedelta(days=5))
    assert ALL_DAY.open_at(NOW.replace(hour=23, minute=59)) and ALL_DAY.window == "00:00-24:00"


def test_erasing_a_conversation_deletes_its_handoff_messages_and_ends_its_case(url):
    from assistant.privacy.audit import AuditLog
    from assistant.privacy.personal_data import PersonalData

    queue = queue_on(url)
    enqueue(queue, "s1")
    with writing(queue._sessions) as session:
        queue.post_in(session, "s1", CITIZEN, "我电话13912345678")
    PersonalData(queue._sessions, AuditLog(queue._sessions)).erase("s1")
    assert queue.messages(session_id="s1") == [] and queue.open_cases() == []
    assert queue.get(1).outcome == "erased"


def test_a_staff_account_has_a_work_number_given_or_made_once(url):
    from assistant.staff.accounts import Role, StaffDirectory
    from assistant.staff.work_numbers import WorkNumbers

    database = open_database(url)
    staff = StaffDirectory(database)
    first, second = staff.add("agent1", "long-enough-pw", Role.staff), staff.add("agent2", "long-enough-pw", Role.staff)
    numbers = WorkNumbers(database)
    assert numbers.of(first.id) == "1001" == WorkNumbers(open_database(url)).of(first.id)
    assert numbers.assign(second.id, "A07") == numbers.of(second.id) == "A07"
    with pytest.raises(ValueError):
        numbers.assign(second.id, "1001")  # taken
    with pytest.raises(ValueError):
        numbers.assign(second.id, "张三")  # a number, never a name
