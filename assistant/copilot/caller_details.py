"""Caller details said anywhere in a call (name, phone, ID number, address, dates, amounts), for the
work-order form: each with its raw value, kept server-side, and its masked form for the screen.

The details are read as slots of a form nobody asked (the slot list is in assistant/data/copilot.yaml)
with intents.slot_extraction, sentence by sentence, so a later sentence that corrects a value ("电话
说错了，是139…") wins. An address said without the word 地址 ("我住在…") is read after its lead-in.
The same cues tell which clauses give details, so the service can be found from the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.copilot.config import COPILOT_FILE, load_copilot_data
from assistant.privacy.masking import mask
from intents.addresses import parse_address
from intents.slot_extraction import extract
from intents.slot_text import Value, alternation, clauses, prepare
from knowledge.models import Slot, SlotType

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_LONG_NUMBER = re.compile(r"\d{7}")


@dataclass(frozen=True)
class CallerDetail:
    name: str  # the field: name, phone, id_number, address, date, amount
    label: str
    type: SlotType
    value: str  # the value as said and checked; never sent to a screen unless revealed
    display: str
    masked: str

    def to_dict(self, reveal: bool = False) -> dict:
        shown = {"name": self.name, "label": self.label, "type": self.type.value, "masked": self.masked}
        return shown | ({"value": self.value, "display": self.display} if reveal else {})


def sentences(text: str) -> list[str]:
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


class CallerDetailReader:
    def __init__(self, slots: Sequence[Slot], address_lead_ins: Sequence[str], detail_cues: Sequence[str] = ()) -> None:
        self.slots = list(slots)
        self._address = next((s for s in self.slots if s.type is SlotType.address), None)
        self._lead_in = re.compile(f"(?:{alternation(address_lead_ins)})") if address_lead_ins else None
        cues = [*address_lead_ins, *detail_cues]
        self._detail = re.compile(f"(?:{alternation(cues)})") if cues else None
        # Cues after which a personal detail follows (not 就在/位置在, which place a public spot).
        personal = [*detail_cues, *(c for c in address_lead_ins if "住" in c or c.startswith("家"))]
        self._personal = re.compile(f"(?:{alternation(personal)})") if personal else None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CallerDetailReader:
        fields = [Slot.model_validate(s) for s in data["fields"]]
        return cls(fields, data.get("address_lead_ins") or [], data.get("detail_cues") or [])

    @classmethod
    def load(cls, path: Path = COPILOT_FILE) -> CallerDetailReader:
        return cls.from_data(load_copilot_data(path))

    def read(self, transcript: str, today: date) -> list[CallerDetail]:
        """Every detail found in the call, in the order of the slot list; the last value said wins."""
        found: dict[str, Value] = {}
        for sentence in sentences(transcript):
            found |= extract(self.slots, None, sentence, today).values
            if self._address is not None and (place := self._placed_address(sentence)) is not None:
                found[self._address.name] = place
        return [
            CallerDetail(s.name, s.label, s.type, found[s.name].value, found[s.name].display, mask(s.type, found[s.name].value))
            for s in self.slots if s.name in found
        ]

    def without_details(self, text: str) -> str:
        """The text less the clauses that give the caller's details (name, numbers, address), each
        clause kept with the punctuation after it."""
        text = prepare(text)
        spans = clauses(text)
        kept = []
        for i, (start, end) in enumerate(spans):
            clause = text[start:end]
            if _LONG_NUMBER.search(re.sub(r"[\s-]", "", clause)) or (self._detail is not None and self._detail.search(clause)):
                continue
            kept.append(text[start : spans[i + 1][0] if i + 1 < len(spans) else len(text)])
        return "".join(kept).strip()

    def mask_details(self, text: str) -> str:
        """The text with what follows a detail cue in its clause masked (我叫张三 → 我叫**, 我住在… →
        我住在**); everything else kept as written. Long numbers are left to assistant.privacy.masking."""
        if self._personal is None:
            return text
        pattern = self._personal
        return re.sub(r"[^，,。！？!?；;\n]+", lambda m: _masked_after_cue(pattern, m.group(0)), text)

    def _placed_address(self, sentence: str) -> Value | None:
        """An address after a lead-in (我住在广州市白云区…), up to the end of its clause."""
        if self._lead_in is None or (lead := self._lead_in.search(sentence)) is None:
            return None
        clause = re.split(r"[，,。！？!?；;\s]", sentence[lead.end():], maxsplit=1)[0]
        value = parse_address(clause, None)
        return value if isinstance(value, Value) else None


def _masked_after_cue(cue: re.Pattern[str], clause: str) -> str:
    found = cue.search(clause)
    if found is None or not clause[found.end():].strip(" 是为：:"):
        return clause
    return clause[: found.end()] + "**"
