"""The example answer of every slot (offered after two refusals) is worked out for the day it is shown
and accepted by that slot's own rules, whatever that day is."""

from __future__ import annotations

from datetime import date

import pytest

from intents.slot_values import Value, example_for, parse_value
from knowledge.base import load_knowledge_base
from knowledge.models import SlotType
from settings import REPO_ROOT

KB = load_knowledge_base(REPO_ROOT / "knowledge")
# A Monday, a month's last day, a leap day, the year's first and last days: a date slot's example
# must hold on each; other examples do not depend on the day.
DAYS = [date(2026, 11, 23), date(2027, 1, 31), date(2028, 2, 29), date(2029, 1, 1), date(2030, 12, 31)]
CASES = [
    (service, slot, today)
    for service in KB.services.values()
    for slot in service.slots
    if slot.hint or slot.type is SlotType.date
    for today in (DAYS if slot.type is SlotType.date or "{date" in slot.hint else DAYS[:1])
]


@pytest.mark.parametrize(("service", "slot", "today"), CASES, ids=[f"{s.id}.{slot.name}-{d}" for s, slot, d in CASES])
def test_a_slot_accepts_its_own_example(service, slot, today):
    result = parse_value(slot, example_for(slot, today), today, service.materials)
    assert isinstance(result, Value), result
