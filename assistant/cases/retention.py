"""Retention: conversations are kept while in use, personal values of closed cases for a fixed time.

`purge` deletes conversations idle longer than `session_retention_days`, and replaces by a tombstone
the personal values of applications and work orders closed (their last status change) longer ago than
`personal_data_retention_days` — the records keep their number, service and status. It works in
batches, one transaction each with its audit event, so an interrupted purge loses nothing and the
next run goes on where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.cases.application_status import ApplicationStatus
from assistant.cases.workorder_status import WorkOrderStatus
from assistant.privacy.audit import Action, AuditLog
from assistant.privacy.personal_data import RETENTION, forget_handoffs, scrub_application, scrub_work_order
from assistant.storage.db import reading, writing
from assistant.cases.tables import ApplicationEventRow
from assistant.privacy.tables import ErasureRow
from assistant.storage.personal_tables import ApplicationRow, SessionRow, WorkOrderEventRow, WorkOrderRow
from knowledge.models import SubjectKind
from settings import Settings

ACTOR = "system:retention"
BATCH = 500
# A case is closed when nothing more can happen to it but a final "done".
CLOSED_APPLICATION = (ApplicationStatus.done.value, ApplicationStatus.rejected.value)
CLOSED_ORDER = (WorkOrderStatus.closed.value,)


@dataclass(frozen=True)
class RetentionPolicy:
    session_days: int
    personal_data_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(settings.session_retention_days, settings.personal_data_retention_days)


@dataclass
class PurgeReport:
    dry_run: bool
    sessions: int = 0
    applications: list[str] = field(default_factory=list)
    work_orders: list[str] = field(default_factory=list)


def _not_erased(number_column: Any) -> Any:
    return ~exists().where(ErasureRow.number == number_column)


def _old_applications(cutoff: datetime) -> Select:
    last = (select(ApplicationEventRow.application_id, func.max(ApplicationEventRow.at).label("last"))
            .group_by(ApplicationEventRow.application_id).subquery())
    return (select(ApplicationRow).join(last, last.c.application_id == ApplicationRow.id)
            .where(ApplicationRow.status.in_(CLOSED_APPLICATION), last.c.last < cutoff, _not_erased(ApplicationRow.number))
            .order_by(ApplicationRow.id))


def _finished_bundles() -> Select:
    """Bundles whose every member has been scrubbed: the answers asked once for them go too."""
    member = ApplicationRow.__table__.alias("member")
    open_member = exists().where(member.c.parent_number == ApplicationRow.number,
                                 ~exists().where(ErasureRow.number == member.c.number))
    return (select(ApplicationRow).where(ApplicationRow.kind == SubjectKind.bundle.value, ~open_member,
                                         _not_erased(ApplicationRow.number)).order_by(ApplicationRow.id))


def _old_orders(cutoff: datetime) -> Select:
    last = (select(WorkOrderEventRow.work_order_id, func.max(WorkOrderEventRow.at).label("last"))
            .group_by(WorkOrderEventRow.work_order_id).subquery())
    return (select(WorkOrderRow).join(last, last.c.work_order_id == WorkOrderRow.id)
            .where(WorkOrderRow.status.in_(CLOSED_ORDER), last.c.last < cutoff, _not_erased(WorkOrderRow.number))
            .order_by(WorkOrderRow.id))


class Retention:
    def __init__(self, sessions: sessionmaker[Session], policy: RetentionPolicy, audit: AuditLog | None = None,
                 batch: int = BATCH) -> None:
        self._sessions = sessions
        self._policy = policy
        self._audit = audit or AuditLog(sessions)
        self._batch = batch

    def purge(self, now: datetime, dry_run: bool = False) -> PurgeReport:
        """What is past its time as of `now`: removed and scrubbed, or (dry_run) only listed."""
        report = PurgeReport(dry_run)
        idle_since = now - timedelta(days=self._policy.session_days)
        closed_before = now - timedelta(days=self._policy.personal_data_days)
        if dry_run:
            with reading(self._sessions) as session:
                report.sessions = session.scalar(select(func.count()).select_from(SessionRow).where(SessionRow.updated_at < idle_since)) or 0
                report.applications = list(session.scalars(_old_applications(closed_before).with_only_columns(ApplicationRow.number)))
                report.work_orders = list(session.scalars(_old_orders(closed_before).with_only_columns(WorkOrderRow.number)))
            return report
        report.sessions = self._delete_sessions(idle_since, now)
        report.applications = self._scrub(_old_applications(closed_before), ApplicationRow, now, scrub_application)
        report.applications += self._scrub(_finished_bundles(), ApplicationRow, now, scrub_application)
        # The summary stays: it is the case itself (masked when stored), not the caller's details.
        report.work_orders = self._scrub(_old_orders(closed_before), WorkOrderRow, now,
                                         lambda s, row, reason, at: scrub_work_order(s, row, reason, at, summary=False))
        return report

    def _delete_sessions(self, idle_since: datetime, now: datetime) -> int:
        total = 0
        while True:
            with writing(self._sessions) as session:
                ids = list(session.scalars(select(SessionRow.id).where(SessionRow.updated_at < idle_since).limit(self._batch)))
                if not ids:
                    return total
                session.execute(delete(SessionRow).where(SessionRow.id.in_(ids)))
                forget_handoffs(session, ids, now)
                self._audit.record(ACTOR, Action.PURGE, "sessions", {"sessions": len(ids)}, session=session)
                total += len(ids)

    def _scrub(self, query: Select, table: type[ApplicationRow] | type[WorkOrderRow], now: datetime,
               scrub: Callable[[Session, Any, str, datetime], None]) -> list[str]:
        numbers: list[str] = []
        while True:
            with writing(self._sessions) as session:
                # Locks the rows being scrubbed (not the aggregate they were picked by) on PostgreSQL.
                rows = session.scalars(query.limit(self._batch).with_for_update(of=table)).all()
                if not rows:
                    return numbers
                for row in rows:
                    scrub(session, row, RETENTION, now)
                batch = [row.number for row in rows]
                self._audit.record(ACTOR, Action.PURGE, "cases", {"numbers": batch}, session=session)
                numbers += batch
