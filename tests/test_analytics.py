"""The dashboard's figures, from turn events, applications and ratings written at fixed times, on
SQLite and on PostgreSQL (the day of a timestamp is computed by each database in its own SQL).

Days are Beijing days: 23:30 on the 23rd counts on the 23rd, 00:10 on the 24th on the 24th, although
both are the 23rd in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from persistence_support import any_db  # noqa: F401 (fixture)

from assistant.dialogue.turn_log import TurnEvent, TurnLog
from assistant.insight.analytics import Analytics
from assistant.insight.analytics_models import BadRange, DateRange
from assistant.storage.db import writing
from assistant.storage.personal_tables import ApplicationRow, FeedbackRow

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=BEIJING)
DAY = DateRange(start=date(2026, 11, 23), end=date(2026, 11, 24))
TWO_DAYS = DateRange(start=date(2026, 11, 23), end=date(2026, 11, 25))
NAMES = {"sscard-apply": "社会保障卡申领", "passport": "普通护照签发"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING)


class Writer:
    def __init__(self, database) -> None:
        self.database = database
        self.log = TurnLog(database)

    def turns(self, session: str, when: datetime, channel: str, steps: list[tuple], subject: str | None = None) -> None:
        """steps: (state_before, state_after, decision, confidence, latency_ms[, application_number])."""
        for i, (before, after, decision, confidence, latency, *number) in enumerate(steps):
            self.log.record(TurnEvent(
                session_id=session, at=when + timedelta(minutes=i), channel=channel, state_before=before,
                state_after=after, subject_id=subject, text_masked=f"{session}-{i}", reply_masked="好的",
                latency_ms=latency, decision=decision, confidence=confidence,
                candidates=[{"id": subject, "score": confidence}] if decision else [],
                application_number=number[0] if number else None,
            ))

    def application(self, number: str, session: str, subject: str, when: datetime) -> None:
        with writing(self.database) as db:
            db.add(ApplicationRow(number=number, kind="apply", subject_id=subject, subject_name=NAMES[subject], dept="人社局",
                                  session_id=session, form_id=f"form-{number}", status="submitted", created_at=when,
                                  expected_date=None, values_json={}, display_json={}, deferred_materials=[]))

    def rating(self, session: str, rating: int, when: datetime, number: str | None = None) -> None:
        with writing(self.database) as db:
            db.add(FeedbackRow(session_id=session, application_number=number, rating=rating, comment="", created_at=when))


@pytest.fixture
def analytics(any_db) -> Analytics:
    database = any_db()
    w = Writer(database)
    # A: routed, consented, filled, confirmed, submitted — five turns, by text.
    w.turns("A", at(23, 10), "text", [
        ("idle", "consent", "route", 0.91, 120.0), ("consent", "filling", None, None, 40.0),
        ("filling", "confirming", None, None, 60.0), ("confirming", "submitted", None, None, 900.0, "GA20261123-000001"),
    ], subject="sscard-apply")
    w.application("GA20261123-000001", "A", "sscard-apply", at(23, 10, 3))
    # B: routed by voice, declined consent.
    w.turns("B", at(23, 11), "voice", [("idle", "consent", "route", 0.72, 80.0), ("consent", "idle", None, None, 30.0)],
            subject="passport")
    # C: out of scope, then handed to a person; at 23:30 Beijing (15:30 UTC).
    w.turns("C", at(23, 23, 30), "copilot", [("idle", "idle", "none", 0.12, 50.0), ("idle", "handoff", None, None, 20.0)])
    # D: asked which one, on the next Beijing day (the 23rd in UTC).
    w.turns("D", at(24, 0, 10), "text", [("idle", "clarifying", "clarify", 0.55, 70.0)], subject=None)
    w.rating("A", 5, at(23, 10, 5), "GA20261123-000001")
    w.rating("B", 2, at(23, 11, 5))  # no application: the conversation's service
    w.rating("C", 1, at(24, 9))  # the next day
    return Analytics(database, clock=lambda: NOW)


def test_volume_is_counted_per_beijing_day_and_channel(analytics):
    report = analytics.report(TWO_DAYS, NAMES.get)
    first, second = report.volume_by_day
    assert (first.day, first.text, first.voice, first.copilot, first.total) == (date(2026, 11, 23), 4, 2, 2, 8)
    assert (second.day, second.text, second.voice, second.copilot) == (date(2026, 11, 24), 1, 0, 0)
    assert (report.totals.turns, report.totals.sessions, report.totals.applications) == (9, 4, 1)


def test_a_range_excludes_its_end_day(analytics):
    report = analytics.report(DAY, NAMES.get)
    assert [v.day for v in report.volume_by_day] == [date(2026, 11, 23)]
    assert report.totals.sessions == 3 and report.rates.clarification == 0.0


def test_volume_by_service_counts_turns_and_conversations(analytics):
    volume = analytics.report(TWO_DAYS, NAMES.get).volume_by_service
    assert [(v.id, v.name, v.turns, v.sessions) for v in volume] == [
        ("sscard-apply", "社会保障卡申领", 4, 1), ("passport", "普通护照签发", 2, 1)]  # most used first


def test_the_funnel_counts_conversations_by_the_furthest_step_reached(analytics):
    report = analytics.report(TWO_DAYS, NAMES.get)
    overall = report.funnel
    assert (overall.routed, overall.consent, overall.filled, overall.confirmed, overall.submitted) == (2, 2, 1, 1, 1)
    by_service = {f.id: f for f in report.funnel_by_service}
    assert (by_service["sscard-apply"].consent, by_service["sscard-apply"].submitted) == (1, 1)
    assert (by_service["passport"].routed, by_service["passport"].consent, by_service["passport"].filled) == (1, 1, 0)


def test_rates_and_turns_to_submission(analytics):
    rates = analytics.report(TWO_DAYS, NAMES.get).rates
    assert rates.routed_turns == 4
    assert (rates.clarification, rates.out_of_scope) == (0.25, 0.25)
    assert rates.handoff == 0.25  # one conversation in four
    assert (rates.submissions, rates.mean_turns_to_submission) == (1, 4.0)


def test_ratings_go_to_the_application_or_the_conversations_service(analytics):
    ratings = {r.id: r for r in analytics.report(TWO_DAYS, NAMES.get).ratings}
    assert (ratings["sscard-apply"].count, ratings["sscard-apply"].mean, ratings["sscard-apply"].stars) == (1, 5.0, [0, 0, 0, 0, 1])
    assert ratings["passport"].stars == [0, 1, 0, 0, 0]
    assert ratings[None].stars == [1, 0, 0, 0, 0]  # C talked about no service
    assert None not in {r.id for r in analytics.report(DAY, NAMES.get).ratings}  # rated the next day


def test_confidence_histogram_has_ten_bins_over_routed_turns(analytics):
    bins = analytics.report(TWO_DAYS, NAMES.get).confidence
    assert len(bins) == 10 and (bins[0].low, bins[-1].high) == (0.0, 1.0)
    assert [b.count for b in bins] == [0, 1, 0, 0, 0, 1, 0, 1, 0, 1]


def test_slowest_turns_come_first_with_masked_text(analytics):
    slowest = analytics.report(TWO_DAYS, NAMES.get).slowest
    assert [s.latency_ms for s in slowest[:3]] == [900.0, 120.0, 80.0]
    assert slowest[0].text == "A-3" and slowest[0].name == "社会保障卡申领"
    assert len(slowest) == 9


def test_an_empty_range_reports_zeros_not_errors(analytics):
    report = analytics.report(DateRange(start=date(2025, 1, 1), end=date(2025, 1, 3)), NAMES.get)
    assert [v.total for v in report.volume_by_day] == [0, 0]
    assert report.funnel.routed == 0 and report.rates.clarification is None and report.rates.mean_turns_to_submission is None
    assert report.ratings == [] and report.slowest == [] and sum(b.count for b in report.confidence) == 0


def test_the_default_range_is_the_last_seven_days_up_to_today(analytics):
    span = analytics.range(None, None)
    assert (span.start, span.end) == (date(2026, 11, 19), date(2026, 11, 26))
    assert analytics.range("2026-11-01", None).start == date(2026, 11, 1)


@pytest.mark.parametrize(("start", "end", "code"), [
    ("2026-13-01", "2026-12-02", "bad_date"), ("yesterday", None, "bad_date"),
    ("2026-11-24", "2026-11-24", "range_empty"), ("2024-01-01", "2026-01-01", "range_too_long"),
])
def test_ranges_that_are_not_ranges_are_refused(analytics, start, end, code):
    with pytest.raises(BadRange) as refused:
        analytics.range(start, end)
    assert refused.value.code == code


def test_every_work_order_created_in_the_range_counts_whether_from_a_conversation_or_a_call(any_db):
    from assistant.cases.workorder_status import WorkOrderType
    from assistant.cases.workorders import CITIZEN, WorkOrderBook, WorkOrderDraft
    from assistant.privacy.crypto import FieldCipher

    database = any_db()
    now = [at(23, 10)]
    orders = WorkOrderBook(database, FieldCipher([bytes(range(32))]), clock=lambda: now[0])
    for when, session, by in ((at(23, 10), "A", CITIZEN), (at(23, 23, 30), None, "agent1"), (at(24, 0, 10), None, "agent1")):
        now[0] = when  # the report from conversation A; two calls taken in the copilot, the second the next day
        orders.create(WorkOrderDraft(type=WorkOrderType.help, summary="路灯不亮", created_by=by, session_id=session))
    analytics = Analytics(database, clock=lambda: NOW)
    day = analytics.report(DAY, NAMES.get).totals
    both = analytics.report(TWO_DAYS, NAMES.get).totals
    assert (day.work_orders, both.work_orders) == (2, 3)  # 23:30 Beijing is still the 23rd
    assert (day.work_orders_from_chat, both.work_orders_from_chat) == (1, 1)
