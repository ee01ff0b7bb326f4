"""Understanding a message, once per turn, before the dialogue decides anything.

The dialogue's steps read an `Understood`; they never call the router or the readers themselves. The
router is the one costly part, so it runs only when a step asks for `routing`, and at most once.
Tests build an `Understood` directly (`Understood.of`) and need no trained router.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.cases.numbers import APPLICATION_NUMBERS, WORK_ORDER_NUMBERS
from assistant.dialogue.commands import Command
from assistant.dialogue.context import DialogueContext
from intents.complaints import ComplaintMatter, find_matter, is_bare_complaint
from intents.router import Decision, RoutingResult

TRACKING_NUMBER = re.compile(rf"(?:{APPLICATION_NUMBERS.prefix}|{WORK_ORDER_NUMBERS.prefix})\d{{8}}-\d{{6}}", re.IGNORECASE)
NOTHING_ROUTED = RoutingResult(decision=Decision.none, confidence=0.0, candidates=[], answer=None, normalised="")


@dataclass
class Understood:
    text: str  # as said, trimmed
    normalised: str
    commands: frozenset[Command] = frozenset()
    named: tuple[str, ...] = ()  # services and bundles named by name or alias
    topic: str | None = None  # the guide topic a question asks about (materials, time, fee…)
    question: bool = False
    number: str | None = None  # a tracking number in the message
    chat: str | None = None  # greeting | thanks | identity | forgot_number | no_phone | on_behalf
    language: str | None = None  # a language the assistant does not serve
    bare_complaint: bool = False  # 我要投诉 / 我要举报 with no subject
    matter: ComplaintMatter | None = None  # what a complaint or report is about (物业, 油烟, 欠薪…)
    _route: Callable[[], RoutingResult] | None = field(default=None, repr=False)
    _routed: RoutingResult | None = field(default=None, repr=False)

    @classmethod
    def of(cls, text: str, routing: RoutingResult | None = None, **facts: object) -> Understood:
        """A message as a test says it was understood; `routing` stands for the router's answer."""
        understood = cls(text=text, normalised=text, **facts)  # type: ignore[arg-type]
        understood._routed = routing or NOTHING_ROUTED
        return understood

    @property
    def routing(self) -> RoutingResult:
        if self._routed is None:
            self._routed = self._route() if self._route is not None else NOTHING_ROUTED
        return self._routed

    @property
    def routed(self) -> RoutingResult | None:
        """The router's answer if a step asked for it this turn (for analytics), else None."""
        return self._routed if self._route is not None or self._routed is not NOTHING_ROUTED else None


class Understander:
    def __init__(self, ctx: DialogueContext) -> None:
        self.ctx = ctx

    def understand(self, text: str) -> Understood:
        ctx = self.ctx
        text = text.strip()
        normalised = ctx.router.normalise(text) if text else ""
        number = TRACKING_NUMBER.search(text)
        return Understood(
            text=text,
            normalised=normalised,
            commands=frozenset(ctx.commands.detect(text) | ctx.commands.detect(normalised)),  # 俺想办 is 我想办
            named=tuple(m.subject_id for m in ctx.mentions.find(normalised)) if text else (),
            topic=ctx.topics.topic_of(text),
            question=ctx.topics.is_question(text),
            number=number.group(0).upper() if number else None,
            chat=ctx.smalltalk.kind_of(normalised or text),
            language=ctx.smalltalk.foreign_language(text),
            bare_complaint=is_bare_complaint(normalised),
            matter=find_matter(normalised) if normalised else None,
            _route=lambda: ctx.router.route(text),
        )
