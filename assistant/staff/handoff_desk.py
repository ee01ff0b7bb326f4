"""What staff see of a handoff, and what an agent does with it.

A case as staff see it: how long it has waited, the conversation so far and the messages of the
handoff (masked as on every staff screen: the form's own values by their type, then any ID number,
phone or card number in free text), the form so far (masked) and what the assistant understood (the
service, and the state the conversation was in). Ending a case goes through the engine
(`Assistant.end_handoff`), so the conversation resumes by the dialogue's own events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from assistant.cases.handoff_queue import AGENT, ASSISTANT, CITIZEN, HandoffCase, HandoffMessage, HandoffQueue
from assistant.common.forms import form_for, is_form_subject
from assistant.dialogue.engine import Assistant
from assistant.dialogue.filling import FormFiller
from assistant.dialogue.handoff import caller_details
from assistant.dialogue.session import SessionState
from assistant.dialogue.turn_log import mask_known
from assistant.privacy.masking import mask


@dataclass(frozen=True)
class Line:
    sender: str  # citizen | assistant | agent
    text: str  # masked
    at: datetime
    work_number: str | None = None
    id: int = 0  # the handoff message's id (0: a turn before the handoff)


@dataclass(frozen=True)
class CaseView:
    id: int
    reason: str
    status: str
    created_at: datetime
    waited_s: int  # until taken, or until now
    work_number: str | None  # the agent holding it
    mine: bool
    service_id: str | None
    service: str | None  # the service's name
    dept: str  # the service's department ("" when none is known): where a work order from the case goes
    state: str  # where the conversation was when it was handed over (filling, confirming, idle…)
    slots: list[tuple[str, str]] = field(default_factory=list)  # (label, masked value)
    transcript: list[Line] = field(default_factory=list)


class HandoffDesk:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    @property
    def queue(self) -> HandoffQueue:
        return self.assistant.handoffs

    def cases(self, agent: str) -> list[CaseView]:
        return [self.view(case, agent) for case in self.queue.open_cases()]

    def view(self, case: HandoffCase, agent: str) -> CaseView:
        a = self.assistant
        s = a.state_of(case.session_id) or SessionState()
        subject = s.form.subject_id if s.form else s.topic
        item = a.kb.find(subject) if subject else None
        until = case.taken_at or a.clock()
        slots: list[tuple[str, str]] = []
        if s.form is not None and is_form_subject(a.kb, s.form.subject_id):
            filler = FormFiller(form_for(a.kb, s.form.subject_id), a.ctx.say, a.today())
            slots = [(label, value) for _, label, value in filler.views(s.form)]
        personal = self.personal(s)
        earlier = [line for text, reply, at in self.queue.earlier_turns(case.session_id)
                   for line in (Line(CITIZEN, mask_known(text, personal), at), Line(ASSISTANT, mask_known(reply, personal), at))
                   if line.text and at <= case.created_at]
        return CaseView(
            id=case.id, reason=case.reason, status=case.status, created_at=case.created_at,
            waited_s=max(0, int((until - case.created_at).total_seconds())), work_number=case.work_number,
            mine=case.agent == agent, service_id=subject, service=getattr(item, "name", None), dept=getattr(item, "dept", "") or "",
            state=(s.previous or s.state).value, slots=slots,
            transcript=earlier + self.lines(case, since=0, personal=personal),
        )

    def lines(self, case: HandoffCase, since: int, personal: dict[str, str] | None = None) -> list[Line]:
        """The handoff's messages after cursor `since`, masked for staff."""
        if personal is None:
            personal = self.personal(self.assistant.state_of(case.session_id) or SessionState())
        return [Line(m.sender, mask_known(m.text, personal), m.at, m.work_number, m.id)
                for m in self.queue.messages(since, handoff_id=case.id)]

    def personal(self, s: SessionState) -> dict[str, str]:
        """Every value the conversation's forms hold, raw → masked as its type is masked on screens."""
        kb = self.assistant.kb
        found: dict[str, str] = {}
        for form in ([s.form] if s.form else []) + list(s.suspended):
            if not is_form_subject(kb, form.subject_id):
                continue
            spec = form_for(kb, form.subject_id)
            found |= {raw: mask(spec.field(k).slot.type, raw) for k, raw in form.displays.items() if spec.has(k)}
        return found

    def caller(self, case: HandoffCase) -> dict[str, str]:
        """The citizen's details as the conversation holds them (plain: for a work order's encrypted
        caller fields or a 代办 form, never for a screen)."""
        return caller_details(self.assistant.ctx, self.assistant.state_of(case.session_id) or SessionState())

    def citizen_feed(self, session_id: str, since: int) -> tuple[list[HandoffMessage], int]:
        """What the citizen's page shows of the handoff after cursor `since`: the agent's and the
        assistant's messages (their own they have), and the cursor to ask from next."""
        messages = self.queue.messages(since, session_id=session_id)
        cursor = messages[-1].id if messages else since
        return [m for m in messages if m.sender in (AGENT, ASSISTANT)], cursor
