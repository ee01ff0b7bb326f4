"""Completion and turns to submission: a simulated citizen completes every apply/report service and
every bundle, in each answering style (eval/citizen.py `Style`).

A turn is one message from the citizen, counted from the first ("我要办理…") to the one that
submits. The target per form is the required questions + 3 (first message, consent, confirmation);
per style the target is a completion rate of at least 98 % and median turns no more than the median
target. A form counts as completed when it is submitted and the citizen noticed nothing wrong (a
correction read back, a question in the middle answered).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from statistics import mean, median

from assistant.common.forms import form_for, is_form_subject
from assistant.dialogue.engine import Assistant
from assistant.dialogue.states import State
from eval.citizen import TAIL, Citizen, Conversation, Style
from knowledge.base import KnowledgeBase

TARGET_COMPLETION = 0.98
EXTRA_TURNS = 3  # first message, consent, confirmation
REPLY_CHARS = 160  # of each reply in a failure's transcript
REASK_CONTEXT = 3  # exchanges shown up to a question asked again: the answer not taken, and the question again


@dataclass(frozen=True)
class FormRun:
    subject_id: str
    style: Style
    submitted: bool
    turns: int
    required: int  # required questions that applied to this citizen's answers
    problems: tuple[str, ...] = ()  # what the citizen noticed went wrong
    reasked: tuple[str, ...] = ()  # field keys asked again after the citizen had given them
    taps: int = 0
    tail: str = ""  # the last exchanges, kept when the form was not completed
    first_reask: str = ""  # the exchanges up to the first question asked again

    @property
    def target(self) -> int:
        return self.required + EXTRA_TURNS

    @property
    def completed(self) -> bool:
        return self.submitted and not self.problems

    @property
    def failure(self) -> str:
        if not self.submitted:
            return f"not submitted after {self.turns} turns"
        return "; ".join(self.problems)

    def to_dict(self) -> dict[str, object]:
        return {"subject_id": self.subject_id, "completed": self.completed, "submitted": self.submitted,
                "turns": self.turns, "target": self.target, "problems": list(self.problems),
                "reasked": list(self.reasked), "taps": self.taps, "transcript": self.tail or None,
                "first_reask": self.first_reask or None}


@dataclass(frozen=True)
class DialogueReport:
    style: Style
    runs: list[FormRun]

    @property
    def completed(self) -> float:
        return sum(r.completed for r in self.runs) / len(self.runs)

    @property
    def _done(self) -> list[FormRun]:
        return [r for r in self.runs if r.completed]

    @property
    def median_turns(self) -> float:
        return median(r.turns for r in self._done) if self._done else 0.0

    @property
    def mean_turns(self) -> float:
        return mean(r.turns for r in self._done) if self._done else 0.0

    @property
    def median_target(self) -> float:
        return median(r.target for r in self.runs)

    @property
    def mean_target(self) -> float:
        return mean(r.target for r in self._done) if self._done else 0.0

    @property
    def within_target(self) -> float:
        return sum(r.completed and r.turns <= r.target for r in self.runs) / len(self.runs)

    @property
    def meets_target(self) -> bool:
        return self.completed >= TARGET_COMPLETION and self.median_turns <= self.median_target

    @property
    def failures(self) -> list[FormRun]:
        return [r for r in self.runs if not r.completed]

    def reasked_types(self, kb: KnowledgeBase) -> Counter[str]:
        """Slot types of the questions asked again, over all forms: where the dialogue lost an answer."""
        counts: Counter[str] = Counter()
        for r in self.runs:
            counts.update(self._kind(kb, r.subject_id, k) for k in r.reasked)
        return counts

    def reask_example(self, kb: KnowledgeBase) -> FormRun | None:
        """A form whose first question asked again is of the commonest kind among first ones."""
        firsts = [(r, self._kind(kb, r.subject_id, r.reasked[0])) for r in self.runs if r.reasked]
        if not firsts:
            return None
        common = Counter(kind for _, kind in firsts).most_common(1)[0][0]
        return next(r for r, kind in firsts if kind == common)

    @staticmethod
    def _kind(kb: KnowledgeBase, subject_id: str, key: str) -> str:
        """The slot type of a question asked again, or CONSENT / CONFIRM."""
        spec = form_for(kb, subject_id)
        return spec.field(key).slot.type.value if spec.has(key) else key

    def to_dict(self, kb: KnowledgeBase) -> dict[str, object]:
        return {
            "style": self.style.value, "forms": len(self.runs), "completed": round(self.completed, 4),
            "median_turns": self.median_turns, "mean_turns": round(self.mean_turns, 2),
            "median_target": self.median_target, "mean_target": round(self.mean_target, 2),
            "within_target": round(self.within_target, 4), "meets_target": self.meets_target,
            "reasked_by_type": dict(self.reasked_types(kb).most_common()),
            "failures": [r.to_dict() for r in self.failures], "runs": [r.to_dict() for r in self.runs],
        }


def form_subjects(kb: KnowledgeBase) -> list[str]:
    return sorted(s for s in [*kb.services, *kb.bundles] if is_form_subject(kb, s))


def run_form(assistant: Assistant, kb: KnowledgeBase, subject_id: str, style: Style, variant: int = 0) -> tuple[FormRun, Conversation]:
    """One citizen of this style completes one form in a new conversation."""
    spec = form_for(kb, subject_id)
    session = assistant.new_session()
    citizen = Citizen(spec, assistant.today(), style=style, variant=variant)
    conversation = citizen.run(lambda text: assistant.handle(session, text), max_turns=3 * len(spec.fields) + 12)
    last = conversation.turns[-1]
    submitted = last.state is State.submitted
    values = (assistant.book.values(last.application.number, assistant.key_of(session)) if submitted and last.application else None) or {}
    required = sum(1 for f in spec.fields if f.required and f.applies(values))
    problems = tuple(conversation.problems()) if submitted else ()
    run = FormRun(subject_id, style, submitted, len(conversation.said), required, problems,
                  tuple(conversation.reasked), conversation.taps)
    if not run.completed:
        misread = conversation.said_at.get(conversation.misread_key or "")
        # a value read back wrongly: the message that gave it and the reply; otherwise the end
        shown = tail(conversation, REASK_CONTEXT, upto=misread + 1) if misread is not None else tail(conversation)
        run = replace(run, tail=shown)
    if conversation.first_reask is not None:
        run = replace(run, first_reask=tail(conversation, REASK_CONTEXT, upto=conversation.first_reask))
    return run, conversation


def tail(conversation: Conversation, last: int = TAIL, upto: int | None = None) -> str:
    """The last exchanges (before message `upto`), each reply on one line and cut short."""
    lines = []
    for said, turn in list(zip(conversation.said, conversation.turns))[:upto][-last:]:
        reply = turn.reply.replace("\n", " / ")
        reply = reply if len(reply) <= REPLY_CHARS else reply[:REPLY_CHARS] + "…"
        lines += [f"民：{said}", f"助：[{turn.state.value}{' ' + turn.asking if turn.asking else ''}] {reply}"]
    return "\n".join(lines)


def evaluate_dialogue(assistant: Assistant, kb: KnowledgeBase, style: Style = Style.terse,
                      subjects: Iterable[str] | None = None) -> DialogueReport:
    """Every form (or `subjects`), each by a citizen of `style`; forms take the style's wordings in turn."""
    chosen = list(subjects) if subjects is not None else form_subjects(kb)
    return DialogueReport(style, [run_form(assistant, kb, s, style, variant=i)[0] for i, s in enumerate(chosen)])
