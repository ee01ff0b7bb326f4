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
from functools import lru_cache
from pathlib import Path

from assistant.cases.workorder_status import WorkOrderType, default_labels
from assistant.common.guide_answers import GuideAnswerer, default_topics
from assistant.common.messages import default_messages
from assistant.copilot.call_points import CallPoints, PointCues, read_points, without_greetings
from assistant.copilot.caller_details import CallerDetail, CallerDetailReader, sentences
from assistant.copilot.cards import CandidateCard, candidate_card
from assistant.copilot.config import COPILOT_FILE, load_copilot_data
from assistant.copilot.dispatch import DispatchAdvice, DispatchRules
from assistant.copilot.order_type import OrderTypeGuesser
from assistant.copilot.passages import PassageFloor, answering, related_policies
from assistant.copilot.script import ScriptWording, ScriptWriter
from assistant.copilot.summary import SummaryWriter
from intents.complaints import ComplaintMatter, find_matter, is_bare_complaint
from intents.dispatch import DeptScore, DispatchModel, with_hint
from intents.normalise import default_normaliser
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
    summary: str = ""  # the 诉求摘要 (who masked, what, where, when, want), for the work order
    script_step: str = ""  # the script's step: service, clarify, unknown, ask_<point> or confirm
    dispatch_reason: str = ""  # why no department is suggested, when none is
    matter: str = ""  # the complaint matter's key (intents/data/complaints.yaml), if the call names one
    points: CallPoints | None = None  # what the summary was built from

    def caller_values(self) -> dict[str, str]:
        """The raw caller details by field name, for the work-order form (never for a screen)."""
        return {f.name: f.value for f in self.fields}

    def to_dict(self, reveal: bool = False) -> dict:
        """What a screen shows: details masked unless `reveal` (an audited reveal) asks otherwise."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "passages": [{"id": p.target_id, "text": p.text, "source": p.source, "score": round(p.score, 4)} for p in self.passages],
            "script": self.script,
            "script_step": self.script_step,
            "summary": self.summary,
            "dispatch_reason": self.dispatch_reason,
            "matter": self.matter,
            "summary_fields": {} if self.points is None else self.points.fields(),
            "fields": [f.to_dict(reveal) for f in self.fields],
            "dispatch": None if self.dispatch is None else {"dept": self.dispatch.dept, "confidence": round(self.dispatch.confidence, 4)},
            "departments": [{"dept": d.dept, "confidence": round(d.confidence, 4)} for d in self.departments],
            "work_order_type": {"value": self.work_order_type.value, "label": self.work_order_type_label},
            "decision": self.decision,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True)
class Heard:
    """The call as understood once: the words less details, the latest words and where they route."""

    said: str
    focus: str
    routed: RoutingResult
    cards: list[CandidateCard]
    question: str  # the caller's latest question, for passages and the script's topic
    confident: bool  # the top card is what the call is about


@dataclass(frozen=True)
class CopilotConfig:
    focus_chars: int = 60  # the latest words: whole sentences from the end, at least this long
    question_chars: int = 20  # the caller's latest question, for passages and the script's topic
    wide_chars: int = 300  # looked at when the latest words alone match nothing
    script_min_confidence: float = 0.15  # under it, the script asks the caller to say more
    router_weight: float = 0.3  # how far the router's top service moves the dispatch suggestion
    passages: int = 3
    passages_looked_at: int = 8  # the best few looked at, of which those that answer the call are shown
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
        self.summaries = SummaryWriter.from_data(data)
        self.point_cues = PointCues.from_data(data)
        self.dispatch_rules = DispatchRules.from_data(data)
        self.passage_floor = PassageFloor.from_data(data)
        # Matters are named in Mandarin: dialect and script are normalised, without the router's
        # homophone repair (tens of milliseconds on a long call), sentence by sentence and cached, so
        # a growing call normalises only its new sentences.
        self._plain = lru_cache(maxsize=4096)(default_normaliser())
        self._taxonomy = load_taxonomy()
        self._bundle_place = (str(data["bundle_where"]), str(data["bundle_hotline"]))
        self._type_labels = default_labels().types

    def caller_details(self, transcript: str) -> list[CallerDetail]:
        """The caller's details said anywhere in the call (no routing, dispatch or script)."""
        return self.details.read(transcript, self.today())

    def _hear(self, transcript: str) -> Heard:
        said = self.details.without_details(transcript)
        focus, routed = self._route(said)
        cards = [c for c in (candidate_card(self.kb, x.id, x.score, self._taxonomy, *self._bundle_place)
                             for x in routed.candidates[:3]) if c is not None]
        confident = bool(cards) and routed.decision is not Decision.none
        return Heard(said, focus, routed, cards, latest_words(said, self.config.question_chars), confident)

    def suggest(self, transcript: str) -> Suggestion:
        heard = self._hear(transcript)
        cards, routed = heard.cards, heard.routed
        fields = self.caller_details(transcript)
        matter = find_matter("".join(map(self._plain, sentences(heard.said)))) if heard.said else None
        advice = self._dispatch(transcript, heard, matter)
        bare = is_bare_complaint(self._plain(without_greetings(heard.focus, self.point_cues)))  # 我想反映个事情
        report = matter is not None or bare or (heard.confident and cards[0].kind == "report")
        subject = cards[0].name if heard.confident and cards[0].kind != "report" else ""
        points = read_points(transcript, fields, matter, subject, self.point_cues)
        summary = self.summaries.write(points, report) if transcript.strip() else ""
        if report:  # a work order: ask for the next point not said, then read the summary back
            time_limit = next((c.time_limit for c in cards if c.kind == "report"), "")
            step, script = self.script.follow(points, summary, advice.dept.dept if advice.dept else None, time_limit)
        else:
            step, script = self._script(routed, cards, heard.question)
        kind = self.order_types.guess(transcript)
        passages = answering(*self._looked_at(heard), self.passage_floor)[: self.config.passages]
        return Suggestion(
            candidates=cards,
            passages=[Passage.of(a) for a in passages],
            script=script,
            fields=fields,
            dispatch=advice.dept,
            departments=advice.departments,
            work_order_type=kind,
            work_order_type_label=self._type_labels[kind],
            decision=routed.decision.value,
            confidence=routed.confidence,
            focus=heard.focus,
            summary=summary,
            script_step=step,
            dispatch_reason=advice.reason,
            matter=matter.key if matter is not None else "",
            points=points,
        )

    def passage_candidates(self, transcript: str) -> tuple[list[Answer], set[str]]:
        """The passages looked at for a call, before the relevance floors, and the policies related
        to its top service (for tuning the floors: eval/copilot_passages.py)."""
        return self._looked_at(self._hear(transcript))

    def _looked_at(self, heard: Heard) -> tuple[list[Answer], set[str]]:
        """Passages looked for with the service named ("补卡要多少钱" alone names no card); those that
        answer the call are kept by assistant.copilot.passages.answering."""
        if not heard.focus:
            return [], set()
        confident, cards = heard.confident, heard.cards
        asked = f"{cards[0].name} {heard.question}" if confident else heard.focus
        related = related_policies(self.kb, [cards[0].id]) if confident else set()
        return self.router.passages(asked, self.config.passages_looked_at), related

    def _dispatch(self, transcript: str, heard: Heard, matter: ComplaintMatter | None) -> DispatchAdvice:
        if not transcript.strip():
            return DispatchAdvice(None, [], "", "")
        departments = self.dispatch.scores(heard.focus or transcript)
        if heard.confident:
            departments = with_hint(departments, heard.cards[0].dept, heard.routed.confidence * self.config.router_weight)
        return self.dispatch_rules.advise(departments, matter, self.config.departments)

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

    def _script(self, routed: RoutingResult, cards: list[CandidateCard], question: str) -> tuple[str, str]:
        if not cards or (routed.decision is Decision.none and routed.confidence < self.config.script_min_confidence):
            return "unknown", self.script.unknown()
        if routed.decision is Decision.clarify:
            return "clarify", self.script.clarify(cards)
        return "service", self.script.write(cards[0], question, routed.answer)
