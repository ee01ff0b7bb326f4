"""Handing the conversation to a person: asked for (转人工), or after the third misunderstanding.

The conversation is put in the queue (assistant/cases/handoff_queue.py, written by the engine when the turn
is saved) and the citizen is told the wait honestly: their place in the queue, or that nobody can come
(outside service hours, or nobody took it in the set time), with a call-back work order offered.
While waiting, what they say goes to the agent; once an agent took it, everything they say goes to
the agent and the assistant stays silent. 继续/算了 goes back to the assistant with the form kept; so
does the agent handing back (`handed_back`).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.cases.handoff_queue import WaitStatus
from assistant.cases.workorder_status import CallerField, WorkOrderType
from assistant.cases.workorders import CITIZEN, WorkOrderDraft
from assistant.common.forms import form_for, is_form_subject
from assistant.common.messages import Messages
from assistant.dialogue.commands import Command
from assistant.dialogue.context import DialogueContext
from assistant.dialogue.events import CallbackAsked, HandedOff, HandoffEnded, SentToAgent, Submitted, Tracker
from assistant.dialogue.on_behalf import PREFILLED_TYPES
from assistant.dialogue.session import SessionState
from assistant.dialogue.states import State
from assistant.dialogue.understanding import Understood
from assistant.privacy.masking import mask
from intents.slot_values import Value, parse_value
from knowledge.models import Slot, SlotType

IN_FORM = (State.consent, State.filling, State.confirming)


def caller_details(ctx: DialogueContext, s: SessionState) -> dict[str, str]:
    """The citizen's name, ID number, phone and address as the conversation's forms hold them (the open
    form first), keyed as work orders and 代办 name them (on_behalf.PREFILLED_TYPES)."""
    found: dict[str, str] = {}
    for form in ([s.form] if s.form else []) + list(reversed(s.suspended)):
        if not is_form_subject(ctx.kb, form.subject_id):
            continue
        spec = form_for(ctx.kb, form.subject_id)
        for key, value in form.values.items():
            if not spec.has(key):
                continue
            detail = next((d for d, t in PREFILLED_TYPES.items() if t is spec.field(key).slot.type), None)
            if detail is not None:
                found.setdefault(detail, value)
    return found


def callback_phone(say: Messages) -> Slot:
    """The call-back number asked for when no agent can take the conversation."""
    return Slot(name="phone", label=say("callback_phone_label"), type=SlotType.phone, ask=say("callback_phone_ask"))


def hand_off(t: Tracker, ctx: DialogueContext, reason: str) -> None:
    """`reason`: asked | misunderstood. The form so far stays with the conversation."""
    t(HandedOff(reason))
    t.say("handoff" if reason == "asked" else "handoff_misunderstood")
    tell_wait(t, ctx, ctx.handoffs.status(None))


def tell_wait(t: Tracker, ctx: DialogueContext, status: WaitStatus) -> None:
    """Where the citizen stands: their place, or that nobody can come now (with a call-back offered)."""
    say = ctx.say
    if not status.open_now:
        hours = ctx.handoffs.hours
        days = "、".join(name for day, name in enumerate(say("weekdays").split(","), 1) if day in hours.days)
        t.say("handoff_closed", days=days, hours=hours.window)
    elif status.overdue:
        t.say("handoff_nobody", position=status.ahead + 1)
    else:
        t.say("handoff_queued", position=status.ahead + 1)
        t.offer(say("chip_resume"), say("chip_callback"))
        return
    t.offer(say("chip_callback"), say("chip_resume"))


class HandoffDialogue:
    def __init__(self, ctx: DialogueContext, reprompt: Callable[[Tracker], None]) -> None:
        """`reprompt` asks the form's pending question again (FormDialogue.reprompt) when a handoff ends mid-form."""
        self.ctx = ctx
        self.reprompt = reprompt

    def step(self, t: Tracker, session_id: str, msg: Understood) -> None:
        """A message while in handoff."""
        status = self.ctx.handoffs.status(session_id)
        if msg.commands & {Command.resume, Command.stop_waiting} or status.case is None:
            self._back(t, "left", "handoff_back")
            return
        if status.taken:
            t(SentToAgent(msg.text))  # the agent answers; the assistant says nothing
            return
        if t.state.callback_asked:
            self._callback_phone(t, session_id, msg)
            return
        if Command.callback in msg.commands:
            self._callback(t, session_id)
            return
        t(SentToAgent(msg.text))
        t.say("handoff_noted")
        tell_wait(t, self.ctx, status)

    def handed_back(self, t: Tracker, outcome: str, work_number: str, number: str | None = None, name: str = "") -> None:
        """The agent ends the handoff: handed back (returned), or turned into a work order or 代办."""
        if number is not None:
            t(Submitted(number))
        self._back(t, outcome, f"handoff_{outcome}", work_number=work_number, number=number or "", name=name)

    # -- a call-back work order instead of waiting ------------------------------------------------------

    def _callback(self, t: Tracker, session_id: str) -> None:
        phone = caller_details(self.ctx, t.state).get("phone")
        if phone is None:
            t(CallbackAsked(True))
            t.say("callback_ask_phone")
            t.offer(self.ctx.say("chip_resume"))
            return
        self._file(t, session_id, phone)

    def _callback_phone(self, t: Tracker, session_id: str, msg: Understood) -> None:
        value = parse_value(callback_phone(self.ctx.say), msg.text, self.ctx.today())
        if isinstance(value, Value):
            self._file(t, session_id, value.value)
            return
        t.say("callback_phone_invalid", reason=getattr(value, "message", ""))
        t.offer(self.ctx.say("chip_resume"))

    def _file(self, t: Tracker, session_id: str, phone: str) -> None:
        ctx, s = self.ctx, t.state
        subject = s.form.subject_id if s.form else s.topic
        about = ctx.say("callback_about", name=ctx.name_of(subject)) if subject else ""
        case = ctx.handoffs.open_case(session_id)
        order = ctx.orders.create(WorkOrderDraft(
            type=WorkOrderType.help, summary=ctx.say("callback_summary", about=about), created_by=CITIZEN,
            caller={CallerField.phone: phone}, subject_id=subject, session_id=session_id,
            form_id=f"callback-{case.id}" if case else None,  # a resent message files one order
        ))
        t(Submitted(order.number))
        self._back(t, "callback", "callback_filed", number=order.number, phone=mask(SlotType.phone, phone))

    def _back(self, t: Tracker, outcome: str, key: str, **params: str) -> None:
        t(HandoffEnded(outcome))
        t.say(key, **params)
        if t.state.state in IN_FORM and t.state.form is not None:
            self.reprompt(t)
        else:
            t.offer(*self.ctx.say("popular").split(","))
