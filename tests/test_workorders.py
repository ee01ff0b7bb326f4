"""12345 work orders: numbers, the lifecycle with 退回/重派, deadlines across weekends, history,
encryption of the caller's details at rest, and audited reveals."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from persistence_support import Clock, OpenDb, any_db, engine_of, sqlite_db  # noqa: F401 (fixtures)
from pydantic import ValidationError

from assistant.cases.case_book import IllegalStatusChange
from assistant.cases.applications import ApplicationBook, ApplicationDraft
from assistant.cases.workorder_due import DueRules, Span, load_due_rules
from assistant.cases.workorder_status import (
    TRANSITIONS,
    BadDispatch,
    CallerField,
    Urgency,
    WorkOrderStatus,
    WorkOrderType,
    load_labels,
)
from assistant.cases.workorders import UnknownWorkOrder, WorkOrderBook, WorkOrderDraft
from assistant.privacy.crypto import FieldCipher
from knowledge.models import SubjectKind

BEIJING = timezone(timedelta(hours=8))
KEY = bytes(range(32))
NAME, PHONE, ID_NUMBER, ADDRESS = "王芳", "13912345678", "110101199003074258", "广东省广州市天河区天河路385号"
S = WorkOrderStatus
FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=BEIJING)


@pytest.fixture
def clock() -> Clock:
    return Clock(FRIDAY_4PM)


def order(form_id: str | None = None, **changes: object) -> WorkOrderDraft:
    base = WorkOrderDraft(
        type=WorkOrderType.complaint,
        summary="小区东门外工地每天晚上11点后还在打桩",
        created_by="坐席01",
        category="噪声扰民",
        dept="城市管理综合执法局",
        caller={CallerField.name: NAME, CallerField.phone: PHONE, CallerField.id_number: ID_NUMBER,
                CallerField.address: ADDRESS},
        form_id=form_id,
    )
    return replace(base, **changes)


def application(form_id: str) -> ApplicationDraft:
    return ApplicationDraft(subject_id="id-card-renewal", subject_name="居民身份证换领", kind=SubjectKind.service,
                            dept="公安局", session_id="s", form_id=form_id, values={}, display={})


def book_on(open_db: OpenDb, clock: Clock, rules: DueRules | None = None) -> WorkOrderBook:
    return WorkOrderBook(open_db(), FieldCipher([KEY]), clock, rules)


# -- numbers and creation ---------------------------------------------------------------------------


def test_numbers_count_per_day_apart_from_application_numbers(any_db: OpenDb, clock: Clock) -> None:
    factory = any_db()
    orders = WorkOrderBook(factory, FieldCipher([KEY]), clock)
    applications = ApplicationBook(factory, FieldCipher([KEY]), clock)
    assert orders.create(order()).number == "WO20261127-000001"
    assert applications.submit(application("a")).number == "GA20261127-000001"
    assert orders.create(order()).number == "WO20261127-000002"
    clock.now += timedelta(days=1)
    assert orders.create(order()).number == "WO20261128-000001"
    assert applications.submit(application("b")).number == "GA20261128-000001"


def test_a_new_order_is_accepted_with_its_labels_and_the_caller_masked(sqlite_db: OpenDb, clock: Clock) -> None:
    view = book_on(sqlite_db, clock).create(order())
    assert (view.status, view.status_label, view.type_label, view.urgency_label) == (S.accepted, "已受理", "投诉", "一般")
    assert view.caller == {
        CallerField.name: "王*",
        CallerField.phone: "139****5678",
        CallerField.id_number: "110101********4258",
        CallerField.address: "广东省广州市天河区****",
    }
    assert view.dept == "城市管理综合执法局" and view.created_at == clock.now


def test_the_same_form_creates_one_order(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    first = book.create(order("chat-form-1"))
    assert book.create(order("chat-form-1")) == first
    assert book.create(order("chat-form-2")).number == "WO20261127-000002"
    assert book.create(order()).number == "WO20261127-000003"  # no form id: always a new order
    assert book.create(order()).number == "WO20261127-000004"


def test_an_order_needs_a_summary(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    with pytest.raises(ValueError):
        book.create(order(summary="  "))
    assert book.list() == []


# -- lifecycle --------------------------------------------------------------------------------------


def test_an_order_goes_from_accepted_to_closed_with_every_change_in_its_history(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    number = book.create(order()).number
    path = [
        (S.dispatched, "坐席01", None, "派城管"),
        (S.handling, "城管局张科员", None, "已联系施工方"),
        (S.follow_up, "城管局张科员", None, "已停止夜间施工"),
        (S.closed, "回访员李", None, "群众满意"),
    ]
    for hours, (status, actor, dept, note) in enumerate(path, start=1):
        clock.now = FRIDAY_4PM + timedelta(hours=hours)
        view = book.transition(number, status, actor, note=note, dept=dept)
        assert view.status == status
    history = book.history(number)
    assert [(e.from_status, e.to_status, e.change_label, e.actor, e.note, e.dept) for e in history] == [
        (None, S.accepted, "受理", "坐席01", "", "城市管理综合执法局"),
        (S.accepted, S.dispatched, "派单", "坐席01", "派城管", "城市管理综合执法局"),
        (S.dispatched, S.handling, "办理", "城管局张科员", "已联系施工方", "城市管理综合执法局"),
        (S.handling, S.follow_up, "回访", "城管局张科员", "已停止夜间施工", "城市管理综合执法局"),
        (S.follow_up, S.closed, "办结", "回访员李", "群众满意", "城市管理综合执法局"),
    ]
    assert [e.at for e in history] == [FRIDAY_4PM + timedelta(hours=h) for h in range(5)]
    assert book.dispatch_examples() == [("小区东门外工地每天晚上11点后还在打桩", "城市管理综合执法局")]


def test_a_returned_order_is_redispatched_to_another_department(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    number = book.create(order(dept="")).number
    with pytest.raises(BadDispatch):
        book.transition(number, S.dispatched, "坐席01")  # no department suggested, none named
    book.transition(number, S.dispatched, "坐席01", dept="住房和城乡建设局")
    book.transition(number, S.returned, "住建局王", note="不属于本部门职责")
    assert book.get(number).dept == "住房和城乡建设局"  # who sent it back
    with pytest.raises(BadDispatch):
        book.transition(number, S.dispatched, "坐席01", dept="住房和城乡建设局")
    with pytest.raises(BadDispatch):
        book.transition(number, S.dispatched, "坐席01")
    book.transition(number, S.dispatched, "坐席02", dept="城市管理综合执法局")
    book.transition(number, S.handling, "城管局张")
    book.transition(number, S.returned, "城管局张", note="涉及生态环境部门")  # returned while in hand too
    view = book.transition(number, S.dispatched, "坐席02", dept="生态环境局")
    assert (view.status, view.dept) == (S.dispatched, "生态环境局")
    assert [(e.change_label, e.dept) for e in book.history(number)] == [
        ("受理", ""),
        ("派单", "住房和城乡建设局"),
        ("退回", "住房和城乡建设局"),
        ("重派", "城市管理综合执法局"),
        ("办理", "城市管理综合执法局"),
        ("退回", "城市管理综合执法局"),
        ("重派", "生态环境局"),
    ]


def test_a_caller_not_satisfied_at_follow_up_sends_it_back_to_handling(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    number = book.create(order()).number
    for status in (S.dispatched, S.handling, S.follow_up, S.handling):
        book.transition(number, status, "staff")
    assert book.history(number)[-1].change_label == "重新办理"


def test_only_a_dispatch_moves_the_order_to_another_department(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    number = book.create(order()).number
    book.transition(number, S.dispatched, "坐席01")  # the suggested department is kept
    with pytest.raises(BadDispatch):
        book.transition(number, S.handling, "someone", dept="公安局")
    view = book.transition(number, S.handling, "城管局张", dept="城市管理综合执法局")  # naming the same one is fine
    assert view.dept == "城市管理综合执法局"


@pytest.mark.parametrize(
    ("reach", "illegal"),
    [
        ([], S.handling),
        ([], S.follow_up),
        ([], S.returned),
        ([], S.accepted),
        ([S.dispatched], S.follow_up),
        ([S.dispatched], S.closed),
        ([S.dispatched, S.returned], S.handling),
        ([S.dispatched, S.returned], S.closed),
        ([S.dispatched, S.handling], S.closed),
        ([S.dispatched, S.handling, S.follow_up], S.returned),
        ([S.closed], S.dispatched),
    ],
)
def test_an_illegal_change_is_refused_and_leaves_no_trace(
    sqlite_db: OpenDb, clock: Clock, reach: list[WorkOrderStatus], illegal: WorkOrderStatus
) -> None:
    book = book_on(sqlite_db, clock)
    number = book.create(order()).number
    for status in reach:
        book.transition(number, status, "staff")
    before = book.history(number)
    with pytest.raises(IllegalStatusChange, match=re.escape(f"→ {illegal.value}")):
        book.transition(number, illegal, "staff", dept="生态环境局" if illegal is S.dispatched else None)
    assert book.history(number) == before
    assert book.get(number).status == (reach[-1] if reach else S.accepted)


def test_unknown_numbers(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    assert book.get("WO20261127-000001") is None and book.public("WO20261127-000001") is None
    for call in (
        lambda: book.transition("WO20261127-000001", S.dispatched, "staff", dept="城管"),
        lambda: book.history("WO20261127-000001"),
        lambda: book.reveal("WO20261127-000001", CallerField.phone, "staff"),
    ):
        with pytest.raises(UnknownWorkOrder):
            call()


def test_every_status_type_and_urgency_has_a_chinese_label_and_every_status_is_reachable() -> None:
    labels = load_labels()
    for names in (labels.statuses, labels.types, labels.urgencies, labels.changes, labels.caller_fields):
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", label) for label in names.values())
    assert set(labels.statuses) == set(S) and set(labels.types) == set(WorkOrderType)
    reachable, frontier = {S.accepted}, [S.accepted]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()] - reachable:
            reachable.add(nxt)
            frontier.append(nxt)
    assert reachable == set(S) and TRANSITIONS[S.closed] == frozenset()


# -- deadlines --------------------------------------------------------------------------------------


def test_deadlines_count_working_days_over_the_weekend(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    normal = book.create(order())
    urgent = book.create(order(urgency=Urgency.urgent))
    # Friday 16:00: normal — respond by Monday 16:00, resolve in 5 working days (next Friday);
    # urgent — respond within the hour, resolve in 3 working days (Wednesday).
    assert (normal.respond_due, normal.resolve_due) == (datetime(2026, 11, 30, 16, tzinfo=BEIJING), datetime(2026, 12, 4, 16, tzinfo=BEIJING))
    assert (urgent.respond_due, urgent.resolve_due) == (datetime(2026, 11, 27, 17, tzinfo=BEIJING), datetime(2026, 12, 2, 16, tzinfo=BEIJING))


def test_overdue_flags_follow_the_clock_and_the_status(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    normal = book.create(order()).number
    urgent = book.create(order(urgency=Urgency.urgent)).number
    book.transition(normal, S.dispatched, "坐席01")
    book.transition(urgent, S.dispatched, "坐席01")

    def late() -> dict[str, tuple[bool, bool]]:
        return {n: (v.response_overdue, v.resolve_overdue) for n in (normal, urgent) if (v := book.get(n))}

    clock.now = FRIDAY_4PM + timedelta(minutes=59)
    assert late() == {normal: (False, False), urgent: (False, False)} and book.list(overdue=True) == []
    clock.now = datetime(2026, 11, 29, 20, 0, tzinfo=BEIJING)  # Sunday evening: the weekend does not count
    assert late() == {normal: (False, False), urgent: (True, False)}
    assert [v.number for v in book.list(overdue=True)] == [urgent]
    assert [v.number for v in book.list(overdue=False)] == [normal]
    book.transition(urgent, S.handling, "城管局张")  # taken up, late
    assert late()[urgent] == (False, False)
    clock.now = datetime(2026, 11, 30, 16, 1, tzinfo=BEIJING)  # Monday, a minute past the normal response limit
    assert late() == {normal: (True, False), urgent: (False, False)}
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=BEIJING)  # Thursday: the urgent one is still in hand
    assert late() == {normal: (True, False), urgent: (False, True)}
    book.transition(urgent, S.follow_up, "城管局张")
    book.transition(urgent, S.handling, "回访员李")  # not satisfied: late again
    assert late()[urgent] == (False, True)
    assert book.get(urgent).overdue and {v.number for v in book.list(overdue=True)} == {normal, urgent}


def test_list_filters_by_status_and_department(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    a = book.create(order()).number
    b = book.create(order(dept="公安局")).number
    c = book.create(order(dept="")).number
    book.transition(b, S.dispatched, "坐席01")
    assert [v.number for v in book.list()] == [a, b, c]
    assert [v.number for v in book.list(status=S.accepted)] == [a, c]
    assert [v.number for v in book.list(dept="公安局")] == [b]
    assert [v.number for v in book.list(status=S.accepted, dept="公安局")] == []
    assert [v.number for v in book.list(limit=1, offset=1)] == [b]


def test_due_rules_are_configurable_and_checked(sqlite_db: OpenDb, clock: Clock, tmp_path: Path) -> None:
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "due:\n  urgent: {respond: {hours: 2}, resolve: {hours: 24}}\n"
        "  normal: {respond: {working_days: 2}, resolve: {working_days: 10}}\n",
        encoding="utf-8",
    )
    view = book_on(sqlite_db, clock, load_due_rules(rules_file)).create(order())
    assert (view.respond_due, view.resolve_due) == (datetime(2026, 12, 1, 16, tzinfo=BEIJING), datetime(2026, 12, 11, 16, tzinfo=BEIJING))
    assert load_due_rules().for_urgency(Urgency.urgent).respond == Span(hours=1)
    for bad in ({}, {"hours": 1, "working_days": 1}, {"hours": 0}, {"days": 3}):
        with pytest.raises(ValidationError):
            Span.model_validate(bad)


# -- personal data ----------------------------------------------------------------------------------


def test_caller_details_are_not_in_the_database_file(sqlite_db: OpenDb, clock: Clock, tmp_path: Path) -> None:
    factory = sqlite_db()
    book = WorkOrderBook(factory, FieldCipher([KEY]), clock)
    number = book.create(order(summary=f"工地夜间施工，另一个联系电话13800138000，身份证{ID_NUMBER}")).number
    engine_of(factory).dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("govassist.db*"))
    assert number.encode() in raw and "工地夜间施工".encode() in raw and b"139****5678" in raw  # the scan sees text
    for secret in (NAME, PHONE, ID_NUMBER, ADDRESS, "13800138000"):
        assert secret.encode() not in raw
    summary = book_on(sqlite_db, clock).get(number).summary
    assert "138****8000" in summary and "110101********4258" in summary


def test_a_reveal_returns_one_field_and_is_audited(sqlite_db: OpenDb, clock: Clock) -> None:
    factory = sqlite_db()
    book = WorkOrderBook(factory, FieldCipher([KEY]), clock)
    number = book.create(order()).number
    anonymous = book.create(order(caller={CallerField.phone: PHONE})).number
    clock.now = FRIDAY_4PM + timedelta(minutes=5)
    assert book.reveal(number, CallerField.id_number, "坐席07") == ID_NUMBER
    assert book.reveal(number, CallerField.phone, "坐席08") == PHONE
    assert book.reveal(anonymous, CallerField.name, "坐席07") is None  # not given: nothing read, nothing logged
    reveals = [e for e in book.audit.entries() if e.action == "reveal"]
    assert [(e.actor, e.object, e.detail, e.at) for e in reveals] == [
        ("坐席07", number, {"field": "id_number"}, clock.now),
        ("坐席08", number, {"field": "phone"}, clock.now),
    ]
    assert [e.action for e in book.audit_trail(number)] == ["create", "reveal", "reveal"]
    assert book.audit.verify().ok
    assert book.get(number).caller[CallerField.id_number] == "110101********4258"  # still masked in views


def test_a_reveal_with_the_wrong_key_reads_nothing_and_logs_nothing(sqlite_db: OpenDb, clock: Clock) -> None:
    number = book_on(sqlite_db, clock).create(order()).number
    stranger = WorkOrderBook(sqlite_db(), FieldCipher([bytes(range(100, 132))]), clock)
    with pytest.raises(ValueError):
        stranger.reveal(number, CallerField.phone, "坐席07")
    assert [e.action for e in stranger.audit_trail(number)] == ["create"]  # no reveal recorded


def test_the_public_record_has_no_caller_details_or_summary(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    number = book.create(order()).number
    record = book.public(number)
    assert record is not None and (record.number, record.status_label, record.dept) == (number, "已受理", "城市管理综合执法局")
    assert not hasattr(record, "caller") and not hasattr(record, "summary")
