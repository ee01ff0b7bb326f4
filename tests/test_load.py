"""Under load, over a real server with two workers: every turn answered, and no conversation ever gets
another's reply, fields or application.

Twenty simulated citizens talk at once, each through a whole form (a question about the materials in
the middle, half of them giving name, ID and phone in one message) to submission, on SQLite and on
PostgreSQL. Each citizen has its own phone and ID numbers and checks every reply (eval/load_citizen.py);
the server runs as deployed (`uvicorn --factory server:create_app --workers 2`). Speed is measured by
`govassist bench http`, not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import pytest
from persistence_support import private_postgres_schema

from assistant.common.forms import FormSpec
from assistant.dialogue.states import State
from assistant.dialogue.turn import ApplicationRef, SlotView, SubjectRef, Turn
from assistant.privacy.masking import mask
from eval.bench_server import BenchServer, ServerOptions, fresh_data_dir
from eval.load_citizen import LoadCitizen, duplicated, starting_subjects
from eval.load_http import run_load
from eval.load_schedule import OpenLoop
from knowledge.models import SlotType
from settings import Settings

SESSIONS = 20
TURNS = 10  # enough for the shortest forms to be submitted and their applications looked up


@pytest.fixture(scope="module")
def trained(router, routing_settings: Settings) -> Path:
    """A data directory with the trained encoder and built index (the router fixture made them)."""
    return routing_settings.data_dir


@pytest.fixture(scope="module")
def short_forms(knowledge_base, router) -> list[FormSpec]:
    """The forms with the fewest questions, so most citizens reach submission within TURNS."""
    return sorted(starting_subjects(knowledge_base, router), key=lambda spec: (len(spec.fields), spec.subject_id))[:8]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    with nullcontext(None) if request.param == "sqlite" else private_postgres_schema() as url:
        yield url


def test_twenty_concurrent_conversations_on_two_workers_get_only_their_own_replies(
    trained: Path, short_forms: list[FormSpec], routing_settings: Settings, database_url: str | None, tmp_path: Path,
) -> None:
    data_dir = fresh_data_dir(trained, tmp_path / "data")
    with BenchServer(data_dir, ServerOptions(workers=2, database_url=database_url), routing_settings) as server:
        closed = run_load(server.base_url, short_forms, concurrency=SESSIONS, sessions=SESSIONS, turns=TURNS)
        # The same citizens' checks when each session keeps a schedule (open loop) instead.
        opened = run_load(server.base_url, short_forms, concurrency=SESSIONS, sessions=SESSIONS, turns=TURNS,
                          first_citizen=SESSIONS, pace=OpenLoop(rate=400, slots=SESSIONS))
    for report in (closed, opened):
        assert report.errors == []
        assert report.crosstalk == []
        assert report.turns == SESSIONS * TURNS
        assert report.submitted >= SESSIONS // 2  # applications were made, looked up and checked too
    assert (closed.offered_per_s, opened.offered_per_s) == (None, 400)


# The check itself: a reply meant for someone else is caught.

def _citizens_in_a_form(short_forms: list[FormSpec]) -> tuple[LoadCitizen, LoadCitizen]:
    first, second = LoadCitizen(1, short_forms, date(2026, 11, 23)), LoadCitizen(2, short_forms, date(2026, 11, 23))
    for citizen, token in ((first, "a" * 32), (second, "b" * 32)):
        citizen.hear(Turn(session_id=token, reply="…", state=State.consent,
                          service=SubjectRef(id=citizen.spec.subject_id, name=citizen.spec.subject_name)))
    return first, second


def test_a_reply_for_another_session_is_caught(short_forms: list[FormSpec]) -> None:
    first, second = _citizens_in_a_form(short_forms)
    problems = first.hear(Turn(session_id=second.token, reply="…", state=State.filling))
    assert problems and "not " + first.token[:6] in problems[0]


def test_a_reply_about_another_service_is_caught(short_forms: list[FormSpec]) -> None:
    first, second = _citizens_in_a_form(short_forms)
    assert first.spec.subject_id != second.spec.subject_id
    service = SubjectRef(id=second.spec.subject_id, name=second.spec.subject_name)
    assert first.hear(Turn(session_id=first.token, reply="…", state=State.filling, service=service))


def test_another_citizens_phone_number_read_back_is_caught(short_forms: list[FormSpec]) -> None:
    first, second = _citizens_in_a_form(short_forms)
    phone = next(f for f in first.spec.fields if f.slot.type is SlotType.phone)
    own = first.identity.answer(phone.slot, first.today, 0)
    others = second.identity.answer(phone.slot, second.today, 0)
    service = SubjectRef(id=first.spec.subject_id, name=first.spec.subject_name)

    def read_back(number: str) -> Turn:
        return Turn(session_id=first.token, reply="…", state=State.filling, service=service,
                    slots=[SlotView(key=phone.key, label=phone.label, value=mask(SlotType.phone, number))])

    assert first.hear(read_back(own)) == []
    assert first.hear(read_back(others))


def test_an_application_holding_another_citizens_numbers_or_handed_out_twice_is_caught(short_forms: list[FormSpec]) -> None:
    first, second = _citizens_in_a_form(short_forms)
    service = SubjectRef(id=first.spec.subject_id, name=first.spec.subject_name)
    first.hear(Turn(session_id=first.token, reply="…", state=State.submitted, service=service,
                    application=ApplicationRef(number="GA20261123-000001", status="submitted")))
    phone = next(f for f in first.submitted["GA20261123-000001"].fields if f.slot.type is SlotType.phone)
    own, others = (c.identity.answer(phone.slot, c.today, 0) for c in (first, second))
    assert first.check_application("GA20261123-000001", {phone.label: mask(SlotType.phone, own)}) == []
    assert first.check_application("GA20261123-000001", {phone.label: mask(SlotType.phone, others)})
    assert first.check_application("GA20261123-000001", None)  # its own session cannot see its fields
    assert duplicated(["GA20261123-000001", "GA20261123-000002", "GA20261123-000001"]) == ["GA20261123-000001"]
