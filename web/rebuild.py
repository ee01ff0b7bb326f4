"""Rebuilding after knowledge-base edits, in the background, and every worker picking the result up.

An admin's "rebuild" records a job in the database and builds a new Runtime in a thread of the worker
that received it; the old runtime keeps serving until the new one is swapped in. Other workers (and
other servers on the same database and data directory) poll the jobs table and, once a newer job is
done, load the same index from disk — it is cached under a fingerprint of the edits — and swap too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import reading, writing
from assistant.records import RebuildJobRow
from assistant.services import Services
from web.runtime import Runtime, build_runtime, install

log = logging.getLogger(__name__)

# A job still "running" after this long belongs to a worker that died mid-build; it no longer blocks.
STALE_AFTER = timedelta(minutes=30)
# Stages a build reports, with the share of the work done when each starts.
_STAGES = {"loading": 0.05, "training": 0.15, "indexing": 0.5, "swapping": 0.95}


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


class Rebuilder:
    def __init__(self, app: FastAPI, services: Services,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._app = app
        self._services = services
        self._settings = services.settings
        self._database: sessionmaker[Session] = services.database
        self._edits = services.kb_edits
        self._clock = clock
        self._lock = threading.Lock()  # one build at a time in this worker

    def served_version(self) -> int:
        """The version the latest finished rebuild made live (0: the files alone)."""
        job = self._latest(done_only=True)
        return job.kb_version if job else 0

    def latest(self) -> RebuildJob | None:
        return self._latest(done_only=False)

    def start(self, actor: str) -> RebuildJob:
        """Record a job and build in a thread; refused while another build is running anywhere."""
        with writing(self._database) as session:
            running = session.scalars(select(RebuildJobRow).where(RebuildJobRow.state == "running")).all()
            if any(self._clock() - r.started_at < STALE_AFTER for r in running):
                raise RebuildRunning()
            row = RebuildJobRow(actor=actor, state="running", stage="loading", progress=0.0,
                                kb_version=self._edits.version(), started_at=self._clock())
            session.add(row)
            session.flush()
            job = _job(row)
        threading.Thread(target=self._run, args=(job,), name=f"rebuild-{job.id}", daemon=True).start()
        return job

    def _run(self, job: RebuildJob) -> None:
        with self._lock:
            try:
                self._progress(job.id, "loading")
                runtime = build_runtime(self._services, job.kb_version,
                                        report=lambda message: self._progress(job.id, _stage_of(message)))
                self._progress(job.id, "swapping")
                install(self._app, runtime)
                self._finish(job.id, None)
            except Exception as error:  # the old runtime keeps serving; the job says what went wrong
                log.exception("rebuild %s failed", job.id)
                self._finish(job.id, f"{type(error).__name__}: {error}")

    def refresh_if_behind(self) -> bool:
        """Swap in the newest finished rebuild if this worker serves an older one; True if it did."""
        wanted = self.served_version()
        current: Runtime = self._app.state.runtime
        if wanted == current.kb_version or not self._lock.acquire(blocking=False):
            return False
        try:
            install(self._app, build_runtime(self._services, wanted))
            return True
        finally:
            self._lock.release()

    async def poll(self) -> None:
        """Runs for the life of the worker (started in the lifespan)."""
        while True:
            await asyncio.sleep(self._settings.rebuild_poll_seconds)
            try:
                await asyncio.to_thread(self.refresh_if_behind)
            except Exception:  # a failed refresh must not stop the polling; the next round retries
                log.exception("refreshing the knowledge base failed")

    def _progress(self, job_id: int, stage: str) -> None:
        with writing(self._database) as session:
            row = session.get(RebuildJobRow, job_id)
            if row is not None and stage in _STAGES and _STAGES[stage] >= row.progress:
                row.stage, row.progress = stage, _STAGES[stage]

    def _finish(self, job_id: int, error: str | None) -> None:
        with writing(self._database) as session:
            row = session.get(RebuildJobRow, job_id)
            assert row is not None
            row.state = "failed" if error else "done"
            row.stage = row.state
            row.progress = row.progress if error else 1.0
            row.error = error
            row.finished_at = self._clock()

    def _latest(self, done_only: bool) -> RebuildJob | None:
        query = select(RebuildJobRow).order_by(RebuildJobRow.id.desc()).limit(1)
        if done_only:
            query = query.where(RebuildJobRow.state == "done")
        with reading(self._database) as session:
            row = session.scalars(query).first()
            return None if row is None else _job(row)


def _stage_of(message: str) -> str:
    """The stage a pipeline report announces (it prints what it is about to build)."""
    if "index" in message:
        return "indexing"
    if "train" in message or "encoder" in message:
        return "training"
    return ""


def _job(row: RebuildJobRow) -> RebuildJob:
    return RebuildJob(id=row.id, actor=row.actor, state=row.state, stage=row.stage, progress=row.progress,
                      kb_version=row.kb_version, started_at=row.started_at, finished_at=row.finished_at,
                      error=row.error)
