"""Retention, on a fixed clock: conversations idle past session_retention_days are deleted; personal
values of cases closed longer ago than personal_data_retention_days become a tombstone; open cases,
recent ones and everything else stay; a dry run changes nothing; each batch is audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from persistence_support import OpenDb, any_db, sqlite_db  # noqa: F401 (fixtures)

from assistant.cases.application_status import ApplicationStatus
from assistant.cases.applications import ApplicationBook, ApplicationDraft
from assistant.cases.retention import Retention, RetentionPolicy
from assistant.cases.workorder_status import CallerField, WorkOrderStatus, WorkOrderType
from assistant.cases.workorders import WorkOrderBook, WorkOrderDraft
from assistant.dialogue.session_store import SessionStore
from assistant.privacy.audit import AuditLog
from assistant.privacy.crypto import FieldCipher
from assistant.privacy.tables import ErasureRow
from assistant.storage.personal_tables import ApplicationRow, WorkOrderRow
from knowledge.models import SubjectKind
from settings import Settings

KEY = bytes(range(32))
T0 = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
POLICY = RetentionPolicy(session_days=30, personal_data_days=365)
A = ApplicationStatus
CLOSING = [A.accepted, A.in_review, A.approved, A.done]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def service(form_id: str, subject_id: str = "sscard-apply") -> ApplicationDraft:
    return ApplicationDraft(subject_id=subject_id, subject_name="社会保障卡申领", kind=SubjectKind.service,
                            dept="人力资源和社会保障局", session_id=f"session-{form_id}", form_id=form_id,
                            values={"phone": "13800138000"}, display={"联系电话": "138****8000"})


def order() -> WorkOrderDraft:
    return WorkOrderDraft(type=WorkOrderType.help, summary="补办社保卡", created_by="坐席01",
                          caller={CallerField.phone: "13800138000"})


def test_the_purge_removes_what_is_past_its_time_and_keeps_the_rest(any_db: OpenDb) -> None:
    factory, clock = any_db(), Clock()
    store = SessionStore(factory, clock)
    apps, orders = ApplicationBook(factory, FieldCipher([KEY]), clock), WorkOrderBook(factory, FieldCipher([KEY]), clock)

    store.save("idle-conversation-token", {}, None)  # last used at T0
    old_closed = apps.submit(service("old-closed")).number
    for status in CLOSING:
        apps.advance(old_closed, status, "坐席01")
    old_open = apps.submit(service("old-open")).number  # never finished: its values are still needed
    old_order = orders.create(order()).number
    orders.transition(old_order, WorkOrderStatus.closed, "坐席01")  # answered on the call
    open_order = orders.create(order()).number

    clock.now = T0 + timedelta(days=390)
    store.save("recent-conversation-token", {}, None)
    recent_closed = apps.submit(service("recent-closed")).number
    for status in CLOSING:
        apps.advance(recent_closed, status, "坐席01")

    now = T0 + timedelta(days=400)
    retention = Retention(factory, POLICY, batch=1)
    planned = retention.purge(now, dry_run=True)
    assert (planned.sessions, planned.applications, planned.work_orders) == (1, [old_closed], [old_order])
    assert store.load("idle-conversation-token") is not None  # a dry run changes nothing

    done = retention.purge(now)
    assert (done.sessions, done.applications, done.work_orders) == (1, [old_closed], [old_order])
    assert store.load("idle-conversation-token") is None and store.load("recent-conversation-token") is not None
    with factory() as session:
        rows = {r.number: r for r in session.query(ApplicationRow)}
        assert rows[old_closed].values_json == {} and rows[old_closed].display_json == {"联系电话": "已删除"}
        assert rows[old_closed].status == "done" and rows[old_closed].subject_name == "社会保障卡申领"  # the case stays
        assert rows[old_open].values_json and rows[recent_closed].values_json
        closed_order = session.query(WorkOrderRow).filter_by(number=old_order).one()
        assert closed_order.caller_json == {} and closed_order.summary == "补办社保卡"  # the case itself is kept
        assert session.query(WorkOrderRow).filter_by(number=open_order).one().caller_json
        assert {(e.number, e.reason) for e in session.query(ErasureRow)} == {(old_closed, "retention"), (old_order, "retention")}

    again = retention.purge(now)
    assert (again.sessions, again.applications, again.work_orders) == (0, [], [])  # nothing left to do
    purges = AuditLog(factory).entries(action="purge")
    assert [(e.actor, e.object, e.detail) for e in purges] == [
        ("system:retention", "sessions", {"sessions": 1}),
        ("system:retention", "cases", {"numbers": [old_closed]}),
        ("system:retention", "cases", {"numbers": [old_order]}),
    ]
    assert AuditLog(factory).verify().ok


def test_a_bundle_keeps_the_answers_asked_once_until_every_member_is_scrubbed(sqlite_db: OpenDb) -> None:
    factory, clock = sqlite_db(), Clock()
    apps = ApplicationBook(factory, FieldCipher([KEY]), clock)
    members = [service("bundle", subject) for subject in ("birth-cert", "hukou-newborn")]
    bundle = ApplicationDraft(subject_id="newborn", subject_name="出生一件事", kind=SubjectKind.bundle, dept="",
                              session_id="session-b", form_id="bundle", values={"phone": "13800138000"},
                              display={"联系电话": "138****8000"},
                              members=[replace(m, session_id="session-b") for m in members])
    view = apps.submit(bundle)
    first, second = (m.number for m in view.members)
    for status in CLOSING:
        apps.advance(first, status, "坐席01")
    now = T0 + timedelta(days=400)
    assert Retention(factory, POLICY).purge(now).applications == [first]  # the other member is still open
    for status in CLOSING:
        apps.advance(second, status, "坐席01")
    assert Retention(factory, POLICY).purge(now + timedelta(days=400)).applications == [second, view.number]


def test_retention_purge_from_the_command_line(govassist, tmp_path, monkeypatch) -> None:
    from assistant.storage.db import open_database

    factory = open_database(f"sqlite:///{tmp_path / 'data' / 'govassist.db'}")
    SessionStore(factory, Clock()).save("idle-conversation-token", {}, None)  # idle since T0, long ago
    monkeypatch.setenv("GOVASSIST_SESSION_RETENTION_DAYS", "7")
    dry = govassist("retention", "purge", "--dry-run")
    assert dry.exit_code == 0 and "would delete 1 conversation(s) idle over 7 days" in dry.output
    assert SessionStore(factory).load("idle-conversation-token") is not None
    real = govassist("retention", "purge")
    assert real.exit_code == 0 and "did delete 1 conversation(s)" in real.output
    assert SessionStore(factory).load("idle-conversation-token") is None
    assert Settings().personal_data_retention_days == 365  # the documented default
