"""Turns to submission: a simulated citizen completes every apply/report service and every bundle.

A turn is one message from the citizen, counted from the first ("我要办理…") to the one that
submits. The target per form is the required questions + 3 (first message, consent, confirmation).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.engine import Assistant
from assistant.forms import form_for, is_form_subject
from assistant.states import State
from eval.citizen import Citizen
from knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class FormRun:
    subject_id: str
    submitted: bool
    turns: int
    required: int  # required questions that applied to this citizen's answers

    @property
    def target(self) -> int:
        return self.required + 3


@dataclass(frozen=True)
class DialogueReport:
    runs: list[FormRun]

    @property
    def completed(self) -> float:
        return sum(r.submitted for r in self.runs) / len(self.runs)

    @property
    def mean_turns(self) -> float:
        done = [r for r in self.runs if r.submitted]
        return sum(r.turns for r in done) / max(1, len(done))

    @property
    def mean_target(self) -> float:
        done = [r for r in self.runs if r.submitted]
        return sum(r.target for r in done) / max(1, len(done))

    @property
    def within_target(self) -> float:
        return sum(r.submitted and r.turns <= r.target for r in self.runs) / len(self.runs)


def evaluate_dialogue(assistant: Assistant, kb: KnowledgeBase, together: bool) -> DialogueReport:
    runs = []
    subjects = sorted(s for s in [*kb.services, *kb.bundles] if is_form_subject(kb, s))
    for subject_id in subjects:
        spec = form_for(kb, subject_id)
        session = assistant.new_session()
        citizen = Citizen(spec, assistant.today(), together=together)
        conversation = citizen.run(lambda text: assistant.handle(session, text), f"我要办理{spec.subject_name}")
        last = conversation.turns[-1]
        submitted = last.state is State.submitted
        values = (assistant.book.values(last.application.number, session) if submitted and last.application else None) or {}
        required = sum(1 for f in spec.fields if f.required and f.applies(values))
        runs.append(FormRun(subject_id, submitted, len(conversation.said), required))
    return DialogueReport(runs)
