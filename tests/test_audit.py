"""The audit log: a hash chain that shows any edited, deleted or reordered event, holds under writers
racing each other (SQLite and PostgreSQL), never stores personal values, and records what staff read
and what changed in applications and work orders."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import OpenDb, any_db, sqlite_db  # noqa: F401 (fixtures)
from sqlalchemy import delete, select, update

from assistant.cases.application_status import ApplicationStatus
from assistant.cases.case_book import IllegalStatusChange
from assistant.cases.applications import ApplicationBook, ApplicationDraft
from assistant.cases.workorder_status import CallerField, WorkOrderStatus, WorkOrderType
from assistant.cases.workorders import WorkOrderBook, WorkOrderDraft
from assistant.privacy.audit import GENESIS, AuditLog, event_hash
from assistant.privacy.crypto import FieldCipher
from assistant.storage.db import writing
from assistant.privacy.tables import AuditEventRow, AuditLogRow
from knowledge.models import SubjectKind

KEY = bytes(range(32))
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class Tick:
    """A clock that moves one second per reading."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def filled(open_db: OpenDb, n: int = 5) -> AuditLog:
    log = AuditLog(open_db(), Tick())
    for i in range(n):
        log.record(f"坐席{i:02d}", "view", f"WO20261123-00000{i}", {"fields": ["phone"]})
    return log


def test_each_event_hashes_its_fields_and_the_hash_before_it(sqlite_db: OpenDb) -> None:
    log = filled(sqlite_db, 3)
    first, second, third = log.entries()
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash and third.prev_hash == second.hash
    assert first.hash == event_hash(1, first.at, "坐席00", "view", "WO20261123-000000", '{"fields":["phone"]}', GENESIS)
    report = log.verify()
    assert report.ok and report.count == 3 and report.head == third.hash


def test_an_empty_log_verifies(sqlite_db: OpenDb) -> None:
    report = AuditLog(sqlite_db()).verify()
    assert report.ok and report.count == 0 and report.head == GENESIS


def _edit_detail(session) -> None:
    session.execute(update(AuditLogRow).where(AuditLogRow.seq == 3).values(detail='{"fields":["name"]}'))


def _edit_actor_and_rehash_alone(session) -> None:
    # Re-hashing the edited event is not enough: the next event still names the old hash.
    row = session.scalars(select(AuditLogRow).where(AuditLogRow.seq == 3)).one()
    row.actor = "someone else"
    row.hash = event_hash(row.seq, row.at, row.actor, row.action, row.object, row.detail, row.prev_hash)


def _delete_one(session) -> None:
    session.execute(delete(AuditLogRow).where(AuditLogRow.seq == 3))


def _delete_and_renumber(session) -> None:
    session.execute(delete(AuditLogRow).where(AuditLogRow.seq == 3))
    for seq in (4, 5):
        session.execute(update(AuditLogRow).where(AuditLogRow.seq == seq).values(seq=seq - 1))


def _swap_two(session) -> None:
    a, b = (session.scalars(select(AuditLogRow).where(AuditLogRow.seq == s)).one() for s in (3, 4))
    a.seq, b.seq = -1, -2  # seq is unique: move both out of the way first
    session.flush()
    a.seq, b.seq = 4, 3
    session.flush()


def _change_timestamp(session) -> None:
    session.execute(update(AuditLogRow).where(AuditLogRow.seq == 3).values(at=T0 - timedelta(days=1)))


@pytest.mark.parametrize(
    ("tamper", "broken_at", "reason", "intact"),
    [
        (_edit_detail, 3, "altered", 2),
        (_edit_actor_and_rehash_alone, 4, "prev_hash", 3),
        (_delete_one, 4, "event 3 is missing", 2),
        (_delete_and_renumber, 3, "prev_hash", 2),
        (_swap_two, 3, "prev_hash", 2),
        (_change_timestamp, 3, "altered", 2),
    ],
    ids=["edit detail", "edit and rehash", "delete", "delete and renumber", "reorder", "backdate"],
)
def test_tampering_with_stored_events_is_found_at_the_first_broken_link(any_db: OpenDb, tamper, broken_at, reason,
                                                                       intact) -> None:
    log = filled(any_db, 5)
    assert log.verify().ok
    with any_db()() as session, session.begin():
        tamper(session)
    report = log.verify()
    assert not report.ok
    assert report.broken is not None and report.broken.seq == broken_at and reason in report.broken.reason
    assert report.count == intact  # the events before the break are still vouched for


def test_writers_racing_from_threads_keep_one_unbroken_chain(any_db: OpenDb) -> None:
    factory = any_db()
    log = AuditLog(factory)
    threads, per_thread, errors = 8, 15, []

    def write(worker: int) -> None:
        try:
            for i in range(per_thread):
                log.record(f"worker{worker}", "view", f"WO-{worker}-{i}", {"i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    running = [threading.Thread(target=write, args=(w,)) for w in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    assert errors == []
    report = log.verify()
    assert report.ok and report.count == threads * per_thread
    assert {e.object for e in log.entries(limit=1000)} == {f"WO-{w}-{i}" for w in range(threads) for i in range(per_thread)}


def test_personal_numbers_in_a_detail_are_masked_before_they_are_stored(sqlite_db: OpenDb) -> None:
    log = AuditLog(sqlite_db())
    entry = log.record("坐席01", "transition", "WO20261123-000001", {"note": "来电人11010519491231002X，电话13800138000"})
    assert entry.detail == {"note": "来电人110105********002X，电话138****8000"}
    assert log.record("admin", "kb_edit", "kb:sscard-apply", "#3 新增别名：补卡").detail == "#3 新增别名：补卡"  # a text detail
    assert log.verify().ok


def test_an_event_recorded_inside_a_failed_transaction_is_rolled_back_with_it(sqlite_db: OpenDb) -> None:
    factory = sqlite_db()
    log = AuditLog(factory)
    with pytest.raises(RuntimeError), writing(factory) as session:
        log.record("坐席01", "transition", "WO20261123-000001", {"to": "dispatched"}, session=session)
        raise RuntimeError("the change it describes failed")
    book = WorkOrderBook(factory, FieldCipher([KEY]), audit=log)
    number = book.create(WorkOrderDraft(type=WorkOrderType.help, summary="补办社保卡", created_by="坐席01")).number
    with pytest.raises(IllegalStatusChange):
        book.transition(number, WorkOrderStatus.handling, "坐席01")
    assert [(e.seq, e.action) for e in log.entries()] == [(1, "create")]
    assert log.verify().ok


def test_reveals_from_before_the_chain_are_moved_into_it(sqlite_db: OpenDb) -> None:
    factory = sqlite_db()
    with factory() as session, session.begin():
        session.add(AuditEventRow(actor="坐席07", action="reveal", object="WO20261101-000001", field="phone", at=T0))
    log = AuditLog(factory)
    log.record("坐席01", "view", "WO20261123-000001")
    assert log.import_legacy() == 1 and log.import_legacy() == 0
    moved = log.entries(object="WO20261101-000001")
    assert [(e.actor, e.action, e.detail["field"], e.at) for e in moved] == [("坐席07", "reveal", "phone", T0)]
    assert log.verify().ok and log.verify().count == 2


def test_work_order_changes_and_staff_reads_are_recorded(sqlite_db: OpenDb) -> None:
    factory = sqlite_db()
    book = WorkOrderBook(factory, FieldCipher([KEY]))
    draft = WorkOrderDraft(type=WorkOrderType.help, summary="补办社保卡", created_by="坐席01",
                           caller={CallerField.phone: "13800138000", CallerField.name: "张三"})
    number = book.create(draft).number
    book.create(draft)  # another order (no form id: not idempotent)
    book.transition(number, WorkOrderStatus.dispatched, "坐席01", note="电话13800138000", dept="人力资源和社会保障局")
    assert book.view(number, "坐席02") is not None
    book.list(viewer="坐席03")
    book.list()  # no viewer named (an internal read): not recorded
    assert book.reveal(number, CallerField.phone, "坐席04") == "13800138000"
    trail = [(e.actor, e.action, e.detail) for e in book.audit_trail(number)]
    assert trail == [
        ("坐席01", "create", {"type": "help", "dept": "", "caller": ["name", "phone"]}),
        ("坐席01", "transition", {"from": "accepted", "to": "dispatched", "dept": "人力资源和社会保障局", "note": "电话138****8000"}),
        ("坐席02", "view", {"caller": ["name", "phone"]}),
        ("坐席04", "reveal", {"field": "phone"}),
    ]
    listed = book.audit.entries(action="list")
    assert [(e.actor, e.object, len(e.detail["numbers"])) for e in listed] == [("坐席03", "workorders", 2)]
    assert book.audit.verify().ok


def test_application_submissions_status_changes_and_staff_views_are_recorded(sqlite_db: OpenDb) -> None:
    book = ApplicationBook(sqlite_db(), FieldCipher([KEY]))
    draft = ApplicationDraft(subject_id="sscard-apply", subject_name="社会保障卡申领", kind=SubjectKind.service,
                             dept="人力资源和社会保障局", session_id="session-a", form_id="form-1",
                             values={"name": "张三"}, display={"持卡人姓名": "张*"})
    number = book.submit(draft).number
    book.submit(draft)  # the same form again: nothing new happened, nothing recorded
    book.get(number, "session-a")  # the applicant: not staff, not recorded
    book.get(number, None, staff="坐席05")
    assert book.values(number, None, staff="坐席06") == {"name": "张三"}
    book.advance(number, ApplicationStatus.accepted, "坐席05", note="材料齐全")
    trail = [(e.actor, e.action, e.detail) for e in book.audit.entries(object=number)]
    assert trail == [
        ("applicant", "submit", {"subject": "sscard-apply", "parent": None}),
        ("坐席05", "view", {"fields": ["持卡人姓名"]}),
        ("坐席06", "reveal", {"fields": ["name"]}),
        ("坐席05", "status_change", {"from": "submitted", "to": "accepted", "note": "材料齐全"}),
    ]
    with pytest.raises(TypeError):
        book.get(number, None, staff=True)  # type: ignore[arg-type]  # a staff read needs a name


def test_audit_verify_and_list_from_the_command_line(govassist, tmp_path) -> None:
    from assistant.storage.db import open_database

    factory = open_database(f"sqlite:///{tmp_path / 'data' / 'govassist.db'}")
    log = AuditLog(factory, Tick())
    for i in range(3):
        log.record("坐席01", "view", f"WO20261123-00000{i}", {"fields": ["phone"]})
    ok = govassist("audit", "verify", "--head", log.entries()[1].hash)
    assert ok.exit_code == 0 and "intact: 3 event(s)" in ok.output
    listed = govassist("audit", "list", "--object", "WO20261123-000001")
    assert listed.exit_code == 0 and listed.output.count("\n") == 1 and "坐席01  view  WO20261123-000001" in listed.output

    with factory() as session, session.begin():
        session.execute(update(AuditLogRow).where(AuditLogRow.seq == 2).values(actor="nobody"))
    broken = govassist("audit", "verify")
    assert broken.exit_code == 1 and "broken at event 2" in broken.output and "altered" in broken.output
    gone = govassist("audit", "verify", "--head", "f" * 64)
    assert gone.exit_code == 1


def test_knowledge_base_edits_and_rollbacks_go_into_the_same_chain(sqlite_db: OpenDb, knowledge_base) -> None:
    from assistant.insight.kb_edits import KbEditLog
    from knowledge.overlay import EditAction, EditKind, KbEdit

    factory = sqlite_db()
    log = AuditLog(factory)
    edits = KbEditLog(factory, audit=log)
    edit = edits.add("admin1", KbEdit(EditKind.alias, EditAction.add, "sscard-apply", "新办社会保障卡片"), knowledge_base)
    edits.rollback("admin2", edit.id)
    assert [(e.actor, e.action, e.object) for e in log.entries()] == [
        ("admin1", "kb_edit", "kb:sscard-apply"), ("admin2", "kb_rollback", "kb:sscard-apply"),
    ]
    assert "新办社会保障卡片" in log.entries()[0].detail and log.verify().ok
