"""Builds the Assistant from settings: a thin wrapper over build_services (assistant/services.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from assistant.common.clock import local_now
from assistant.dialogue.context import Routes
from assistant.dialogue.engine import Assistant
from assistant.services import build_services
from knowledge.base import KnowledgeBase
from settings import Settings


def build_assistant(
    settings: Settings,
    kb: KnowledgeBase,
    router: Routes,
    clock: Callable[[], datetime] = local_now,
    database: sessionmaker[Session] | None = None,
) -> Assistant:
    """`database`: an already opened one to share; otherwise opened from settings. `router`: any router,
    a stand-in included (the dialogue tests route with a stub)."""
    return build_services(settings, kb=kb, clock=clock, database=database).assistant_for(kb, router)
