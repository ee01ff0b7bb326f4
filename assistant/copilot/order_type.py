"""The type of work order a 12345 call asks for (咨询, 求助, 投诉, 举报, 建议), guessed from cue words.

The cues live in assistant/data/copilot.yaml under `order_types`, in priority order: a call that
reports wrongdoing and complains about it is a 举报. The call is normalised first, so dialect (冇出粮)
and traditional script meet the same Mandarin cue (没有发工资). A call with no cue is a consultation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.cases.workorder_status import WorkOrderType
from assistant.copilot.config import COPILOT_FILE, load_copilot_data
from intents.normalise import default_normaliser
from intents.slot_text import alternation


@dataclass(frozen=True)
class OrderTypeGuesser:
    cues: tuple[tuple[WorkOrderType, re.Pattern[str]], ...]  # in priority order
    normalise: Callable[[str], str]

    @classmethod
    def from_cues(cls, cues: dict[str, list[str]], normalise: Callable[[str], str] | None = None) -> OrderTypeGuesser:
        table = tuple((WorkOrderType(kind), re.compile(alternation(words))) for kind, words in cues.items() if words)
        return cls(table, normalise or default_normaliser())

    @classmethod
    def load(cls, path: Path = COPILOT_FILE) -> OrderTypeGuesser:
        return cls.from_cues(load_copilot_data(path)["order_types"])

    def guess(self, text: str) -> WorkOrderType:
        said = self.normalise(text)
        return next((kind for kind, pattern in self.cues if pattern.search(said)), WorkOrderType.consult)
