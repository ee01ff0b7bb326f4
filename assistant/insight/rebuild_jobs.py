"""The log of knowledge-base rebuilds: one row per job, its stage and progress, shared by every worker.

web/rebuild.py runs the builds and swaps them in; this module is the only one that reads or writes
the rebuild_jobs table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.db import reading, writing
from assistant.insight.tables import RebuildJobRow

# A job still "running" after this long belongs to a worker that died mid-build; it no longer blocks.
STALE_AFTER = timedelta(minutes=30)
# Stages a build reports, with the share of the work done when each starts.
STAGES = {"loading": 0.05, "training": 0.15, "indexing": 0.5, "swapping": 0.95}


class RebuildRunning(RuntimeError):
    pass


@dataclass(frozen=True)
class RebuildJob:
    id: int
    actor: str
    state: str  # running | done | failed
    stage: str
    progress: float
    kb_version: int
    started_at: datetime
    finished_at: datetime | None
    error: str | None


class RebuildJobs:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def start(self, actor: str, kb_version: int) -> RebuildJob:
        """Record a running job; refused while another build is running anywhere (and not stale)."""
        with writing(self._sessions) as session:
            running = session.scalars(select(RebuildJobRow).where(RebuildJobRow.state == "running")).all()
            if any(self._clock() - r.started_at < STALE_AFTER for r in running):
                raise RebuildRunning()
            row = RebuildJobRow(actor=actor, state="running", stage="loading", progress=0.0,
                                kb_version=kb_version, started_at=self._clock())
            session.add(row)
            session.flush()
            return _job(row)

    def progress(self, job_id: int, stage: str) -> None:
        """Move a job to a known stage; progress never goes back."""
        with writing(self._sessions) as session:
            row = session.get(RebuildJobRow, job_id)
            if row is not None and stage in STAGES and STAGES[stage] >= row.progress:
                row.stage, row.progress = stage, STAGES[stage]

    def finish(self, job_id: int, error: str | None) -> None:
        with writing(self._sessions) as session:
            row = session.get(RebuildJobRow, job_id)
            assert row is not None
            row.state = "failed" if error else "done"
            row.stage = row.state
            row.progress = row.progress if error else 1.0
            row.error = error
            row.finished_at = self._clock()

    def latest(self, done_only: bool) -> RebuildJob | None:
        query = select(RebuildJobRow).order_by(RebuildJobRow.id.desc()).limit(1)
        if done_only:
            query = query.where(RebuildJobRow.state == "done")
        with reading(self._sessions) as session:
            row = session.scalars(query).first()
            return None if row is None else _job(row)


def _job(row: RebuildJobRow) -> RebuildJob:
    return RebuildJob(id=row.id, actor=row.actor, state=row.state, stage=row.stage, progress=row.progress,
                      kb_version=row.kb_version, started_at=row.started_at, finished_at=row.finished_at,
                      error=row.error)
