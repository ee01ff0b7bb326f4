"""Builds the Assistant from settings: knowledge base, router, database, field cipher and the books."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from assistant.applicant_links import ApplicantLinks
from assistant.applications import ApplicationBook
from assistant.case_access import FAILURE_WINDOW_S, FAILURES_PER_NUMBER, CaseAccess
from assistant.clock import local_now
from assistant.context import Routes
from assistant.crypto import cipher_from_settings
from assistant.db import open_database
from assistant.engine import Assistant
from assistant.handoff_queue import HandoffQueue, ServiceHours
from assistant.hit_counter import HitCounter
from assistant.session_keys import rekey_stored, session_keys_from_settings
from assistant.session_store import SessionStore
from assistant.turn_log import TurnLog
from assistant.workorders import WorkOrderBook
from knowledge.base import KnowledgeBase
from settings import Settings


def build_assistant(
    settings: Settings,
    kb: KnowledgeBase,
    router: Routes,
    clock: Callable[[], datetime] = local_now,
    database: sessionmaker[Session] | None = None,
) -> Assistant:
    """`database`: an already opened one to share (the server's); otherwise opened from settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = database or open_database(settings.resolved_database_url)
    cipher = cipher_from_settings(settings)
    keys = session_keys_from_settings(settings)
    rekey_stored(database, keys)  # tokens older versions stored raw: a no-op once done
    book = ApplicationBook(database, cipher, clock)
    orders = WorkOrderBook(database, cipher, clock)
    handoffs = HandoffQueue(database, cipher, clock, ServiceHours.parse(settings.handoff_hours, settings.handoff_days),
                            timedelta(seconds=settings.handoff_wait_seconds))
    return Assistant(kb, router, SessionStore(database), book, orders, cipher, clock, recorder=TurnLog(database),
                     links=ApplicantLinks(database, cipher), handoffs=handoffs,
                     cases=CaseAccess(book, orders, HitCounter(database, FAILURES_PER_NUMBER, FAILURE_WINDOW_S)), keys=keys)
