"""Filling one form: which question comes next, taking answers, refusing wrong ones without looping,
the materials pre-check (智能预审), and the read-back before submitting.

Pure logic over a FormSpec and the step's Tracker: it returns what happened as events and message
keys, and never touches the database or the router.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from assistant.common.forms import MATERIALS_KEY, FormField, FormSpec
from assistant.common.messages import Messages
from assistant.dialogue.events import (
    Asked,
    ConsentRecorded,
    Event,
    MaterialsChecked,
    Private,
    Said,
    SlotCleared,
    SlotRejected,
    SlotSet,
    SlotSkipped,
    Tracker,
)
from assistant.dialogue.session import FormState
from assistant.privacy.masking import mask, own_view
from intents.slot_extraction import Extraction
from intents.slot_values import Invalid, Value, differs, example_for
from knowledge.models import Slot, SlotType

if TYPE_CHECKING:
    from intents.router import RoutingResult

# The second time an answer to one question is not understood, the question comes with a concrete way
# on (an example, the choices, 跳过 where optional, 转人工); the third time an optional question is
# skipped and a required one is handed to a person. The same question is never asked a fourth time.
HELP_AFTER = 2
GIVE_UP_AFTER = 3


def yes_no_slot(say: Messages) -> Slot:
    """A bare yes/no question outside any form (consent, confirmation)."""
    return Slot(name="answer", label=say("yes_no_label"), type=SlotType.yes_no, ask=say("yes_no_ask"))


# How a value is shown: masked (anyone else) or as its owner sees it.
Show = Callable[[SlotType, str], str]


@dataclass
class Reply:
    lines: list[str] = field(default_factory=list)  # personal values masked: for logs, analytics, staff
    own_lines: list[str] | None = None  # the reply as the person whose answers it reads back sees it
    suggestions: list[str] = field(default_factory=list)
    routed: RoutingResult | None = None  # what the router said, when this turn asked it (for analytics)
    consents: list[ConsentRecorded] = field(default_factory=list)  # written once the turn is saved
    handoff: list[Event] = field(default_factory=list)  # what the handoff queue records with the turn

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def shown(self, owner: bool) -> list[str]:
        """The lines for whoever sent the message: its owner, or staff going on with it (masked)."""
        return self.own_lines if owner and self.own_lines is not None else self.lines


class FormFiller:
    def __init__(self, spec: FormSpec, say: Messages, today: date) -> None:
        self.spec = spec
        self.say = say
        self.today = today
        self._slots = {f.key: f.slot for f in spec.fields}

    # -- what is left ----------------------------------------------------------------------------

    def applicable(self, form: FormState) -> list[FormField]:
        return [f for f in self.spec.fields if f.applies(form.values)]

    def next_field(self, form: FormState) -> FormField | None:
        return next((f for f in self.applicable(form) if f.key not in form.values and f.key not in form.skipped), None)

    def missing(self, form: FormState) -> list[str]:
        return [f.label for f in self.applicable(form) if f.required_for(form.values) and f.key not in form.values]

    def required(self, form: FormState, key: str) -> bool:
        return self.spec.field(key).required_for(form.values)

    # -- asking ------------------------------------------------------------------------------------

    def ask(self, t: Tracker, key: str, help_: bool = False) -> None:
        """Ask the question of field `key` (it becomes the one waiting for an answer)."""
        form = t.state.form
        assert form is not None
        target = self.spec.field(key)
        if form.asked != key:
            t(Asked(key))
        slot = target.slot
        if help_:
            t(self._help(target, form))
        if key == MATERIALS_KEY:
            items = "\n".join(f"{i}. {m.name}" for i, m in enumerate(self.spec.materials_for(form.values), start=1))
            t.say("materials_list", question=slot.ask, list=items)
            t.offer(self.say("chip_all_materials"))
        elif self.required(form, key):
            t.say("ask", question=slot.ask)
        else:
            t.say("ask_optional", question=slot.ask)
        t.offer(*self._chips(target, form, help_))

    def _help(self, target: FormField, form: FormState) -> Said:
        slot = target.slot
        parts = {"example": "", "choices": "", "skip": ""}
        if slot.hint or slot.type is SlotType.date:
            parts["example"] = self.say("help_example", hint=example_for(slot, self.today))
        if slot.choices:
            parts["choices"] = self.say("help_choices", choices="、".join(c.label for c in slot.choices))
        if not self.required(form, target.key):
            parts["skip"] = self.say("help_skip")
        return Said("help", parts)

    def _chips(self, target: FormField, form: FormState, help_: bool) -> list[str]:
        slot = target.slot
        chips = [c.label for c in slot.choices]
        if slot.type is SlotType.yes_no:
            chips += [self.say("chip_yes_answer"), self.say("chip_no_answer")]
        if not self.required(form, target.key):
            chips.append(self.say("chip_skip"))
        if help_:
            chips.append(self.say("chip_human"))
        return chips

    # -- answers -----------------------------------------------------------------------------------

    def take(self, t: Tracker, extraction: Extraction, source: str = "answer") -> list[str]:
        """Set every accepted value that belongs to a question still applicable; return the keys."""
        form = t.state.form
        assert form is not None
        taken = []
        for key, value in extraction.values.items():
            if not self.spec.has(key) or not self.spec.field(key).applies(form.values | {key: value.value}):
                continue
            if (same := differs(self.spec.field(key).slot, value, form.values, self._slots)) is not None:
                extraction.errors[key] = same  # the partner is not the applicant
                continue
            if key == MATERIALS_KEY:
                if not self._take_materials(t, value):
                    continue
            else:
                t(SlotSet(key, value.value, value.display, source))
            taken.append(key)
        self._prune(t)
        return taken

    def _prune(self, t: Tracker) -> None:
        """Drop answers to questions that no longer apply (the answer they depended on changed)."""
        form = t.state.form
        assert form is not None
        keep = {f.key for f in self.applicable(form)}
        for key in [k for k in form.values if k not in keep]:
            t(SlotCleared(key))

    def _take_materials(self, t: Tracker, value: Value) -> bool:
        have = set(json.loads(value.value))
        form = t.state.form
        assert form is not None
        lacking = [m for i, m in enumerate(self.spec.materials_for(form.values)) if i not in have]
        missing = tuple(m.name for m in lacking if not m.deferrable)
        deferred = tuple(m.name for m in lacking if m.deferrable)
        t(MaterialsChecked(missing, deferred))
        if missing:
            return False
        display = self.say("materials_deferred", deferred="、".join(deferred)) if deferred else self.say("chip_all_materials")
        t(SlotSet(MATERIALS_KEY, value.value, display))
        return True

    def refuse(self, t: Tracker, key: str, problem: Invalid | None) -> int:
        """Say what is wrong in one sentence and ask again, with help from the second time on. Returns how
        many times this question has now been refused (the caller gives up on the third)."""
        form = t.state.form
        assert form is not None
        reason = problem.message if problem else self.say("not_understood")
        t(SlotRejected(key, reason))
        count = form.rejections.get(key, 0)
        if count >= GIVE_UP_AFTER:
            return count
        t.say("refused", reason=reason)
        self.ask(t, key, help_=count >= HELP_AFTER)
        return count

    def skip(self, t: Tracker, key: str, reason: str = "asked") -> None:
        t(SlotSkipped(key, reason))

    def materials_shortfall(self, t: Tracker) -> None:
        form = t.state.form
        assert form is not None
        t.say("materials_missing", missing="、".join(form.missing_materials))
        t.offer(self.say("chip_materials_ready"), self.say("chip_human"))

    # -- read-back ---------------------------------------------------------------------------------

    def readback(self, form: FormState) -> Said:
        """Everything answered, to confirm: its owner reads their own values back (only an ID number's
        middle digits masked), anyone else (logs, analytics, staff going on with it) the masked ones."""
        def lines(show: Show) -> str:
            return "\n".join(self.say("confirm_line", label=label, value=value) for _, label, value in self.views(form, show))

        return Said("confirm", {"lines": Private(masked=lines(mask), own=lines(own_view))})

    def views(self, form: FormState, show: Show = mask) -> list[tuple[str, str, str]]:
        """(key, label, value as `show` shows it: masked unless told) of every answer, in form order."""
        return [
            (f.key, f.label, show(f.slot.type, form.displays[f.key])) for f in self.applicable(form) if f.key in form.values
        ]
