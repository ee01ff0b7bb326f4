"""The operator dashboard's queries over turn_events, applications, feedback and work_orders.

Each figure is one or two aggregate queries run by the database (SQLite or PostgreSQL), over a range
of Beijing-time days. The funnel counts conversations by the furthest state they reached for a
service (see assistant/dialogue/states.py): routed → consent → filling → confirming → submitted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, case, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement

from assistant.common.clock import local_now
from assistant.dialogue.states import State
from assistant.dialogue.turn_log import CHANNELS
from assistant.insight.analytics_models import (
    LOCAL_OFFSET_HOURS,
    LOCAL_ZONE,
    ConfidenceBin,
    DateRange,
    DayVolume,
    Funnel,
    Rates,
    Report,
    ServiceRating,
    ServiceVolume,
    SlowTurn,
    Totals,
)
from assistant.storage.db import reading
from assistant.storage.personal_tables import ApplicationRow, FeedbackRow, TurnEventRow, WorkOrderRow

SLOWEST = 20
BINS = 10
# The funnel's steps, each the furthest state a conversation reached for one service.
STEPS = ("routed", "consent", "filled", "confirmed", "submitted")
_STEP_OF_STATE = {State.consent: 2, State.filling: 3, State.confirming: 4, State.submitted: 5}

NameOf = Callable[[str], str]


class local_day(FunctionElement[str]):
    """The Beijing-time day (YYYY-MM-DD) of a UTC timestamp column, computed by the database."""

    type = String()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+{LOCAL_OFFSET_HOURS} hours')"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element: local_day, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} + interval '{LOCAL_OFFSET_HOURS} hours', 'YYYY-MM-DD')"


def _step() -> ColumnElement[int]:
    t = TurnEventRow
    whens = [(t.state_after == state.value, step) for state, step in sorted(_STEP_OF_STATE.items(), key=lambda i: -i[1])]
    return case(*whens, (t.decision == "route", 1), else_=0)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class Analytics:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = local_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def today(self) -> date:
        return self._clock().astimezone(LOCAL_ZONE).date()

    def range(self, start: str | None, end: str | None) -> DateRange:
        """The range asked for, or the last days up to today (BadRange when it is not a range)."""
        return DateRange.parse(start, end, self.today())

    def report(self, span: DateRange, name_of: NameOf = str) -> Report:
        with reading(self._sessions) as db:
            q = _Queries(db, span, name_of)
            return Report(range=span, totals=q.totals(), volume_by_day=q.volume_by_day(),
                          volume_by_service=q.volume_by_service(), funnel=q.funnel(), funnel_by_service=q.funnel_by_service(),
                          rates=q.rates(), ratings=q.ratings(), confidence=q.confidence(), slowest=q.slowest())


class _Queries:
    """The queries of one report: one database session, one range."""

    def __init__(self, db: Session, span: DateRange, name_of: NameOf) -> None:
        self.db = db
        self.days = span.days()
        self.start, self.end = span.bounds()
        self.name_of = name_of

    def _turns(self, *columns: Any) -> Select[Any]:
        t = TurnEventRow
        return select(*columns).where(t.at >= self.start, t.at < self.end)

    def totals(self) -> Totals:
        t, a, w = TurnEventRow, ApplicationRow, WorkOrderRow
        turns, sessions = self.db.execute(self._turns(func.count(), func.count(distinct(t.session_id)))).one()
        applications = self.db.scalar(select(func.count()).where(
            a.created_at >= self.start, a.created_at < self.end, a.parent_number.is_(None)))
        # Every order made in the range: filed from a conversation (it names its session) or taken by
        # staff on a call (it names none). Counting only the first left the copilot's orders out.
        orders, from_chat = self.db.execute(select(func.count(), func.count(w.session_id)).where(
            w.created_at >= self.start, w.created_at < self.end)).one()
        return Totals(turns=turns, sessions=sessions, applications=applications or 0, work_orders=orders,
                      work_orders_from_chat=from_chat)

    def volume_by_day(self) -> list[DayVolume]:
        t = TurnEventRow
        day = local_day(t.at)
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for d, channel, n in self.db.execute(self._turns(day, t.channel, func.count()).group_by(day, t.channel)):
            counts[d][channel] = n
        return [DayVolume(day=d, **{c: counts[d.isoformat()].get(c, 0) for c in CHANNELS}) for d in self.days]

    def volume_by_service(self) -> list[ServiceVolume]:
        t = TurnEventRow
        rows = self.db.execute(
            self._turns(t.subject_id, func.count(), func.count(distinct(t.session_id)))
            .where(t.subject_id.is_not(None)).group_by(t.subject_id)
        )
        found = [ServiceVolume(id=sid, name=self.name_of(sid), turns=n, sessions=s) for sid, n, s in rows]
        return sorted(found, key=lambda v: (-v.sessions, -v.turns, v.id))

    def _furthest(self, *keys: Any) -> Any:
        """(keys…, furthest step) per conversation (and per service when keyed by it)."""
        t = TurnEventRow
        return self._turns(*keys, func.max(_step()).label("step")).group_by(t.session_id, *keys).subquery()

    def funnel(self) -> Funnel:
        furthest = self._furthest()
        steps: dict[int, int] = dict(self.db.execute(select(furthest.c.step, func.count()).group_by(furthest.c.step)).all())
        return _funnel(None, "", steps)

    def funnel_by_service(self) -> list[Funnel]:
        t = TurnEventRow
        furthest = self._furthest(t.subject_id)
        rows = self.db.execute(
            select(furthest.c.subject_id, furthest.c.step, func.count())
            .where(furthest.c.subject_id.is_not(None)).group_by(furthest.c.subject_id, furthest.c.step)
        )
        by_subject: dict[str, dict[int, int]] = defaultdict(dict)
        for sid, step, n in rows:
            by_subject[sid][step] = n
        found = [_funnel(sid, self.name_of(sid), steps) for sid, steps in by_subject.items()]
        return sorted((f for f in found if f.routed), key=lambda f: (-f.routed, -f.submitted, f.id or ""))

    def rates(self) -> Rates:
        t = TurnEventRow
        decisions: dict[str, int] = dict(self.db.execute(
            self._turns(t.decision, func.count()).where(t.decision.is_not(None)).group_by(t.decision)).all())
        routed = sum(decisions.values())
        sessions, handed = self.db.execute(self._turns(
            func.count(distinct(t.session_id)),
            func.count(distinct(case((t.state_after == State.handoff.value, t.session_id)))),
        )).one()
        submissions, mean_turns = self._turns_to_submission()
        return Rates(routed_turns=routed, clarification=_rate(decisions.get("clarify", 0), routed),
                     out_of_scope=_rate(decisions.get("none", 0), routed), handoff=_rate(handed, sessions),
                     submissions=submissions, mean_turns_to_submission=mean_turns)

    def _turns_to_submission(self) -> tuple[int, float | None]:
        """Conversations whose first submission falls in the range, and the mean turns it took them
        (every turn of the conversation up to and including that one, even those before the range)."""
        t = TurnEventRow
        first = (self._turns(t.session_id, func.min(t.id).label("first_id"))
                 .where(t.state_after == State.submitted.value, t.state_before != State.submitted.value)
                 .group_by(t.session_id).subquery())
        sessions, turns = self.db.execute(
            select(func.count(distinct(first.c.session_id)), func.count(t.id))
            .select_from(first).join(t, (t.session_id == first.c.session_id) & (t.id <= first.c.first_id))
        ).one()
        return sessions, (round(turns / sessions, 2) if sessions else None)

    def ratings(self) -> list[ServiceRating]:
        f, a, t = FeedbackRow, ApplicationRow, TurnEventRow
        # A rating names its application when there was one; otherwise the conversation's last subject.
        conversation_subject = (select(t.subject_id).where(t.session_id == f.session_id, t.subject_id.is_not(None))
                                .order_by(t.id.desc()).limit(1).scalar_subquery())
        rated = (select(func.coalesce(a.subject_id, conversation_subject).label("subject_id"), f.rating)
                 .select_from(f).outerjoin(a, a.number == f.application_number)
                 .where(f.created_at >= self.start, f.created_at < self.end).subquery())
        stars: dict[str | None, list[int]] = defaultdict(lambda: [0] * 5)
        for sid, rating, n in self.db.execute(
            select(rated.c.subject_id, rated.c.rating, func.count()).group_by(rated.c.subject_id, rated.c.rating)
        ):
            if 1 <= rating <= 5:
                stars[sid][rating - 1] = n
        found = [
            ServiceRating(id=sid, name=self.name_of(sid) if sid else "", count=sum(counts),
                          mean=round(sum((i + 1) * n for i, n in enumerate(counts)) / sum(counts), 2), stars=counts)
            for sid, counts in stars.items()
        ]
        return sorted(found, key=lambda r: (-r.count, r.id or ""))

    def confidence(self) -> list[ConfidenceBin]:
        t = TurnEventRow
        edges = [i / BINS for i in range(BINS + 1)]
        # A CASE rather than floor(): PostgreSQL rounds a float cast to integer, SQLite truncates.
        bin_of = case(*((t.confidence < edges[i + 1], i) for i in range(BINS - 1)), else_=BINS - 1)
        counts: dict[int, int] = dict(self.db.execute(
            self._turns(bin_of, func.count()).where(t.confidence.is_not(None)).group_by(bin_of)).all())
        return [ConfidenceBin(low=edges[i], high=edges[i + 1], count=counts.get(i, 0)) for i in range(BINS)]

    def slowest(self) -> list[SlowTurn]:
        t = TurnEventRow
        rows = self.db.scalars(self._turns(t).order_by(t.latency_ms.desc(), t.id).limit(SLOWEST))
        return [SlowTurn(id=r.id, at=r.at, channel=r.channel, subject_id=r.subject_id,
                         name=self.name_of(r.subject_id) if r.subject_id else "", state_after=r.state_after,
                         latency_ms=r.latency_ms, text=r.text_masked, reply=r.reply_masked) for r in rows]


def _funnel(subject_id: str | None, name: str, steps: dict[int, int]) -> Funnel:
    """Counts per furthest step → conversations that reached at least each step."""
    reached = {name: sum(n for step, n in steps.items() if step >= i) for i, name in enumerate(STEPS, start=1)}
    return Funnel(id=subject_id, name=name, **reached)
