"""A citizen for load tests: form after form in one conversation, checking that every reply is its own.

Each load citizen has its own phone number and ID numbers (the tails that stay visible when masked
are unique in a run), so a reply that carries another conversation's answers is caught: the masked
phone or ID number read back would not be this citizen's. Every reply must also name this
conversation's token and, while a form is open, the service this citizen asked for and only that
form's fields. A form is answered by eval/citizen.py's simulated citizen, with one question about the
materials in the middle of each form, half of the citizens giving name, ID and phone in one message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from assistant.common.forms import FormSpec, form_for, is_form_subject
from assistant.dialogue.states import State
from assistant.dialogue.turn import Turn
from assistant.privacy.masking import mask
from eval.citizen import Citizen, Conversation, answer_for, make_id_number
from intents.router import Decision, Router
from knowledge.base import KnowledgeBase
from knowledge.models import Slot, SlotType

MID_FORM_QUESTION = "要带什么材料？"
IDENTIFYING = (SlotType.phone, SlotType.id_number)
FORM_STATES = (State.consent, State.filling, State.confirming, State.submitted)


def starting_subjects(kb: KnowledgeBase, router: Router) -> list[FormSpec]:
    """Forms whose first message ("我要办理…") the router sends straight to them, so a reply about any
    other service can only be a reply meant for someone else."""
    specs = [form_for(kb, s) for s in sorted([*kb.services, *kb.bundles]) if is_form_subject(kb, s)]
    return [spec for spec in specs if _routes_to_itself(router, spec)]


def _routes_to_itself(router: Router, spec: FormSpec) -> bool:
    result = router.route(opening(spec))
    return result.decision is Decision.route and result.candidates[0].id == spec.subject_id


def opening(spec: FormSpec) -> str:
    return f"我要办理{spec.subject_name}"


class Identity:
    """The personal details of citizen number `n`: tails unique among 1,000 citizens (ID) and 10,000 (phone)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.phone = f"139{(n // 10_000) % 10_000:04d}{n % 10_000:04d}"
        self.said: set[str] = set()  # masked forms of the phone and ID numbers this citizen gave

    def answer(self, slot: Slot, today: date, n: int) -> str:
        if slot.type is SlotType.phone:
            value = self.phone
        elif slot.type is SlotType.id_number:
            # The simulated citizen's birth date (it fits the slot's age rules), a few days apart for each
            # person in the form, with this citizen's sequence.
            born = datetime.strptime(answer_for(slot, today, n)[6:14], "%Y%m%d").date() + timedelta(days=n)
            value = make_id_number(born, sequence=f"{self.n % 1000:03d}")
        else:
            return answer_for(slot, today, n)
        self.said.add(mask(slot.type, value))
        return value


class LoadCitizen:
    """Say `message`, pass the reply to `hear` (which returns what is wrong with it), repeat."""

    def __init__(self, n: int, subjects: Sequence[FormSpec], today: date) -> None:
        if not subjects:
            raise ValueError("no forms to fill")
        self.identity = Identity(n)
        self.subjects = subjects
        self.today = today
        self.token: str | None = None
        self.submitted: dict[str, FormSpec] = {}  # applications and work orders received, with their form
        self.forms_started = 0
        self._begin()

    def _begin(self) -> None:
        self.spec = self.subjects[(self.identity.n + self.forms_started) % len(self.subjects)]
        self.forms_started += 1
        together = self.identity.n % 2 == 1
        self.citizen = Citizen(self.spec, self.today, together=together, answers=self.identity.answer)
        self.conversation = Conversation()
        self.asked_question = False
        self.message = opening(self.spec)

    def hear(self, turn: Turn) -> list[str]:
        """Check the reply to `message`, then choose the next message."""
        problems = self._check(turn)
        self.token = self.token or turn.session_id
        self.conversation.said.append(self.message)
        self.conversation.turns.append(turn)
        if turn.state is State.submitted and turn.application is not None:
            self.submitted[turn.application.number] = self.spec
            self._begin()
        elif turn.state is State.filling and self.conversation.given and not self.asked_question:
            self.asked_question = True
            self.message = MID_FORM_QUESTION
        else:
            self.message = self.citizen.answer(turn, self.conversation)
        return problems

    def _check(self, turn: Turn) -> list[str]:
        who = f"citizen {self.identity.n}"
        problems = []
        if self.token is not None and turn.session_id != self.token:
            problems.append(f"{who}: reply for session {turn.session_id[:6]}…, not {self.token[:6]}…")
        if turn.state in FORM_STATES and turn.service is not None and turn.service.id != self.spec.subject_id:
            problems.append(f"{who}: asked for {self.spec.subject_id}, reply is about {turn.service.id}")
        types = {f.key: f.slot.type for f in self.spec.fields}
        for view in turn.slots:
            if view.key not in types:
                problems.append(f"{who}: field {view.key} is not in the form {self.spec.subject_id}")
            elif types[view.key] in IDENTIFYING and view.value not in self.identity.said:
                problems.append(f"{who}: {view.label} read back as {view.value}, which this citizen never gave")
        return problems

    def check_application(self, number: str, fields: dict[str, str] | None) -> list[str]:
        """What is wrong with application `number` (not a work order) as its own session sees it (masked fields)."""
        who = f"citizen {self.identity.n}"
        if fields is None:
            return [f"{who}: cannot see the fields of its own application {number}"]
        labels = {f.label for f in self.submitted[number].fields if f.slot.type in IDENTIFYING}
        return [
            f"{who}: application {number} holds {label} {value}, which this citizen never gave"
            for label, value in fields.items() if label in labels and value not in self.identity.said
        ]


def duplicated(numbers: Iterable[str]) -> list[str]:
    """Tracking numbers handed out more than once (each form must make its own application)."""
    return sorted(number for number, count in Counter(numbers).items() if count > 1)
