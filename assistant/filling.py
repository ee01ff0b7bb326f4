"""Filling one form: which question comes next, taking answers, refusing wrong ones without looping,
the materials pre-check (智能预审), and the read-back before submitting.

Pure logic over a FormSpec and a FormState; it never touches the database or the router.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from assistant.forms import MATERIALS_KEY, FormField, FormSpec
from assistant.masking import mask
from assistant.messages import Messages
from assistant.session import FormState
from intents.slot_extraction import Extraction
from intents.slot_values import Invalid, Value
from knowledge.models import Slot, SlotType

if TYPE_CHECKING:
    from intents.router import RoutingResult

# After this many refusals of one field the question comes with an example, the choices, a way to
# skip (optional fields) and the offer of a human: the person is never asked the same way a third time.
HELP_AFTER = 2
# A bare yes/no question outside any form (consent, confirmation).
YES_NO = Slot(name="answer", label="回答", type=SlotType.yes_no, ask="是吗？")


@dataclass
class Reply:
    lines: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    routed: RoutingResult | None = None  # what the router said, when this turn asked it (for analytics)

    def add(self, text: str) -> None:
        if text:
            self.lines.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class FormFiller:
    def __init__(self, spec: FormSpec, say: Messages, today: date) -> None:
        self.spec = spec
        self.say = say
        self.today = today

    # -- what is left ----------------------------------------------------------------------------

    def applicable(self, form: FormState) -> list[FormField]:
        return [f for f in self.spec.fields if f.applies(form.values)]

    def next_field(self, form: FormState) -> FormField | None:
        return next((f for f in self.applicable(form) if f.key not in form.values and f.key not in form.skipped), None)

    def missing(self, form: FormState) -> list[str]:
        return [f.label for f in self.applicable(form) if f.required and f.key not in form.values]

    def prune(self, form: FormState) -> None:
        """Drop answers to questions that no longer apply (the answer they depended on changed)."""
        keep = {f.key for f in self.applicable(form)}
        for key in [k for k in form.values if k not in keep]:
            form.clear(key)

    # -- asking ------------------------------------------------------------------------------------

    def ask(self, form: FormState, reply: Reply, help_: bool = False) -> None:
        target = self.next_field(form) if form.asked is None or form.asked in form.values else self.spec.field(form.asked)
        if target is None:
            return
        form.asked = target.key
        slot = target.slot
        question = slot.ask if slot.required else self.say("ask_optional", question=slot.ask)
        if target.key == MATERIALS_KEY:
            items = "\n".join(f"{i}. {m.name}" for i, m in enumerate(self.spec.materials, start=1))
            question = self.say("materials_list", question=slot.ask, list=items)
            reply.suggestions += [self.say("chip_all_materials")]
        if help_:
            reply.add(self._help(target))
        reply.add(question)
        reply.suggestions += self._chips(target, help_)

    def _help(self, target: FormField) -> str:
        slot = target.slot
        parts = [self.say("rejected_again")]
        if slot.hint:
            parts.append(self.say("help_example", hint=slot.hint.removeprefix("比如：")))
        if slot.choices:
            parts.append(self.say("help_choices", choices="、".join(c.label for c in slot.choices)))
        if not slot.required:
            parts.append(self.say("help_skip"))
        parts.append(self.say("help_human"))
        return "".join(parts)

    def _chips(self, target: FormField, help_: bool) -> list[str]:
        slot = target.slot
        chips = [c.label for c in slot.choices]
        if slot.type is SlotType.yes_no:
            chips += [self.say("chip_yes_answer"), self.say("chip_no_answer")]
        if not slot.required:
            chips.append(self.say("chip_skip"))
        if help_:
            chips.append(self.say("chip_human"))
        return chips

    # -- answers -----------------------------------------------------------------------------------

    def take(self, form: FormState, extraction: Extraction) -> list[str]:
        """Store every accepted value that belongs to a question still applicable; return the keys."""
        taken = []
        for key, value in extraction.values.items():
            if not self.spec.has(key) or not self.spec.field(key).applies(form.values | {key: value.value}):
                continue
            if key == MATERIALS_KEY:
                if not self._take_materials(form, value):
                    continue
            else:
                form.set(key, value.value, value.display)
            taken.append(key)
        self.prune(form)
        return taken

    def _take_materials(self, form: FormState, value: Value) -> bool:
        have = set(json.loads(value.value))
        lacking = [m for i, m in enumerate(self.spec.materials) if i not in have]
        form.missing_materials = [m.name for m in lacking if not m.deferrable]
        form.deferred = [m.name for m in lacking if m.deferrable]
        if form.missing_materials:
            return False
        form.set(MATERIALS_KEY, value.value, self.materials_display(form))
        return True

    def materials_display(self, form: FormState) -> str:
        if form.deferred:
            return self.say("materials_deferred", deferred="、".join(form.deferred))
        return self.say("chip_all_materials")

    def refuse(self, form: FormState, key: str, problem: Invalid | None, reply: Reply) -> None:
        """Say what is wrong in one sentence, then ask again — with help from the second refusal on."""
        count = form.reject(key)
        reply.add(problem.message if problem else self.say("not_understood"))
        form.asked = key
        self.ask(form, reply, help_=count >= HELP_AFTER)

    def materials_shortfall(self, form: FormState, reply: Reply) -> None:
        reply.add(self.say("materials_missing", missing="、".join(form.missing_materials)))
        reply.suggestions += [self.say("chip_materials_ready"), self.say("chip_human")]

    # -- read-back ---------------------------------------------------------------------------------

    def readback(self, form: FormState) -> str:
        lines = [
            self.say("confirm_line", label=f.label, value=mask(f.slot.type, form.displays[f.key]))
            for f in self.applicable(form)
            if f.key in form.values
        ]
        return self.say("confirm", lines="\n".join(lines))

    def views(self, form: FormState) -> list[tuple[str, str, str]]:
        """(key, label, masked value) of every answer, in form order."""
        return [
            (f.key, f.label, mask(f.slot.type, form.displays[f.key])) for f in self.applicable(form) if f.key in form.values
        ]
