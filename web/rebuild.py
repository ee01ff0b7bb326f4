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
from datetime import UTC, datetime

from fastapi import FastAPI

from assistant.insight.rebuild_jobs import RebuildJob, RebuildJobs
from assistant.services import Services
from web.runtime import Runtime, build_runtime, install

log = logging.getLogger(__name__)


class Rebuilder:
    def __init__(self, app: FastAPI, services: Services,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._app = app
        self._services = services
        self._settings = services.settings
        self._edits = services.kb_edits
        self._jobs = RebuildJobs(services.database, clock)
        self._lock = threading.Lock()  # one build at a time in this worker

    def served_version(self) -> int:
        """The version the latest finished rebuild made live (0: the files alone)."""
        job = self._latest(done_only=True)
        return job.kb_version if job else 0

    def latest(self) -> RebuildJob | None:
        return self._latest(done_only=False)

    def start(self, actor: str) -> RebuildJob:
        """Record a job and build in a thread; refused while another build is running anywhere."""
        job = self._jobs.start(actor, self._edits.version())
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
        self._jobs.progress(job_id, stage)

    def _finish(self, job_id: int, error: str | None) -> None:
        self._jobs.finish(job_id, error)

    def _latest(self, done_only: bool) -> RebuildJob | None:
        return self._jobs.latest(done_only)


def _stage_of(message: str) -> str:
    """The stage a pipeline report announces (it prints what it is about to build)."""
    if "index" in message:
        return "indexing"
    if "train" in message or "encoder" in message:
        return "training"
    return ""
