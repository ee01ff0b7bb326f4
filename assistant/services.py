"""The one place that wires the assistant's parts: database, keys, books, router, assistant and copilot.

`build_services(settings)` returns a `Services`; `govassist serve` (server.py), the CLI commands and the
tests all take what they use from it, so each part is built the same way everywhere. Nothing is built on
import and nothing before it is first asked for: `govassist audit` opens the database and the audit log,
and never loads the knowledge base, the router or a voice model; `govassist ask` loads the router and
opens no database. Each part is built once per `Services` (under a lock, so threads share it).

The server serves from a runtime (web/runtime.py): the knowledge base with operators' edits, its
router, an assistant and a copilot, rebuilt without a restart. It gets the assistant and copilot of each
runtime from `assistant_for` and `copilot_for`, on the books of its one `Services`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from assistant.common.clock import local_now, zoned_clock

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from assistant.cases.applications import ApplicationBook
    from assistant.cases.case_access import CaseAccess
    from assistant.cases.handoff_queue import HandoffQueue
    from assistant.cases.workorders import WorkOrderBook
    from assistant.copilot.suggestions import Copilot
    from assistant.dialogue.context import Routes
    from assistant.dialogue.engine import Assistant
    from assistant.dialogue.session_store import SessionStore
    from assistant.dialogue.turn_log import TurnLog
    from assistant.insight.analytics import Analytics
    from assistant.insight.feedback import FeedbackBook
    from assistant.insight.followups import FollowUps
    from assistant.insight.kb_edits import KbEditLog
    from assistant.insight.labelling import LabelQueue
    from assistant.privacy.audit import AuditLog
    from assistant.privacy.crypto import FieldCipher
    from assistant.privacy.personal_data import PersonalData
    from assistant.privacy.session_keys import SessionKeys
    from assistant.proactive.applicant_links import ApplicantLinks
    from assistant.staff.accounts import StaffDirectory
    from assistant.staff.work_numbers import WorkNumbers
    from assistant.storage.hit_counter import HitCounter
    from intents.router import Router
    from knowledge.base import KnowledgeBase
    from settings import Settings
    from voice.recognise import Recogniser

Clock = Callable[[], datetime]
KbLoader = Callable[["Settings"], "KnowledgeBase"]
RouterLoader = Callable[["Settings", "KnowledgeBase"], "Router"]

# Wrong phone digits counted per client address, across case numbers (web/case_gate.py answers 429 past it).
FAILURES_PER_ADDRESS = 10
ADDRESS_FAILURE_WINDOW_S = 600.0


T = TypeVar("T")


class _part(Generic[T]):
    """A part of Services: built by the method the first time it is read, under the services' lock (so two
    threads never build it twice), then kept. functools.cached_property builds without a lock."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, services: None, owner: type) -> _part[T]: ...
    @overload
    def __get__(self, services: Services, owner: type | None = None) -> T: ...
    def __get__(self, services: Services | None, owner: type | None = None) -> T | _part[T]:
        if services is None:
            return self
        kept = services.__dict__
        if self._name not in kept:
            with services._lock:  # re-entrant: a part may build the parts it is made of
                if self._name not in kept:
                    kept[self._name] = self._build(services)
        return kept[self._name]


def _load_kb(settings: Settings) -> KnowledgeBase:
    from knowledge.base import load_knowledge_base

    return load_knowledge_base(settings.kb_dir, settings.sources_dir)


def _load_router(settings: Settings, kb: KnowledgeBase) -> Router:
    from intents.pipeline import (
        build_router,  # faiss (and torch, only to train) load when a router is built
    )

    return build_router(settings, kb)


@dataclass(frozen=True, eq=False)
class Services:
    """Every part, built on first use and then kept. Build it with `build_services`.

    `clock` is the local clock of the dialogue and of the case books (applications, work orders, the
    handoff queue); the other books keep their own clocks (UTC where they store instants).
    """

    settings: Settings
    clock: Clock = local_now
    load_kb: KbLoader = _load_kb
    load_router: RouterLoader = _load_router
    given_kb: KnowledgeBase | None = None
    given_router: Router | None = None
    given_database: sessionmaker[Session] | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def prepare(self, *parts: str) -> None:
        """Build these parts now rather than on first use (the server opens the database at start, so a
        schema that is not current stops the start, not the first request)."""
        for name in parts:
            if not isinstance(getattr(type(self), name, None), _part):
                raise AttributeError(f"Services has no part {name!r}")
            getattr(self, name)

    def built(self, name: str) -> bool:
        """Whether the part `name` has been built (the knowledge base, the router… stay unbuilt until used)."""
        return name in self.__dict__

    # The database and the keys.

    @_part
    def database(self) -> sessionmaker[Session]:
        if self.given_database is not None:
            return self.given_database
        from assistant.storage.db import open_database

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return open_database(self.settings.resolved_database_url)

    @_part
    def cipher(self) -> FieldCipher:
        from assistant.privacy.crypto import cipher_from_settings

        return cipher_from_settings(self.settings)

    @_part
    def keys(self) -> SessionKeys:
        """The session-token keys; tokens older versions stored raw are re-keyed first (a no-op once done)."""
        from assistant.privacy.session_keys import rekey_stored, session_keys_from_settings

        keys = session_keys_from_settings(self.settings)
        rekey_stored(self.database, keys)
        return keys

    # The books the dialogue writes.

    @_part
    def sessions(self) -> SessionStore:
        from assistant.dialogue.session_store import SessionStore

        return SessionStore(self.database)

    @_part
    def applications(self) -> ApplicationBook:
        from assistant.cases.applications import ApplicationBook

        return ApplicationBook(self.database, self.cipher, self.clock)

    @_part
    def work_orders(self) -> WorkOrderBook:
        from assistant.cases.workorders import WorkOrderBook

        return WorkOrderBook(self.database, self.cipher, self.clock)

    @_part
    def handoffs(self) -> HandoffQueue:
        from assistant.cases.handoff_queue import HandoffQueue, ServiceHours

        hours = ServiceHours.parse(self.settings.handoff_hours, self.settings.handoff_days)
        return HandoffQueue(self.database, self.cipher, self.clock, hours,
                            timedelta(seconds=self.settings.handoff_wait_seconds))

    @_part
    def turn_log(self) -> TurnLog:
        from assistant.dialogue.turn_log import TurnLog

        return TurnLog(self.database)

    @_part
    def applicant_links(self) -> ApplicantLinks:
        from assistant.proactive.applicant_links import ApplicantLinks

        return ApplicantLinks(self.database, self.cipher)

    @_part
    def cases(self) -> CaseAccess:
        from assistant.cases.case_access import (
            FAILURE_WINDOW_S,
            FAILURES_PER_NUMBER,
            CaseAccess,
        )
        from assistant.storage.hit_counter import HitCounter

        return CaseAccess(self.applications, self.work_orders,
                          HitCounter(self.database, FAILURES_PER_NUMBER, FAILURE_WINDOW_S))

    # The books staff and operators read and write.

    @_part
    def audit(self) -> AuditLog:
        from assistant.privacy.audit import AuditLog

        return AuditLog(self.database)

    @_part
    def privacy(self) -> PersonalData:
        from assistant.privacy.personal_data import PersonalData

        return PersonalData(self.database, self.audit)

    @_part
    def staff(self) -> StaffDirectory:
        from assistant.staff.accounts import StaffDirectory

        return StaffDirectory(self.database)

    @_part
    def work_numbers(self) -> WorkNumbers:
        from assistant.staff.work_numbers import WorkNumbers

        return WorkNumbers(self.database)

    @_part
    def analytics(self) -> Analytics:
        from assistant.insight.analytics import Analytics

        return Analytics(self.database)

    @_part
    def followups(self) -> FollowUps:
        from assistant.insight.followups import FollowUps

        return FollowUps(self.database)

    @_part
    def feedback(self) -> FeedbackBook:
        from assistant.insight.feedback import FeedbackBook

        return FeedbackBook(self.database)

    @_part
    def kb_edits(self) -> KbEditLog:
        from assistant.insight.kb_edits import KbEditLog

        return KbEditLog(self.database, audit=self.audit)

    @_part
    def label_queue(self) -> LabelQueue:
        from assistant.insight.labelling import LabelQueue

        return LabelQueue(self.database, self.kb_edits)

    @_part
    def limiter(self) -> HitCounter:
        """Requests per client per minute (settings.rate_limit_per_minute)."""
        from assistant.storage.hit_counter import HitCounter

        return HitCounter(self.database, self.settings.rate_limit_per_minute)

    @_part
    def lookup_failures(self) -> HitCounter:
        """Wrong phone digits per client address, in case lookups by number."""
        from assistant.storage.hit_counter import HitCounter

        return HitCounter(self.database, FAILURES_PER_ADDRESS, ADDRESS_FAILURE_WINDOW_S)

    # The knowledge base, the router, and what is built on them: loaded only when asked for.

    @_part
    def kb(self) -> KnowledgeBase:
        """The knowledge base of the files alone (the server's runtime adds operators' edits)."""
        return self.given_kb if self.given_kb is not None else self.load_kb(self.settings)

    @_part
    def router(self) -> Router:
        """The router of the files alone: trains the default encoder and builds the index on a first run."""
        return self.given_router if self.given_router is not None else self.load_router(self.settings, self.kb)

    @_part
    def assistant(self) -> Assistant:
        return self.assistant_for(self.kb, self.router)

    @_part
    def copilot(self) -> Copilot:
        return self.copilot_for(self.kb, self.router)

    @_part
    def recogniser(self) -> Recogniser:
        """Speech recognition; its models load on first use, not here."""
        from voice.recognise import Recogniser

        s = self.settings
        return Recogniser(s.vosk_models, default=s.vosk_default_model, max_seconds=s.voice_max_seconds)

    def assistant_for(self, kb: KnowledgeBase, router: Routes) -> Assistant:
        """A new assistant answering from kb and router, on these books (the server makes one per runtime)."""
        from assistant.dialogue.engine import Assistant

        return Assistant(kb, router, self.sessions, self.applications, self.work_orders, self.cipher, self.clock,
                         recorder=self.turn_log, links=self.applicant_links, handoffs=self.handoffs,
                         cases=self.cases, keys=self.keys)

    def copilot_for(self, kb: KnowledgeBase, router: Router) -> Copilot:
        """A new copilot on kb and router; its dispatch model learns from the work orders' past dispatches too."""
        from assistant.copilot.suggestions import Copilot
        from intents.dispatch import DispatchModel

        return Copilot(router, DispatchModel.train(kb, self.work_orders.dispatch_examples()), kb)

    def close(self) -> None:
        """Close the database's connections if this opened them (SQLite also checkpoints its write-ahead log)."""
        if self.built("database") and self.given_database is None:
            self.database.kw["bind"].dispose()


def build_services(
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    router: Router | None = None,
    clock: Clock | None = None,
    database: sessionmaker[Session] | None = None,
    load_kb: KbLoader = _load_kb,
    load_router: RouterLoader = _load_router,
) -> Services:
    """The parts, wired from settings; none built yet. `kb`, `router`, `database`: ready ones to use instead
    of loading or opening them (tests share one trained router; several assistants may share one
    database). `load_kb`, `load_router`: how to load them otherwise (the CLI shows progress and says
    failures in one line)."""
    return Services(settings, clock=clock or zoned_clock(settings.timezone), load_kb=load_kb, load_router=load_router,
                    given_kb=kb, given_router=router, given_database=database)
