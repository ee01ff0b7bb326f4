"""Which department the copilot suggests for a call, never the hotline itself.

The dispatch model (intents.dispatch) learns the hotline as a department, because the city-issue guide
and past orders name it. The hotline receives calls; it is not where they are sent. Its share goes to
the department of the call's matter (intents/data/complaints.yaml: 油烟 to 生态环境/城管, 路灯 to 城管…)
when the call names one; otherwise it is dropped. Under a confidence floor nothing is suggested, and
the reason says what the agent should ask first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.common.messages import Messages
from intents.complaints import ComplaintMatter
from intents.dispatch import DeptScore

_NOTE = re.compile(r"（[^（）]*）$")


@dataclass(frozen=True)
class DispatchAdvice:
    dept: DeptScore | None  # the department suggested; None when none qualifies
    departments: list[DeptScore]  # the first few, most likely first (the hotline never among them)
    reason: str  # why nothing is suggested ("" when a department is)
    reason_key: str


@dataclass(frozen=True)
class DispatchRules:
    not_departments: frozenset[str]  # the hotline, as the data spells it
    min_confidence: float
    reasons: Messages

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DispatchRules:
        d = data["dispatch"]
        return cls(frozenset(str(x) for x in d["not_departments"]), float(d["min_confidence"]), Messages(d["reasons"]))

    def is_department(self, dept: str) -> bool:
        """A department a work order may go to: named, and not the hotline."""
        return bool(dept.strip()) and dept.strip() not in self.not_departments

    def advise(self, scores: Sequence[DeptScore], matter: ComplaintMatter | None, keep: int) -> DispatchAdvice:
        hotline = sum(s.confidence for s in scores if s.dept in self.not_departments)
        others = [s for s in scores if s.dept not in self.not_departments]
        hotline_first = bool(scores) and scores[0].dept in self.not_departments
        if matter is not None and self.is_department(matter.dept):
            others = merged(others, DeptScore(same_department(matter.dept, [s.dept for s in others]), hotline))
        departments = others[:keep]
        if departments and departments[0].confidence >= self.min_confidence:
            return DispatchAdvice(departments[0], departments, "", "")
        key = "no_matter" if hotline_first and matter is None else "unclear"
        return DispatchAdvice(None, departments, self.reasons(key), key)


def same_department(dept: str, known: Sequence[str]) -> str:
    """The model's name for a department the matter names with a note (市场监督管理局（12315） is
    市场监督管理局), so the two shares add up; the matter's own name where the model has none."""
    base = _NOTE.sub("", dept)
    return base if base != dept and base in known else dept


def merged(scores: Sequence[DeptScore], extra: DeptScore) -> list[DeptScore]:
    """The scores with `extra` added to its department (or added as one), most likely first."""
    found = False
    out = []
    for s in scores:
        if s.dept == extra.dept:
            s, found = DeptScore(s.dept, s.confidence + extra.confidence), True
        out.append(s)
    if not found:
        out.append(extra)
    return sorted(out, key=lambda s: -s.confidence)
