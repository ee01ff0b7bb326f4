"""Several workers, one shared state: any worker can continue any conversation, simultaneous requests
lose nothing and make nothing twice, and workers starting together on an empty database or without a
built index do not trip over each other.

The conversation tests run two separate servers (A and B: separate processes, as two uvicorn workers
or two machines behind a proxy are) on one PostgreSQL database with one encryption key, and choose the
server for each request themselves, so "another worker" is certain rather than likely.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from assistant.common.clock import local_now
import pytest
import uvicorn
from persistence_support import OpenDb, any_db, engine_of, private_postgres_schema  # noqa: F401 (fixtures)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.common.forms import FormSpec
from assistant.dialogue.states import State
from assistant.dialogue.turn import Turn
from assistant.privacy.session_keys import SessionKeys, session_keys_from_settings
from assistant.storage.db import open_database
from assistant.storage.personal_tables import ApplicationRow, SessionRow
from eval.bench_server import BenchServer, ServerOptions, fresh_data_dir, new_encryption_key
from eval.load_citizen import LoadCitizen, starting_subjects
from eval.load_http import no_cookies
from intents.index import RoutingIndex
from intents.pipeline import ensure_index
from knowledge.models import ServiceKind, SlotType
from settings import Settings
from web.workers import APP, tcp_listener

CITIZENS = 6  # conversations raced at once in each test


class Worker:
    """One server, spoken to over its own connection."""

    def __init__(self, server: BenchServer) -> None:
        self.http = httpx.Client(base_url=server.base_url, timeout=120, cookies=no_cookies())

    def say(self, citizen: LoadCitizen, text: str | None = None) -> Turn:
        body = {"text": text or citizen.message} | ({"session_id": citizen.token} if citizen.token else {})
        response = self.http.post("/api/chat", json=body)
        assert response.status_code == 200, response.text
        return Turn.model_validate(response.json())


@dataclass
class Shared:
    a: Worker
    b: Worker
    database: sessionmaker[Session]  # the servers' database, as the test reads it
    keys: SessionKeys  # the servers' (from the key file they share): tables hold a token's key

    def version(self, token: str) -> int:
        with self.database() as session:
            return session.scalar(select(SessionRow.version).where(SessionRow.id == self.keys.key_of(token)))

    def applications(self, token: str) -> list[str]:
        """Numbers of a session's applications, a bundle's once (its members hang under it)."""
        with self.database() as session:
            query = select(ApplicationRow.number).where(ApplicationRow.session_id == self.keys.key_of(token),
                                                        ApplicationRow.parent_number.is_(None))
            return list(session.scalars(query))


@pytest.fixture(scope="module")
def shared(router, routing_settings: Settings, tmp_path_factory) -> Iterator[Shared]:
    with private_postgres_schema() as url:
        data_dir = fresh_data_dir(routing_settings.data_dir, tmp_path_factory.mktemp("workers") / "data")
        options = ServerOptions(workers=1, database_url=url, encryption_key=new_encryption_key())
        servers = [BenchServer(data_dir, options, routing_settings) for _ in range(2)]
        try:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(BenchServer.start, servers))  # both start at once on the empty schema
            database = open_database(url)
            keys = session_keys_from_settings(Settings(data_dir=data_dir))
            yield Shared(Worker(servers[0]), Worker(servers[1]), database, keys)
            engine_of(database).dispose()
        finally:
            for server in servers:
                server.stop()


@pytest.fixture(scope="module")
def forms(knowledge_base, router) -> list[FormSpec]:
    """Short application forms (not reports) that ask for a name and a phone number."""
    specs = [
        s for s in starting_subjects(knowledge_base, router)
        if all(m.kind is ServiceKind.apply for m in s.services)
        and {SlotType.person_name, SlotType.phone} <= {f.slot.type for f in s.fields}
    ]
    return sorted(specs, key=lambda spec: (len(spec.fields), spec.subject_id))[:CITIZENS]


def _at_once(calls: list[Callable[[], Turn]]) -> list[Turn]:
    """Run the calls in threads released together by a barrier."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Turn]) -> Turn:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _advance(shared: Shared, citizen: LoadCitizen, until: Callable[[Turn], bool], limit: int = 30) -> int:
    """Talk, alternating servers, until a reply satisfies `until`; returns the messages sent."""
    for sent in range(1, limit + 1):
        turn = (shared.a, shared.b)[sent % 2].say(citizen)
        assert citizen.hear(turn) == []
        if until(turn):
            return sent
    raise AssertionError(f"{citizen.spec.subject_id}: not reached in {limit} turns")


def test_a_conversation_started_on_one_worker_goes_on_on_the_other(shared: Shared, forms: list[FormSpec]) -> None:
    citizen = LoadCitizen(100, forms, local_now().date())
    _advance(shared, citizen, lambda turn: turn.state is State.submitted)  # every turn on the other server
    (number, _), = citizen.submitted.items()
    for worker in (shared.a, shared.b):  # the application and its fields, seen from both
        view = worker.http.get(f"/api/applications/{number}", headers={"X-Session-Token": citizen.token}).json()
        assert view["fields"] and citizen.check_application(number, view["fields"]) == []


def test_one_form_confirmed_on_both_workers_at_once_makes_one_application(shared: Shared, forms: list[FormSpec]) -> None:
    citizens = [LoadCitizen(200 + n, forms, local_now().date()) for n in range(CITIZENS)]
    for citizen in citizens:
        _advance(shared, citizen, lambda turn: turn.state is State.confirming)
    for citizen in citizens:
        first, second = _at_once([lambda c=citizen: shared.a.say(c, "确认提交"), lambda c=citizen: shared.b.say(c, "确认提交")])
        assert first.state is second.state is State.submitted
        assert first.application and second.application
        assert shared.applications(citizen.token) == [first.application.number] == [second.application.number]


def test_two_answers_sent_to_both_workers_at_once_are_both_kept(shared: Shared, forms: list[FormSpec]) -> None:
    for n in range(CITIZENS):
        citizen = LoadCitizen(300 + n, forms, local_now().date())

        def asks_name(turn: Turn, citizen: LoadCitizen = citizen) -> bool:
            return (slot := citizen.citizen.question_in(turn.reply)) is not None and slot.type is SlotType.person_name

        sent = _advance(shared, citizen, asks_name)
        name = citizen.citizen.question_in(citizen.conversation.turns[-1].reply)
        phone = next(f for f in citizen.spec.fields if f.slot.type is SlotType.phone)
        answer = citizen.identity.answer(name, citizen.today, 0)
        labelled = f"{phone.label}{citizen.identity.answer(phone.slot, citizen.today, 0)}"
        _at_once([lambda: shared.a.say(citizen, answer), lambda: shared.b.say(citizen, labelled)])  # noqa: B023 -- run at once
        after = shared.a.say(citizen, "要带什么材料？")
        assert {name.name, phone.key} <= {view.key for view in after.slots}, citizen.spec.subject_id
        assert citizen.hear(after) == []
        assert shared.version(citizen.token) == sent + 3  # every message saved once, none overwritten


def test_eight_messages_sent_to_both_workers_at_once_are_each_applied_once_or_refused_409(
    shared: Shared, forms: list[FormSpec],
) -> None:
    citizen = LoadCitizen(400, forms, local_now().date())
    assert citizen.hear(shared.a.say(citizen)) == []
    before = shared.version(citizen.token)
    questions = ["要带什么材料？", "要多久能办好？", "收费吗？", "在哪里办？"] * 2
    calls = [lambda n=n, q=q: (shared.a, shared.b)[n % 2].http.post("/api/chat", json={"session_id": citizen.token, "text": q,
                                                                                    "message_id": f"m400-{n}"})
             for n, q in enumerate(questions)]
    responses = _at_once(calls)  # type: ignore[arg-type]
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}, [r.text for r in responses]
    assert all(r.json()["code"] == "conversation_busy" and r.headers["Retry-After"] for r in responses if r.status_code == 409)
    assert shared.version(citizen.token) == before + statuses.count(200), "each answered message saved once, no refused one"


def test_connections_accepted_for_several_workers_send_small_answers_at_once() -> None:
    """Nagle's algorithm off on every accepted connection: without it each keep-alive request after the
    first waits ~40 ms for the client's delayed ACK (uvicorn's own --workers listener; web/workers.py)."""
    listener = tcp_listener(uvicorn.Config(APP, factory=True, host="127.0.0.1", port=0, workers=2))

    async def nodelay_of_an_accepted_connection() -> int:
        loop = asyncio.get_running_loop()
        seen: asyncio.Future[int] = loop.create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                seen.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await loop.create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        try:
            return await asyncio.wait_for(seen, timeout=10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(nodelay_of_an_accepted_connection()) != 0


def test_workers_starting_together_on_an_empty_database_all_create_or_find_the_tables(any_db: OpenDb) -> None:
    errors: list[Exception] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        try:
            any_db()
        except Exception as exc:  # noqa: BLE001 (collected and shown by the assertion)
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_processes_needing_the_same_index_at_once_build_it_once_and_share_it(
    router, knowledge_base, routing_settings: Settings, tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", kb_dir=routing_settings.kb_dir)
    reports: list[str] = []
    start = threading.Barrier(3)

    def need_index(_: int) -> RoutingIndex:
        start.wait()
        return ensure_index(settings, knowledge_base, router.encoder, router.normalise, reports.append)

    with ThreadPoolExecutor(3) as pool:
        indexes = list(pool.map(need_index, range(3)))
    assert len([r for r in reports if r.startswith("building index")]) == 1
    assert len({len(index.docs) for index in indexes}) == 1
    assert len([p for p in (settings.data_dir / "index").iterdir() if p.is_dir()]) == 1  # nothing half-written left
