"""代办: a helpline agent starts a citizen's application from a call, with what the caller already said.

The caller's details found in the call fill the form's first slot of each matching type (name, ID
number, phone, address); each value still goes through the slot's own validation. The caller's
consent is given on the call and recorded with the agent's name.
"""

from __future__ import annotations

from datetime import date

from assistant.common.forms import FormSpec
from assistant.dialogue.events import Tracker, apply_turn, render
from assistant.dialogue.filling import FormFiller, Reply
from assistant.dialogue.session import FormState, SessionState
from assistant.dialogue.states import State
from intents.slot_values import Value, parse_value
from knowledge.models import SlotType

PREFILLED_TYPES = {"name": SlotType.person_name, "id_number": SlotType.id_number, "phone": SlotType.phone,
                   "address": SlotType.address}


def prefilled_session(spec: FormSpec, caller: dict[str, str], filler: FormFiller, today: date) -> tuple[SessionState, Reply]:
    """A new conversation already in `filling`, with the caller's details in place and the next question asked."""
    form = FormState(subject_id=spec.subject_id)
    for detail, slot_type in PREFILLED_TYPES.items():
        if detail not in caller:
            continue
        field = next((f for f in filler.applicable(form) if f.slot.type is slot_type and f.key not in form.values), None)
        if field is None:
            continue
        value = parse_value(field.slot, caller[detail], today, spec.materials)
        if isinstance(value, Value):
            form.set(field.key, value.value, value.display)
    session = SessionState(state=State.filling, form=form, consented=[spec.subject_id], topic=spec.subject_id)
    t = Tracker(session)
    following = filler.next_field(form)
    if following is not None:
        filler.ask(t, following.key)
    apply_turn(session, t.events)
    rendered = render(t.events, filler.say)
    return session, Reply(lines=rendered.lines, suggestions=rendered.suggestions)
