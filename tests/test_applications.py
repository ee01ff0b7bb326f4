"""Applications: tracking numbers, idempotent submits, encryption at rest, access, status changes."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from persistence_support import Clock, OpenDb, any_db, engine_of, sqlite_db  # noqa: F401 (fixtures)

from assistant.cases.application_status import TRANSITIONS, ApplicationStatus, load_status_labels
from assistant.cases.case_book import IllegalStatusChange
from assistant.cases.applications import AccessDenied, ApplicationBook, ApplicationDraft, UnknownApplication, due_date
from assistant.privacy.crypto import FieldCipher, FieldCipherError
from knowledge.models import SubjectKind, TimeLimit

BEIJING = timezone(timedelta(hours=8))
KEY = bytes(range(32))
NAME, ID_NUMBER, PHONE = "王小明", "110101199003074258", "13912345678"
S = ApplicationStatus


def limit(unit: str, days: int = 0) -> TimeLimit:
    return TimeLimit(unit=unit, days=days, text="办理时限")


def draft(form_id: str = "form-1", session_id: str = "session-a", **changes: object) -> ApplicationDraft:
    base = ApplicationDraft(
        subject_id="id-card-renewal",
        subject_name="居民身份证换领",
        kind=SubjectKind.service,
        dept="公安局",
        session_id=session_id,
        form_id=form_id,
        values={"name": NAME, "id_number": ID_NUMBER, "phone": PHONE},
        display={"姓名": "王**", "身份证号": "110***********4258", "手机号": "139****5678"},
        deferred_materials=["户口簿"],
        time_limit=limit("working_days", 5),
    )
    return replace(base, **changes)


def bundle(form_id: str = "bundle-form", session_id: str = "session-a") -> ApplicationDraft:
    def member(subject_id: str, name: str, time_limit: TimeLimit) -> ApplicationDraft:
        return draft(form_id, session_id, subject_id=subject_id, subject_name=name, time_limit=time_limit)

    return draft(
        form_id,
        session_id,
        subject_id="newborn",
        subject_name="出生一件事",
        kind=SubjectKind.bundle,
        dept="多部门联办",
        values={},
        display={},
        time_limit=None,
        members=[
            member("birth-certificate", "出生医学证明", limit("immediate")),
            member("household-registration-newborn", "新生儿落户", limit("working_days", 3)),
        ],
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 30, tzinfo=BEIJING))  # a Monday


def book_on(open_db: OpenDb, clock: Clock, keys: list[bytes] | None = None) -> ApplicationBook:
    return ApplicationBook(open_db(), FieldCipher(keys or [KEY]), clock)


def test_numbers_count_up_within_a_day_and_start_again_the_next_day(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    clock.now = datetime(2026, 11, 23, 23, 59, 59, tzinfo=BEIJING)
    assert book.submit(draft("a")).number == "GA20261123-000001"
    assert book.submit(draft("b")).number == "GA20261123-000002"
    clock.now += timedelta(seconds=1)
    assert book.submit(draft("c")).number == "GA20261124-000001"
    assert book.submit(draft("d")).number == "GA20261124-000002"


def test_the_number_day_is_the_local_day_of_the_clock(any_db: OpenDb, clock: Clock) -> None:
    # 00:30 in Beijing is still the previous day in UTC; the number follows the clock's own day.
    clock.now = datetime(2026, 11, 24, 0, 30, tzinfo=BEIJING)
    book = book_on(any_db, clock)
    assert book.submit(draft()).number == "GA20261124-000001"
    view = book.get("GA20261124-000001", None)
    assert view is not None and view.created_at.date() == date(2026, 11, 24)


def test_the_same_form_submitted_twice_is_stored_once(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    first = book.submit(draft("form-1"))
    again = book.submit(draft("form-1"))
    assert again == first
    assert [v.number for v in book.for_session("session-a")] == [first.number]
    # The repeat did not use up a number either.
    assert book.submit(draft("form-2")).number == "GA20261123-000002"


def test_simultaneous_submits_of_one_form_make_one_application(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    # Open the pool's connections first, so that the submits themselves overlap, not the connecting.
    run_together(5, lambda _: book.for_session("warm-up"))
    numbers = run_together(5, lambda _: book.submit(draft("double-click")).number)
    assert len(set(numbers)) == 1
    assert [v.number for v in book.for_session("session-a")] == numbers[:1]


def test_simultaneous_submits_of_different_forms_get_distinct_consecutive_numbers(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    numbers = run_together(8, lambda n: [book.submit(draft(f"form-{n}-{i}")).number for i in range(4)])
    flat = sorted(x for batch in numbers for x in batch)
    assert flat == [f"GA20261123-{i:06d}" for i in range(1, 33)]


def run_together(count: int, work):  # type: ignore[no-untyped-def]
    """Run work(i) in `count` threads released at the same moment; re-raise the first failure."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 (reported in the test thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_a_bundle_and_each_member_get_their_own_numbers(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    record = book.submit(bundle())
    assert (record.number, record.kind, record.parent_number) == ("GA20261123-000001", SubjectKind.bundle, None)
    assert [(m.number, m.subject_id, m.parent_number) for m in record.members] == [
        ("GA20261123-000002", "birth-certificate", record.number),
        ("GA20261123-000003", "household-registration-newborn", record.number),
    ]
    # Immediate, and 3 working days from a Monday; the bundle is done when its slowest member is.
    assert [m.expected_date for m in record.members] == [date(2026, 11, 23), date(2026, 11, 26)]
    assert record.expected_date == date(2026, 11, 26)
    assert book.submit(bundle()) == record
    member = book.get("GA20261123-000003", "session-a")
    assert member is not None and member.parent_number == record.number and member.members == ()


@pytest.mark.parametrize(
    ("start", "time_limit", "expected"),
    [
        (date(2026, 11, 23), limit("immediate"), date(2026, 11, 23)),
        (date(2026, 11, 23), limit("natural_days", 20), date(2026, 12, 13)),
        (date(2026, 11, 23), limit("working_days", 5), date(2026, 11, 30)),  # Monday → next Monday
        (date(2026, 11, 27), limit("working_days", 1), date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 28), limit("working_days", 1), date(2026, 11, 30)),  # Saturday → Monday
        (date(2026, 11, 25), limit("working_days", 10), date(2026, 12, 9)),  # Wednesday, two weeks on
        (date(2026, 11, 23), None, None),
    ],
)
def test_expected_date_follows_the_time_limit(start: date, time_limit: TimeLimit | None, expected: date | None) -> None:
    assert due_date(start, time_limit) == expected


def test_personal_values_are_not_in_the_database_file(sqlite_db: OpenDb, clock: Clock, tmp_path: Path) -> None:
    factory = sqlite_db()
    book = ApplicationBook(factory, FieldCipher([KEY]), clock)
    number = book.submit(draft()).number
    assert book.values(number, "session-a") == {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}
    engine_of(factory).dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("govassist.db*"))
    assert "居民身份证换领".encode() in raw and b"139****5678" in raw  # the scan does see stored text
    for secret in (NAME.encode(), ID_NUMBER.encode(), PHONE.encode()):
        assert secret not in raw


def test_everything_survives_a_restart(any_db: OpenDb, clock: Clock) -> None:
    first = any_db()
    book = ApplicationBook(first, FieldCipher([KEY]), clock)
    submitted = book.submit(bundle())
    book.advance(submitted.number, S.accepted, "窗口 3 号")
    engine_of(first).dispose()

    restarted = ApplicationBook(any_db(), FieldCipher([KEY]), clock)
    view = restarted.get(submitted.number, "session-a")
    assert view is not None
    assert (view.status, view.status_label, view.expected_date) == (S.accepted, "已受理", date(2026, 11, 26))
    assert view.created_at == clock.now and view.created_at.tzinfo is not None
    assert [m.number for m in view.members] == [m.number for m in submitted.members]
    assert view.members[1].fields == draft().display
    assert restarted.values(view.members[1].number, "session-a") == draft().values
    assert [e.to_status for e in restarted.history(submitted.number)] == [S.submitted, S.accepted]
    assert restarted.submit(bundle()).number == submitted.number
    assert restarted.submit(draft("next")).number == "GA20261123-000004"


def test_values_written_with_an_old_key_are_read_after_rotation(any_db: OpenDb, clock: Clock) -> None:
    old, new = KEY, bytes(range(100, 132))
    number = book_on(any_db, clock, [old]).submit(draft()).number
    assert book_on(any_db, clock, [new, old]).values(number, "session-a") == draft().values
    with pytest.raises(FieldCipherError, match="not configured"):
        book_on(any_db, clock, [new]).values(number, "session-a")


def test_fields_are_shown_only_to_the_submitting_session_and_staff(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    number = book.submit(bundle()).number
    owner, stranger, anonymous = book.get(number, "session-a"), book.get(number, "session-b"), book.get(number, None)
    staff = book.get(number, None, staff="坐席01")
    assert owner is not None and stranger is not None and anonymous is not None and staff is not None
    assert owner.members[0].fields == staff.members[0].fields == draft().display
    for hidden in (stranger, anonymous):
        assert hidden.fields is None and all(m.fields is None for m in hidden.members)
        assert (hidden.number, hidden.status_label, hidden.subject_name) == (number, "已提交", "出生一件事")
    member = owner.members[0].number
    assert book.values(member, None, staff="坐席01") == draft().values
    with pytest.raises(AccessDenied):
        book.values(member, "session-b")
    assert book.get("GA20261123-999999", "session-a") is None
    assert book.values("GA20261123-999999", "session-a") is None


def test_a_session_lists_its_own_applications_with_bundle_members_nested(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    single = book.submit(draft("one")).number
    bundled = book.submit(bundle()).number
    book.submit(draft("other", session_id="session-b"))
    listed = book.for_session("session-a")
    assert [(v.number, len(v.members)) for v in listed] == [(single, 0), (bundled, 2)]
    assert all(v.fields is not None for v in listed)
    assert book.for_session("nobody") == []


def test_status_moves_along_the_allowed_path_with_a_history(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    number = book.submit(draft()).number
    path = [(S.accepted, "窗口 3 号"), (S.in_review, "审核员李"), (S.approved, "审核员李"), (S.done, "窗口 3 号")]
    for step, (status, actor) in enumerate(path, start=1):
        clock.now += timedelta(hours=step)
        event = book.advance(number, status, actor, note=f"第{step}步")
        assert (event.to_status, event.actor, event.at) == (status, actor, clock.now)
    history = book.history(number)
    assert [(e.from_status, e.to_status, e.actor, e.note) for e in history] == [
        (None, S.submitted, "applicant", ""),
        (S.submitted, S.accepted, "窗口 3 号", "第1步"),
        (S.accepted, S.in_review, "审核员李", "第2步"),
        (S.in_review, S.approved, "审核员李", "第3步"),
        (S.approved, S.done, "窗口 3 号", "第4步"),
    ]
    assert [e.at for e in history] == sorted(e.at for e in history)
    view = book.get(number, None)
    assert view is not None and (view.status, view.status_label) == (S.done, "已办结")


def test_a_rejected_application_can_only_be_closed(any_db: OpenDb, clock: Clock) -> None:
    book = book_on(any_db, clock)
    number = book.submit(draft()).number
    for status in (S.accepted, S.in_review, S.rejected):
        book.advance(number, status, "审核员李")
    with pytest.raises(IllegalStatusChange):
        book.advance(number, S.approved, "审核员李")
    book.advance(number, S.done, "窗口 3 号")
    assert [e.to_status for e in book.history(number)][-2:] == [S.rejected, S.done]


@pytest.mark.parametrize(
    ("reach", "illegal"),
    [
        ([], S.approved),
        ([], S.done),
        ([], S.submitted),
        ([S.accepted], S.accepted),
        ([S.accepted, S.in_review], S.accepted),
        ([S.accepted, S.in_review, S.approved, S.done], S.in_review),
    ],
)
def test_an_illegal_status_change_is_refused_and_leaves_no_trace(
    sqlite_db: OpenDb, clock: Clock, reach: list[ApplicationStatus], illegal: ApplicationStatus
) -> None:
    book = book_on(sqlite_db, clock)
    number = book.submit(draft()).number
    for status in reach:
        book.advance(number, status, "staff")
    before = book.history(number)
    with pytest.raises(IllegalStatusChange, match=re.escape(f"→ {illegal.value}")):
        book.advance(number, illegal, "staff")
    assert book.history(number) == before
    view = book.get(number, None)
    assert view is not None and view.status == (reach[-1] if reach else S.submitted)


def test_unknown_numbers_cannot_be_advanced_or_traced(sqlite_db: OpenDb, clock: Clock) -> None:
    book = book_on(sqlite_db, clock)
    with pytest.raises(UnknownApplication):
        book.advance("GA20261123-000001", S.accepted, "staff")
    with pytest.raises(UnknownApplication):
        book.history("GA20261123-000001")


def test_every_status_has_a_chinese_label_and_is_reachable() -> None:
    labels = load_status_labels()
    assert set(labels) == set(ApplicationStatus)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", label) for label in labels.values())
    reachable, frontier = {S.submitted}, [S.submitted]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()] - reachable:
            reachable.add(nxt)
            frontier.append(nxt)
    assert reachable == set(ApplicationStatus) and TRANSITIONS[S.done] == frozenset()


@pytest.mark.parametrize(
    "bad",
    [
        replace(bundle(), members=[]),
        replace(draft(), members=[draft("m")]),
        replace(bundle(), members=[bundle("inner")]),
    ],
    ids=["bundle-without-members", "service-with-members", "bundle-in-bundle"],
)
def test_malformed_drafts_are_refused_before_anything_is_stored(sqlite_db: OpenDb, clock: Clock, bad: ApplicationDraft) -> None:
    book = book_on(sqlite_db, clock)
    with pytest.raises(ValueError):
        book.submit(bad)
    assert book.for_session("session-a") == []
