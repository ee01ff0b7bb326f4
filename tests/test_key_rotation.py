"""Key rotation: every stored personal value is re-encrypted under the new key, in batches that can be
interrupted and run again, after which the old key can be removed."""

from __future__ import annotations

import base64
import json

import pytest
from persistence_support import OpenDb, any_db, sqlite_db  # noqa: F401 (fixtures)
from sqlalchemy import select

from assistant.cases.applications import ApplicationBook, ApplicationDraft
from assistant.cases.workorder_status import CallerField, WorkOrderStatus, WorkOrderType
from assistant.cases.workorders import WorkOrderBook, WorkOrderDraft
from assistant.dialogue.session import FormState, SessionState
from assistant.dialogue.session_store import SessionStore
from assistant.privacy.crypto import FieldCipher, key_id
from assistant.privacy.key_rotation import census, rotate
from assistant.storage.base import all_tables
from knowledge.models import SubjectKind

OLD, NEW, STRANGER = bytes(range(32)), bytes(range(100, 132)), bytes(range(200, 232))
ID_NUMBER, PHONE = "11010519491231002X", "13800138000"


def fill(factory, cipher: FieldCipher, sessions: int = 3) -> tuple[list[str], str, str]:
    """Conversations, an application and a work order, all written with `cipher`."""
    store = SessionStore(factory)
    tokens = []
    for i in range(sessions):
        form = FormState(subject_id="sscard-apply")
        form.set("id_number", ID_NUMBER, ID_NUMBER)
        form.set("phone", PHONE, f"{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}")
        token = f"session-{i:02d}-{'x' * 16}"
        store.save(token, SessionState(form=form, suspended=[form.model_copy()]).to_document(cipher.encrypt), None)
        tokens.append(token)
    draft = ApplicationDraft(subject_id="sscard-apply", subject_name="社会保障卡申领", kind=SubjectKind.service,
                             dept="人力资源和社会保障局", session_id=tokens[0], form_id="form-1",
                             values={"id_number": ID_NUMBER, "phone": PHONE}, display={"持卡人身份证号码": "110105********002X"})
    number = ApplicationBook(factory, cipher).submit(draft).number
    orders = WorkOrderBook(factory, cipher)
    order = orders.create(WorkOrderDraft(
        type=WorkOrderType.help, summary="补办社保卡", created_by="坐席01",
        caller={CallerField.id_number: ID_NUMBER, CallerField.phone: PHONE}))
    orders.transition(order.number, WorkOrderStatus.dispatched, "坐席01", note=f"已回电{PHONE}", dept="人力资源和社会保障局")
    return tokens, number, order.number


def tokens_under(factory, kid: str) -> list[str]:
    """Every cell of every table that holds a token written with key `kid` (whatever column it is in)."""
    marker = f"enc:v1:{kid}:"
    found = []
    with factory() as session:
        for table in all_tables().sorted_tables:
            for row in session.execute(select(table)):
                found += [f"{table.name}.{k}" for k, v in row._mapping.items() if marker in str(v)]
    return found


def test_rotation_rewrites_every_value_under_the_new_key_and_the_old_key_can_go(any_db: OpenDb) -> None:
    factory = any_db()
    tokens, number, order = fill(factory, FieldCipher([OLD]))
    assert tokens_under(factory, key_id(OLD))

    report = rotate(factory, FieldCipher([NEW, OLD]), batch=2)
    assert report.key_id == key_id(NEW) and report.unreadable == 0
    counts = {name: (c.rows, c.rewritten, c.values) for name, c in report.columns.items()}
    # Each conversation holds 2 values and 2 read-backs in the open form and again in the one put aside.
    assert counts == {"sessions.state_json": (3, 3, 24), "applications.values_json": (1, 1, 2),
                      "work_orders.caller_json": (1, 1, 2), "work_order_events.note": (2, 1, 1)}
    assert tokens_under(factory, key_id(OLD)) == []
    assert {name: dict(c) for name, c in census(factory).items()} == {
        "sessions.state_json": {key_id(NEW): 24}, "applications.values_json": {key_id(NEW): 2},
        "work_orders.caller_json": {key_id(NEW): 2}, "work_order_events.note": {key_id(NEW): 1},
    }

    only_new = FieldCipher([NEW])  # the old key removed
    stored = SessionStore(factory).load(tokens[1])
    assert stored is not None and stored.version == 1  # rewritten in place, not a new version of the conversation
    assert SessionState.from_document(stored.state, only_new.decrypt).form.values["id_number"] == ID_NUMBER
    assert ApplicationBook(factory, only_new).values(number, tokens[0]) == {"id_number": ID_NUMBER, "phone": PHONE}
    assert WorkOrderBook(factory, only_new).reveal(order, CallerField.phone, "坐席01") == PHONE

    again = rotate(factory, FieldCipher([NEW, OLD]))
    assert all((c.rewritten, c.values) == (0, 0) for c in again.columns.values())  # nothing left to do


def test_an_interrupted_rotation_keeps_its_finished_batches_and_a_second_run_completes_it(sqlite_db: OpenDb) -> None:
    factory = sqlite_db()
    fill(factory, FieldCipher([OLD]), sessions=5)
    cipher = FieldCipher([NEW, OLD])

    def stop_after_first_batch(name: str, _counts) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate(factory, cipher, batch=2, progress=stop_after_first_batch)
    halfway = dict(census(factory)["sessions.state_json"])
    assert halfway == {key_id(NEW): 16, key_id(OLD): 24}  # the first batch (2 of 5 conversations) committed

    finished = rotate(factory, cipher, batch=2)
    assert finished.columns["sessions.state_json"].rewritten == 3
    assert tokens_under(factory, key_id(OLD)) == []


def test_values_no_configured_key_can_read_are_counted_and_left_alone(sqlite_db: OpenDb) -> None:
    factory = sqlite_db()
    fill(factory, FieldCipher([OLD]), sessions=1)
    WorkOrderBook(factory, FieldCipher([STRANGER])).create(WorkOrderDraft(
        type=WorkOrderType.help, summary="咨询", created_by="坐席01", caller={CallerField.phone: PHONE}))
    report = rotate(factory, FieldCipher([NEW, OLD]))
    assert report.unreadable == 1 and report.columns["work_orders.caller_json"].unreadable == 1
    assert dict(census(factory)["work_orders.caller_json"]) == {key_id(NEW): 2, key_id(STRANGER): 1}


def test_keys_rotate_and_status_from_the_command_line(govassist, tmp_path, monkeypatch) -> None:
    from assistant.storage.db import open_database

    factory = open_database(f"sqlite:///{tmp_path / 'data' / 'govassist.db'}")
    fill(factory, FieldCipher([OLD]), sessions=2)
    encoded = {k: base64.b64encode(v).decode() for k, v in (("old", OLD), ("new", NEW))}
    monkeypatch.setenv("GOVASSIST_ENCRYPTION_KEY", encoded["new"])
    monkeypatch.setenv("GOVASSIST_PREVIOUS_ENCRYPTION_KEYS", json.dumps([encoded["old"]]))

    before = govassist("keys", "status")
    assert f"{key_id(OLD)}: 16" in before.output and f"current key {key_id(NEW)}" in before.output
    rotated = govassist("keys", "rotate", "--batch-size", "1")
    assert rotated.exit_code == 0, rotated.output
    assert "sessions.state_json: 2 rows, 2 rewritten, 16 values re-encrypted, 0 unreadable" in rotated.output
    assert "applicant_links: 0 links, 0 derived anew, 0 unreadable" in rotated.output
    after = govassist("keys", "status")
    assert key_id(OLD) not in after.output.split("readable:")[1].split("\n", 1)[1]  # no value under the old key

    monkeypatch.setenv("GOVASSIST_PREVIOUS_ENCRYPTION_KEYS", "[]")  # the old key removed
    WorkOrderBook(factory, FieldCipher([STRANGER])).create(WorkOrderDraft(
        type=WorkOrderType.help, summary="咨询", created_by="坐席01", caller={CallerField.phone: PHONE}))
    failed = govassist("keys", "rotate")
    assert failed.exit_code == 1 and "1 value(s) could not be read" in failed.output

    new_key = govassist("keys", "generate").output.strip()
    assert len(base64.b64decode(new_key)) == 32


def test_after_rotation_a_person_s_earlier_applications_are_still_linked_to_them(any_db: OpenDb) -> None:
    """服务找人 counts what one person applied for by a keyed digest of their ID number; the digest key
    follows the field key, so rotation derives the old links again and old and new ones still meet."""
    from assistant.proactive.applicant_links import ApplicantLinks

    factory = any_db()

    def apply(cipher: FieldCipher, subject: str) -> str:
        draft = ApplicationDraft(subject_id=subject, subject_name=subject, kind=SubjectKind.service, dept="人社局",
                                 session_id=f"session-{subject}", form_id=f"form-{subject}",
                                 values={"applicant_id_number": ID_NUMBER, "phone": PHONE}, display={})
        number = ApplicationBook(factory, cipher).submit(draft).number
        ApplicantLinks(factory, cipher).record(number, ID_NUMBER)
        return number

    apply(FieldCipher([OLD]), "sscard-apply")
    rotated = FieldCipher([NEW, OLD])
    rotate(factory, rotated)
    links = ApplicantLinks(factory, rotated)
    report = links.relink(["legal_rep_id_number", "applicant_id_number"], batch=1)
    assert (report.links, report.rewritten, report.unreadable) == (1, 1, 0)
    apply(rotated, "hpf-withdrawal")

    people = {a.subject_id: a.applicant for a in links.history()}
    assert people["sscard-apply"] == people["hpf-withdrawal"] is not None
    assert links.relink(["applicant_id_number"]).rewritten == 0  # run again: nothing left to do
