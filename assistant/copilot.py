"""The helpline copilot: from a call's transcript so far, what an agent needs on screen.

`Copilot(router, dispatch, kb).suggest(transcript)` gives the top services or bundles with their key
facts, the policy passages that answer the caller, a reply script to read out, the caller's details
(masked; the raw values stay server-side for the work order), the department to dispatch to and the
work-order type. The service is found from the caller's latest words, as a call moves from greeting
to need to details; the details are read from the whole call, and left out when finding the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.caller_details import CallerDetail, CallerDetailReader, sentences
from assistant.copilot_cards import CandidateCard, candidate_card
from assistant.copilot_data import COPILOT_FILE, load_copilot_data
from assistant.copilot_script import ScriptWording, ScriptWriter
from assistant.guide_answers import GuideAnswerer, default_topics
from assistant.messages import default_messages
from assistant.order_type import OrderTypeGuesser
from assistant.workorder_status import WorkOrderType, default_labels
from intents.dispatch import DeptScore, DispatchModel, with_hint
from intents.router import Answer, Decision, Router, RoutingResult
from knowledge.base import KnowledgeBase
from knowledge.taxonomy import load_taxonomy


@dataclass(frozen=True)
class Passage:
    target_id: str
    text: str
    source: str
    score: float

    @classmethod
    def of(cls, answer: Answer) -> Passage:
        return cls(answer.target_id, answer.text, answer.source, answer.score)


@dataclass(frozen=True)
class Suggestion:
    candidates: list[CandidateCard]
    passages: list[Passage]
    script: str
    fields: list[CallerDetail]
    dispatch: DeptScore | None  # the department suggested, with the model's confidence
    departments: list[DeptScore]  # the first few departments, most likely first
    work_order_type: WorkOrderType
    work_order_type_label: str
    decision: str  # the router's decision on the focus
    confidence: float
    focus: str  # the caller's latest words, from which the service was found

    def caller_values(self) -> dict[str, str]:
        """The raw caller details by field name, for the work-order form (never for a screen)."""
        return {f.name: f.value for f in self.fields}

    def to_dict(self, reveal: bool = False) -> dict:
        """What a screen shows: details masked unless `reveal` (an audited reveal) asks otherwise."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "passages": [{"id": p.target_id, "text": p.text, "source": p.source, "score": round(p.score, 4)} for p in self.passages],
            "script": self.script,
            "fields": [f.to_dict(reveal) for f in self.fields],
            "dispatch": None if self.dispatch is None else {"dept": self.dispatch.dept, "confidence": round(self.dispatch.confidence, 4)},
            "departments": [{"dept": d.dept, "confidence": round(d.confidence, 4)} for d in self.departments],
            "work_order_type": {"value": self.work_order_type.value, "label": self.work_order_type_label},
            "decision": self.decision,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True)
class CopilotConfig:
    focus_chars: int = 60  # the latest words: whole sentences from the end, at least this long
    question_chars: int = 20  # the caller's latest question, for passages and the script's topic
    wide_chars: int = 300  # looked at when the latest words alone match nothing
    script_min_confidence: float = 0.15  # under it, the script asks the caller to say more
    router_weight: float = 0.3  # how far the router's top service moves the dispatch suggestion
    passages: int = 3
    departments: int = 3


def latest_words(transcript: str, chars: int) -> str:
    """Whole sentences from the end of the transcript, at least `chars` characters where there are."""
    taken: list[str] = []
    for sentence in reversed(sentences(transcript)):
        taken.insert(0, sentence)
        if sum(map(len, taken)) >= chars:
            break
    return "".join(taken).strip()


class Copilot:
    def __init__(
        self,
        router: Router,
        dispatch: DispatchModel,
        kb: KnowledgeBase,
        config: CopilotConfig = CopilotConfig(),
        today: Callable[[], date] = date.today,
        data_file: Path = COPILOT_FILE,
    ) -> None:
        data = load_copilot_data(data_file)
        self.router, self.dispatch, self.kb, self.config, self.today = router, dispatch, kb, config, today
        self.details = CallerDetailReader.from_data(data)
        self.order_types = OrderTypeGuesser.from_cues(data["order_types"])
        self.script = ScriptWriter(ScriptWording.from_data(data), GuideAnswerer(kb, default_messages()), default_topics())
        self._taxonomy = load_taxonomy()
        self._bundle_place = (str(data["bundle_where"]), str(data["bundle_hotline"]))
        self._type_labels = default_labels().types

    def caller_details(self, transcript: str) -> list[CallerDetail]:
        """The caller's details said anywhere in the call (no routing, dispatch or script)."""
        return self.details.read(transcript, self.today())

    def suggest(self, transcript: str) -> Suggestion:
        said = self.details.without_details(transcript)
        focus, routed = self._route(said)
        cards = [c for c in (candidate_card(self.kb, x.id, x.score, self._taxonomy, *self._bundle_place)
                             for x in routed.candidates[:3]) if c is not None]
        question = latest_words(said, self.config.question_chars)
        confident = bool(cards) and routed.decision is not Decision.none
        # A policy passage is looked for with the service named: "补卡要多少钱" alone names no card.
        asked = f"{cards[0].name} {question}" if confident else focus
        passages = [Passage.of(a) for a in self.router.passages(asked, self.config.passages)] if focus else []
        departments = self.dispatch.scores(focus or transcript)
        if confident:
            departments = with_hint(departments, cards[0].dept, routed.confidence * self.config.router_weight)
        departments = departments[: self.config.departments] if transcript.strip() else []
        kind = self.order_types.guess(transcript)
        return Suggestion(
            candidates=cards,
            passages=passages,
            script=self._script(routed, cards, question),
            fields=self.caller_details(transcript),
            dispatch=departments[0] if departments else None,
            departments=departments,
            work_order_type=kind,
            work_order_type_label=self._type_labels[kind],
            decision=routed.decision.value,
            confidence=routed.confidence,
            focus=focus,
        )

    def _route(self, said: str) -> tuple[str, RoutingResult]:
        """The caller's latest words (details left out) and where they route; wider when they alone
        match nothing (the caller said only thanks, or a question with no subject)."""
        focus = latest_words(said, self.config.focus_chars)
        routed = self.router.route(focus)
        if routed.decision is Decision.none and len(focus) < len(said):
            wide = latest_words(said, self.config.wide_chars)
            widened = self.router.route(wide)
            if widened.confidence > routed.confidence:
                return wide, widened
        return focus, routed

    def _script(self, routed: RoutingResult, cards: list[CandidateCard], question: str) -> str:
        if not cards or routed.decision is Decision.none and routed.confidence < self.config.script_min_confidence:
            return self.script.unknown()
        if routed.decision is Decision.clarify:
            return self.script.clarify(cards)
        return self.script.write(cards[0], question, routed.answer)
