"""What the dialogue steps need from the rest of the system, gathered in one place and passed in.

Keeping these behind one small bundle (rather than globals) lets tests build a dialogue over the real
knowledge base with their own clock, database and router.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from assistant.cases.applications import ApplicationBook
from assistant.cases.case_access import CaseAccess
from assistant.cases.handoff_queue import HandoffQueue
from assistant.cases.workorders import WorkOrderBook
from assistant.common.guide_answers import GuideAnswerer, Topics
from assistant.common.messages import Messages
from assistant.dialogue.commands import CommandWords
from assistant.proactive.applicant_links import ApplicantLinks
from intents.mentions import MentionFinder
from intents.router import RoutingResult
from intents.smalltalk import SmallTalk, default_smalltalk
from knowledge.base import KnowledgeBase


class Routes(Protocol):
    def route(self, text: str) -> RoutingResult: ...

    def normalise(self, text: str) -> str: ...


class ConsentLog(Protocol):
    def record_consent(self, token: str, subject_id: str, purpose: str, fields: list[str], granted: bool) -> None: ...


@dataclass(frozen=True)
class DialogueContext:
    kb: KnowledgeBase
    router: Routes
    mentions: MentionFinder
    say: Messages
    topics: Topics
    commands: CommandWords
    answers: GuideAnswerer
    book: ApplicationBook
    orders: WorkOrderBook  # citizen reports become 12345 work orders
    consents: ConsentLog
    today: Callable[[], date]
    handoffs: HandoffQueue  # 转人工: the queue staff take conversations from
    cases: CaseAccess  # a number looked up that this conversation did not file needs the phone's last four digits
    links: ApplicantLinks | None = None  # who applied for what (服务找人); None: no one else's applications are counted
    smalltalk: SmallTalk = field(default_factory=default_smalltalk)

    def name_of(self, subject_id: str) -> str:
        """What a service, bundle, policy or imported item is called."""
        item = self.kb.find(subject_id)
        return getattr(item, "name", None) or getattr(item, "title", subject_id)  # type: ignore[return-value]  # each has one
