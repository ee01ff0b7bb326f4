"""The life of an application: its statuses, the changes allowed between them, and their Chinese names.

The transition table is the specification: a change not listed here is refused.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import yaml

from assistant.common.transitions import TransitionTable

STATUSES_FILE = Path(__file__).resolve().parents[1] / "data" / "statuses.yaml"


class ApplicationStatus(str, Enum):
    submitted = "submitted"
    accepted = "accepted"
    in_review = "in_review"
    approved = "approved"
    rejected = "rejected"
    done = "done"


TRANSITIONS = TransitionTable(
    {
        ApplicationStatus.submitted: {ApplicationStatus.accepted},
        ApplicationStatus.accepted: {ApplicationStatus.in_review},
        ApplicationStatus.in_review: {ApplicationStatus.approved, ApplicationStatus.rejected},
        ApplicationStatus.approved: {ApplicationStatus.done},
        ApplicationStatus.rejected: {ApplicationStatus.done},
        ApplicationStatus.done: set(),
    },
    states=ApplicationStatus,
)


def load_status_labels(path: Path = STATUSES_FILE) -> dict[ApplicationStatus, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if missing := [s.value for s in ApplicationStatus if s.value not in raw]:
        raise ValueError(f"{path} has no label for status(es) {missing}")
    return {s: str(raw[s.value]) for s in ApplicationStatus}
