"""Every apply and report service, and every "一件事" bundle, can be done end to end.

A simulated citizen (eval/citizen.py) hears each question and answers from the slot schema alone;
the test checks the application that comes out: its number, status, department, and the values
stored for each member service; a report (12345 诉求) comes out as a work order instead.
"""

from __future__ import annotations

import re

import pytest

from assistant.common.forms import form_for
from assistant.dialogue.reports import CALLER_SLOTS
from assistant.dialogue.states import State
from eval.citizen import Citizen
from intents.complaints import matters
from knowledge.base import load_knowledge_base
from knowledge.models import ServiceKind
from settings import REPO_ROOT

KB = load_knowledge_base(REPO_ROOT / "knowledge")
APPLY_SERVICES = sorted(s.id for s in KB.services.values() if s.kind is ServiceKind.apply)
REPORT_SERVICES = sorted(s.id for s in KB.services.values() if s.kind is ServiceKind.report)
BUNDLES = sorted(KB.bundles)
NUMBER = re.compile(r"GA\d{8}-\d{6}")
WORK_ORDER_NUMBER = re.compile(r"WO\d{8}-\d{6}")


def drive(assistant, subject_id: str, together: bool = False):
    spec = form_for(KB, subject_id)
    session = assistant.new_session()
    citizen = Citizen(spec, assistant.today(), together=together)
    conversation = citizen.run(lambda text: assistant.handle(session, text), f"我要办理{spec.subject_name}")
    return spec, session, conversation


@pytest.mark.parametrize("service_id", APPLY_SERVICES)
def test_a_citizen_completes_every_apply_service(assistant, service_id):
    spec, session, conversation = drive(assistant, service_id)
    last = conversation.turns[-1]
    assert last.state is State.submitted, conversation.transcript()
    view = assistant.book.get(last.application.number, assistant.key_of(session))
    assert view.subject_id == service_id and NUMBER.fullmatch(view.number)
    assert view.dept == KB.services[service_id].dept
    stored = assistant.book.values(view.number, assistant.key_of(session))
    required = {f.key for f in spec.fields if f.required and f.applies(stored)}
    assert required <= set(stored), conversation.transcript()


@pytest.mark.parametrize("service_id", REPORT_SERVICES)
def test_a_citizen_files_every_report_service_as_a_work_order(assistant, service_id):
    spec, _session, conversation = drive(assistant, service_id)
    last = conversation.turns[-1]
    assert last.state is State.submitted, conversation.transcript()
    order = assistant.orders.get(last.application.number)
    assert order.subject_id == service_id and WORK_ORDER_NUMBER.fullmatch(order.number)
    owners = {KB.services[service_id].dept} | {m.dept for m in matters() if m.service_id == service_id}
    assert order.dept in owners  # the matter's owner (物业 → 住建/街道), else the guide's department
    required = [f.label for f in spec.fields if f.required and f.slot.type not in CALLER_SLOTS]
    assert all(f"{label}：" in order.summary for label in required), order.summary


@pytest.mark.parametrize("bundle_id", BUNDLES)
def test_a_bundle_asks_each_shared_field_once_and_creates_one_application_per_member(assistant, bundle_id):
    spec, session, conversation = drive(assistant, bundle_id)
    last = conversation.turns[-1]
    assert last.state is State.submitted, conversation.transcript()
    asked = [Citizen(spec, assistant.today()).question_in(t.reply) for t in conversation.turns]
    asked_names = [s.name for s in asked if s is not None]
    counts = {name: asked_names.count(name) for name in set(asked_names)}
    assert all(c == 1 for c in counts.values()), counts  # each question once
    view = assistant.book.get(last.application.number, assistant.key_of(session))
    members = [m.subject_id for m in view.members]
    assert members == list(KB.bundles[bundle_id].services)
    assert len({m.number for m in view.members} | {view.number}) == len(members) + 1
    assert all(m.parent_number == view.number for m in view.members)
    for member in view.members:
        values = assistant.book.values(member.number, assistant.key_of(session))
        for shared in KB.bundles[bundle_id].shared_slots:
            local = shared.name_in(member.subject_id)
            service_slots = {s.name for s in KB.services[member.subject_id].slots}
            if local in service_slots and shared.produced_by is None and shared.name in conversation.given:
                assert local in values, (member.subject_id, local)


def test_giving_name_id_and_phone_together_saves_turns(assistant):
    _, _, one_by_one = drive(assistant, "sscard-apply")
    _, _, together = drive(assistant, "sscard-apply", together=True)
    assert together.turns[-1].state is State.submitted
    assert len(together.turns) < len(one_by_one.turns)
