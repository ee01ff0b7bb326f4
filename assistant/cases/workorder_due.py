"""When a work order must be taken up and resolved, by urgency, and whether it is late.

The limits are data (the `due` section of assistant/data/workorders.yaml, or a file of the same shape
given to load_due_rules); the deadlines are fixed when the order is accepted, so changing the rules
later does not move the deadlines of orders already taken.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.cases.working_days import add_working_days_at
from assistant.cases.workorder_status import RESOLVED, RESPONDED, WORKORDERS_FILE, Urgency, WorkOrderStatus


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Span(_Strict):
    """A time limit: clock hours, or working days (same time of day, weekends skipped)."""

    hours: int | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_unit(self) -> Span:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("give exactly one of hours, working_days")
        return self

    def after(self, start: datetime) -> datetime:
        if self.hours is not None:
            return start + timedelta(hours=self.hours)
        assert self.working_days is not None
        return add_working_days_at(start, self.working_days)


class DueRule(_Strict):
    respond: Span
    resolve: Span


class DueRules(_Strict):
    urgent: DueRule
    normal: DueRule

    def for_urgency(self, urgency: Urgency) -> DueRule:
        return getattr(self, urgency.value)


def load_due_rules(path: Path = WORKORDERS_FILE) -> DueRules:
    """The `due` section of a YAML file (the shipped defaults unless another file is given)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return DueRules.model_validate(raw["due"])


def deadlines(rules: DueRules, urgency: Urgency, accepted_at: datetime) -> tuple[datetime, datetime]:
    """(respond by, resolve by), counted in the local time of accepted_at (weekends are local)."""
    rule = rules.for_urgency(urgency)
    return rule.respond.after(accepted_at), rule.resolve.after(accepted_at)


def response_overdue(status: WorkOrderStatus, respond_due: datetime, now: datetime) -> bool:
    return status not in RESPONDED and now > respond_due


def resolve_overdue(status: WorkOrderStatus, resolve_due: datetime, now: datetime) -> bool:
    return status not in RESOLVED and now > resolve_due
