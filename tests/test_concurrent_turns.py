"""Turns of one conversation sent at once (two tabs, a double tap, a script) against the real server:
each is answered 200 and applied exactly once, or refused 409 conversation_busy with Retry-After and
not applied at all; never a 5xx, never a closed connection, never a doubled application. Then the
same across two processes on one database (SQLite and PostgreSQL), where the session's version check
decides instead of the in-process lock.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from persistence_support import OpenDb, any_db  # noqa: F401 (fixture)
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.dialogue.conversation_lock import ConversationBusy, ConversationLocks
from assistant.dialogue.engine import Assistant
from assistant.storage.personal_tables import ApplicationRow, SessionRow, TurnEventRow
from settings import Settings
from tests.conftest import KB_DIR
from tests.web_support import live_server
from web.request_errors import ERRORS_FILE

AT_ONCE = 8
ID = "110101199003074514"
QUESTIONS = ["要带什么材料？", "要多久能办好？", "收费吗？", "在哪里办？", "可以网上办吗？", "需要本人去吗？",
             "办理时间是几点？", "要带复印件吗？"]


@dataclass
class Server:
    url: str
    assistant: Assistant
    database: sessionmaker[Session]

    def version(self, token: str) -> int:
        with self.database() as session:
            return session.scalar(select(SessionRow.version).where(SessionRow.id == self.assistant.key_of(token)))

    def turns_logged(self, token: str) -> int:
        with self.database() as session:
            return session.scalar(select(func.count()).select_from(TurnEventRow).where(TurnEventRow.session_id == self.assistant.key_of(token)))

    def applications(self, token: str) -> list[str]:
        with self.database() as session:
            query = select(ApplicationRow.number).where(ApplicationRow.session_id == self.assistant.key_of(token),
                                                        ApplicationRow.parent_number.is_(None))
            return list(session.scalars(query))


@pytest.fixture(scope="module")
def server(router, tmp_path_factory) -> Iterator[Server]:
    from assistant.storage.db import open_database
    from server import create_app

    # A quota well above what the tests send: the rate limiter is not what is tested here.
    settings = Settings(data_dir=tmp_path_factory.mktemp("concurrent-turns"), kb_dir=KB_DIR, rate_limit_per_minute=1000)
    app = create_app(settings, router=router)
    with live_server(app) as url:
        database = open_database(settings.resolved_database_url)
        yield Server(url, app.state.runtime.assistant, database)
        database.kw["bind"].dispose()


def post(url: str, body: dict) -> httpx.Response:
    # A client of its own per request: separate connections, as separate tabs or devices have.
    with httpx.Client(base_url=url, timeout=60) as client:
        return client.post("/api/chat", json=body)


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def begin(server: Server, *texts: str) -> str:
    """A conversation that has said `texts`; returns its token."""
    token = None
    for text in texts:
        response = post(server.url, {"text": text} | ({"session_id": token} if token else {}))
        assert response.status_code == 200, response.text
        token = response.json()["session_id"]
    assert token is not None
    return token


def message(token: str, text: str, message_id: str | None = None) -> dict:
    return {"session_id": token, "text": text, "message_id": message_id or uuid.uuid4().hex}


def assert_busy_refusal(response: httpx.Response) -> None:
    assert response.status_code == 409
    assert int(response.headers["Retry-After"]) >= 1
    wording = yaml.safe_load(ERRORS_FILE.read_text(encoding="utf-8"))
    assert response.json() == {"code": "conversation_busy", "message": wording["conversation_busy"], "field": None}


@pytest.mark.parametrize("round_", range(3))  # three rounds: one round alone does not always overlap
def test_eight_turns_sent_at_once_are_each_applied_once_or_refused_and_never_fail(server: Server, round_: int) -> None:
    token = begin(server, "我想第一次办张社保卡")
    before_version, before_logged = server.version(token), server.turns_logged(token)
    responses = at_once([lambda q=q: post(server.url, message(token, q)) for q in QUESTIONS[:AT_ONCE]])
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}, [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        assert_busy_refusal(refused)
    answered = statuses.count(200)
    assert answered >= 1
    assert server.version(token) == before_version + answered, "each answered turn saved once, no refused one"
    assert server.turns_logged(token) == before_logged + answered
    assert len(server.assistant.turns) == 0


def test_one_message_sent_eight_times_at_once_is_applied_once_and_answered_alike(server: Server) -> None:
    token = begin(server, "我想第一次办张社保卡")
    before = server.version(token)
    body = message(token, "同意")
    responses = at_once([lambda: post(server.url, body)] * AT_ONCE)
    assert {r.status_code for r in responses} <= {200, 409}
    answered = [r.json() for r in responses if r.status_code == 200]
    assert answered and all(a == answered[0] for a in answered), "a resent message gets the first reply"
    assert server.version(token) == before + 1


def test_a_confirmation_sent_eight_times_at_once_files_one_application(server: Server) -> None:
    token = begin(server, "我想第一次办张社保卡", "同意", f"我叫张三，身份证{ID}，电话13800138000", "到银行网点领取", "都有了")
    before = server.version(token)
    responses = at_once([lambda: post(server.url, message(token, "确认提交"))] * AT_ONCE)  # each its own message id
    assert {r.status_code for r in responses} <= {200, 409}
    answered = [r.json() for r in responses if r.status_code == 200]
    numbers = {a["application"]["number"] for a in answered if a["application"]}
    assert len(server.applications(token)) == 1 and numbers == set(server.applications(token))
    assert server.version(token) == before + len(answered)


def test_a_turn_refused_while_the_conversation_is_busy_is_not_applied_and_goes_through_when_resent(server: Server) -> None:
    token = begin(server, "我想第一次办张社保卡")
    before = server.version(token)
    body = message(token, "同意")
    real = server.assistant.turns
    server.assistant.turns = ConversationLocks(wait_s=0.2, max_waiting=0)
    try:
        with server.assistant.turns.turn(server.assistant.key_of(token)):  # another turn of the conversation is running
            refused = post(server.url, body)
            assert_busy_refusal(refused)
            assert server.version(token) == before
    finally:
        server.assistant.turns = real
    again = post(server.url, body)
    assert again.status_code == 200 and again.json()["state"] == "filling"
    assert server.version(token) == before + 1
    replayed = post(server.url, body)  # its reply lost: the same message id is answered, not applied again
    assert replayed.json() == again.json() and server.version(token) == before + 1


# -- two processes on one database ------------------------------------------------------------------


@contextmanager
def two_workers(open_db: OpenDb, settings: Settings, knowledge_base, router) -> Iterator[tuple[Assistant, Assistant]]:
    """Two assistants, each with its own engine and its own locks, as two worker processes have."""
    from assistant.factory import build_assistant

    yield tuple(build_assistant(settings, knowledge_base, router, database=open_db()) for _ in range(2))  # type: ignore[misc]


def test_turns_sent_at_once_to_two_workers_are_each_applied_once_or_refused(
    any_db: OpenDb, knowledge_base, router, tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    with two_workers(any_db, settings, knowledge_base, router) as (a, b):
        token = a.handle(None, "我想第一次办张社保卡").session_id
        outcomes: list[str] = []

        def turn(n: int) -> None:
            try:
                (a, b)[n % 2].handle(token, QUESTIONS[n], message_id=f"m{n}")
                outcomes.append("applied")
            except ConversationBusy:
                outcomes.append("busy")

        start = threading.Barrier(AT_ONCE)
        with ThreadPoolExecutor(AT_ONCE) as pool:
            list(pool.map(lambda n: (start.wait(), turn(n)), range(AT_ONCE)))  # anything else fails the test here
        stored = a.store.load(a.key_of(token))
        assert len(outcomes) == AT_ONCE and outcomes.count("applied") >= 1
        assert stored is not None and stored.version == 1 + outcomes.count("applied")
