"""A crash in the middle of 50 conversations loses nothing and doubles nothing.

The real server (`govassist serve`, a separate process) serves 50 simulated citizens at once, each
applying for a different service of the knowledge base. When some have submitted and the others
stand at consent, in the middle of their form or at the read-back, all of those send their next
message together and the server is killed with SIGKILL after a seeded number of replies. It is
started again on the same database, and then:

- a citizen whose last reply arrived sends that message again (same message id): the restarted server
  answers with that very reply — the conversation waits at the step it was at;
- a citizen whose message got no reply cannot know whether it was applied, and sends it again with
  the same id: applied or not, it takes effect once;
- every conversation finishes, with the same answers in its application as the same citizen's
  conversation on a server that never crashed;
- every number a citizen was given still exists, and each conversation made exactly one.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

import httpx
from assistant.common.clock import local_now
import pytest
from sqlalchemy import select

from assistant.common.forms import form_for, is_form_subject
from assistant.dialogue.states import State
from assistant.dialogue.turn import Turn
from assistant.privacy.session_keys import session_keys_from_settings
from assistant.storage.db import open_database, reading
from assistant.storage.personal_tables import ApplicationRow, WorkOrderRow
from eval.citizen import Citizen, Conversation
from settings import Settings
from tests.server_process import ServerProcess, server_data_dir

SEED = 20261123
DIALOGUES = 50
MAX_TURNS = 60


class Pause(str, Enum):
    """Where a conversation stands when the server is killed."""

    submitted = "submitted"
    consent = "consent"
    filling = "filling"
    confirming = "confirming"


@dataclass
class Dialogue:
    """One citizen's conversation as the client sees it."""

    subject_id: str
    citizen: Citizen
    pause: Pause
    answers_before_pause: int = 1  # for Pause.filling
    conversation: Conversation = field(default_factory=Conversation)
    session_id: str | None = None
    outgoing: tuple[str, str] | None = None  # (text, message id) to send next; None once submitted
    acknowledged: tuple[str, str] | None = None  # the last message whose reply arrived
    unanswered: bool = False  # `outgoing` was sent and its reply never came
    numbers: set[str] = field(default_factory=set)  # every tracking number a reply showed

    @property
    def last(self) -> Turn | None:
        return self.conversation.turns[-1] if self.conversation.turns else None

    @property
    def done(self) -> bool:
        return self.last is not None and self.last.state is State.submitted

    def begin(self) -> None:
        self.outgoing = (f"我要办理{self.citizen.spec.subject_name}", self._message_id())

    def _message_id(self) -> str:
        return f"{self.subject_id}-{len(self.conversation.said)}"

    def post(self, http: httpx.Client, message: tuple[str, str]) -> Turn:
        text, message_id = message
        response = http.post("/api/chat", json={"session_id": self.session_id, "text": text, "message_id": message_id})
        assert response.status_code == 200, (self.subject_id, response.status_code, response.text)
        return Turn.model_validate(response.json())

    def send(self, http: httpx.Client) -> Turn:
        """Send the next message; on a reply, take it in and decide the message after it."""
        assert self.outgoing is not None
        turn = self.post(http, self.outgoing)
        self.session_id = turn.session_id
        self.conversation.said.append(self.outgoing[0])
        self.conversation.turns.append(turn)
        self.acknowledged, self.unanswered = self.outgoing, False
        if turn.application is not None:
            self.numbers.add(turn.application.number)
        self.outgoing = None if self.done else (self.citizen.answer(turn, self.conversation), self._message_id())
        return turn

    def at_pause(self) -> bool:
        last = self.last
        if last is None:
            return False
        if self.pause is Pause.filling:
            filled = sum(t.state is State.filling for t in self.conversation.turns)
            return last.state is State.confirming or (last.state is State.filling and filled >= self.answers_before_pause)
        return last.state.value == self.pause.value

    def run(self, http: httpx.Client, until=lambda d: False) -> None:
        while not self.done and not until(self) and len(self.conversation.said) < MAX_TURNS:
            self.send(http)

    def final_fields(self, http: httpx.Client) -> dict[str, str] | None:
        """The application's fields (masked) as the citizen sees them; None for a work order."""
        number = self.last.application.number
        response = http.get(f"/api/applications/{number}", headers={"X-Session-Token": self.session_id})
        return response.json()["fields"] if response.status_code == 200 else None


def plan_dialogues(knowledge_base, today: date, rng: random.Random) -> list[Dialogue]:
    subjects = sorted(s for s in [*knowledge_base.services, *knowledge_base.bundles] if is_form_subject(knowledge_base, s))
    chosen = rng.sample(subjects, DIALOGUES)
    pauses = [Pause.submitted] * 10 + [Pause.consent] * 6 + [Pause.confirming] * 10 + [Pause.filling] * 24
    rng.shuffle(pauses)
    return [Dialogue(subject_id=s, citizen=Citizen(form_for(knowledge_base, s), today), pause=p,
                     answers_before_pause=rng.randint(1, 4)) for s, p in zip(chosen, pauses)]


def in_parallel(work, items) -> None:
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        for future in [pool.submit(work, item) for item in items]:
            future.result()


def kill_after_replies(server: ServerProcess, dialogues: list[Dialogue], replies: int) -> None:
    """Every dialogue sends its next message at once; the server is SIGKILLed after `replies` replies."""
    received = threading.Semaphore(0)
    go = threading.Barrier(len(dialogues) + 1)

    def one(dialogue: Dialogue) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            go.wait()
            try:
                dialogue.send(http)
            except httpx.TransportError:  # killed while this message was on its way or being handled
                dialogue.unanswered = True
                return
            received.release()

    threads = [threading.Thread(target=one, args=(d,)) for d in dialogues]
    for thread in threads:
        thread.start()
    go.wait()
    for _ in range(replies):
        assert received.acquire(timeout=120), "the server stopped answering before the kill"
    server.kill()
    for thread in threads:
        thread.join(timeout=120)


@pytest.fixture
def server(tmp_path, routing_settings, router):  # `router`: the encoder and index are trained
    process = ServerProcess(server_data_dir(tmp_path / "data", routing_settings),
                            settings={"GOVASSIST_RATE_LIMIT_PER_MINUTE": "100000"})
    yield process
    process.kill()


def test_a_killed_server_resumes_every_conversation_at_its_step_and_loses_or_doubles_nothing(server, knowledge_base):
    rng = random.Random(SEED)
    today = local_now().date()  # the server's clock: relative dates and tracking numbers follow it
    dialogues = plan_dialogues(knowledge_base, today, rng)
    server.start()

    # Before the kill: each conversation gets to where it will be caught.
    def to_pause(dialogue: Dialogue) -> None:
        dialogue.begin()
        with httpx.Client(base_url=server.url, timeout=120) as http:
            dialogue.run(http, until=Dialogue.at_pause)

    in_parallel(to_pause, dialogues)
    caught = Counter("submitted" if d.done else d.last.state.value for d in dialogues)
    assert caught["submitted"] >= 10 and caught["consent"] and caught["filling"] and caught["confirming"], caught

    in_flight = [d for d in dialogues if not d.done]
    kill_after_replies(server, in_flight, replies=rng.randint(5, 25))
    assert any(d.unanswered for d in dialogues), "the kill should catch some messages unanswered"
    assert (server.data_dir / "govassist.db-wal").exists()  # nothing was closed: SQLite recovers from its log
    waiting = {d.subject_id: d.last for d in dialogues if not d.unanswered}

    server.start()  # the same database and key

    def resume_and_finish(dialogue: Dialogue) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            if dialogue.unanswered:
                dialogue.send(http)  # the same message id: applied once, whether or not it was before
            else:
                before = waiting[dialogue.subject_id]
                again = dialogue.post(http, dialogue.acknowledged)
                assert (again.reply, again.state, again.slots, again.application) == \
                       (before.reply, before.state, before.slots, before.application), dialogue.subject_id
            dialogue.run(http)

    in_parallel(resume_and_finish, dialogues)
    assert all(d.done for d in dialogues), [(d.subject_id, d.last.state) for d in dialogues if not d.done]

    # The same citizens on a server that never crashed: the same answers, in as many messages.
    controls = plan_dialogues(knowledge_base, today, random.Random(SEED))

    def control(dialogue: Dialogue) -> None:
        dialogue.begin()
        with httpx.Client(base_url=server.url, timeout=120) as http:
            dialogue.run(http)

    in_parallel(control, controls)
    with httpx.Client(base_url=server.url, timeout=120) as http:
        for crashed, clean in zip(dialogues, controls):
            assert clean.done and crashed.subject_id == clean.subject_id
            assert crashed.conversation.said == clean.conversation.said, crashed.subject_id
            assert crashed.final_fields(http) == clean.final_fields(http), crashed.subject_id
    server.terminate()
    assert "Application shutdown complete" in server.log_tail(5)

    database = open_database(f"sqlite:///{server.data_dir / 'govassist.db'}")
    with reading(database) as db:
        applications = db.execute(select(ApplicationRow.session_id, ApplicationRow.number)
                                  .where(ApplicationRow.parent_number.is_(None))).all()
        orders = db.execute(select(WorkOrderRow.session_id, WorkOrderRow.number)).all()
    database.kw["bind"].dispose()
    made: dict[str, list[str]] = {}
    for session_id, number in [*applications, *orders]:
        made.setdefault(session_id, []).append(number)
    keys = session_keys_from_settings(Settings(data_dir=server.data_dir))  # the server's: tables hold a token's key
    for dialogue in dialogues:  # one each, and the only number its citizen was ever shown
        number = dialogue.last.application.number
        assert made.get(keys.key_of(dialogue.session_id)) == [number] and dialogue.numbers == {number}, dialogue.subject_id
    assert len(made) == 2 * DIALOGUES
