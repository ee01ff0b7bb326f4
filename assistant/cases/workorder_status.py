"""The life of a 12345 work order: its types, urgencies, statuses, the changes allowed between them,
and their Chinese names (assistant/data/workorders.yaml).

受理 → 派单 → 办理 → 回访 → 办结; a department may send an order back (退回) while it is dispatched to
it or in hand, and the hotline then dispatches it again to another department (重派). A caller not
satisfied at the follow-up call sends it back to 办理. The transition table is the specification: a
change not listed here is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.common.transitions import TransitionTable
from knowledge.models import SlotType

WORKORDERS_FILE = Path(__file__).resolve().parents[1] / "data" / "workorders.yaml"


class WorkOrderType(str, Enum):
    consult = "consult"
    help = "help"
    complaint = "complaint"
    report = "report"
    suggestion = "suggestion"


class Urgency(str, Enum):
    urgent = "urgent"
    normal = "normal"


class WorkOrderStatus(str, Enum):
    accepted = "accepted"
    dispatched = "dispatched"
    handling = "handling"
    returned = "returned"
    follow_up = "follow_up"
    closed = "closed"


class CallerField(str, Enum):
    name = "name"
    phone = "phone"
    id_number = "id_number"
    address = "address"


# How each caller field is masked (assistant.privacy.masking.mask).
CALLER_SLOT_TYPES: dict[CallerField, SlotType] = {
    CallerField.name: SlotType.person_name,
    CallerField.phone: SlotType.phone,
    CallerField.id_number: SlotType.id_number,
    CallerField.address: SlotType.address,
}


W = WorkOrderStatus
TRANSITIONS = TransitionTable(
    {
        W.accepted: {W.dispatched, W.closed},  # closed at once: a consultation answered on the call
        W.dispatched: {W.handling, W.returned},
        W.handling: {W.follow_up, W.returned},
        W.returned: {W.dispatched},  # 重派, to another department
        W.follow_up: {W.closed, W.handling},  # handling again: the caller was not satisfied
        W.closed: set(),
    },
    states=WorkOrderStatus,
)
# Deadlines are met by reaching these statuses; they count again if the order goes back.
RESPONDED = frozenset({W.handling, W.follow_up, W.closed})
RESOLVED = frozenset({W.follow_up, W.closed})


class BadDispatch(ValueError):
    """A dispatch without a department, a 重派 to the department that sent the order back, or a
    department given with a change that is not a dispatch."""


def dept_after(number: str, current_dept: str, current: WorkOrderStatus, to: WorkOrderStatus, dept: str | None) -> str:
    """The department after a change: dispatching names one (or keeps the one suggested at 受理), 重派
    must name another than the one that sent it back, and no other change may move the order."""
    named = (dept or "").strip()
    if to is not W.dispatched:
        if named and named != current_dept:
            raise BadDispatch(f"{number}: only dispatching changes the department")
        return current_dept
    if current is W.returned:
        if not named or named == current_dept:
            raise BadDispatch(f"{number}: 重派 needs a department other than {current_dept!r}, which sent it back")
        return named
    if not (named or current_dept):
        raise BadDispatch(f"{number}: dispatching needs a department")
    return named or current_dept


def change_name(from_status: WorkOrderStatus | None, to_status: WorkOrderStatus) -> str:
    """The key of a change in the `changes` labels: created, redispatched, reopened or the new status."""
    if from_status is None:
        return "created"
    if (from_status, to_status) == (W.returned, W.dispatched):
        return "redispatched"
    if (from_status, to_status) == (W.follow_up, W.handling):
        return "reopened"
    return to_status.value


CHANGES = ("created", "redispatched", "reopened", *(s.value for s in WorkOrderStatus if s is not W.accepted))


@dataclass(frozen=True)
class WorkOrderLabels:
    types: dict[WorkOrderType, str]
    urgencies: dict[Urgency, str]
    statuses: dict[WorkOrderStatus, str]
    changes: dict[str, str]
    caller_fields: dict[CallerField, str]
    chat_report_type: WorkOrderType


def _labels(raw: dict[str, Any], section: str, keys: list[str], path: Path) -> dict[str, str]:
    given = raw.get(section) or {}
    if missing := [k for k in keys if k not in given]:
        raise ValueError(f"{path}: {section} has no label for {missing}")
    return {k: str(given[k]) for k in keys}


def load_labels(path: Path = WORKORDERS_FILE) -> WorkOrderLabels:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))

    def of(section: str, enum: type[Enum]) -> dict[Any, str]:
        return {enum(k): v for k, v in _labels(raw, section, [e.value for e in enum], path).items()}

    return WorkOrderLabels(
        types=of("types", WorkOrderType),
        urgencies=of("urgencies", Urgency),
        statuses=of("statuses", WorkOrderStatus),
        changes=_labels(raw, "changes", list(CHANGES), path),
        caller_fields=of("caller_fields", CallerField),
        chat_report_type=WorkOrderType(raw["chat_report_type"]),
    )


@lru_cache(maxsize=1)
def default_labels() -> WorkOrderLabels:
    return load_labels()
