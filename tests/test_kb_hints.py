"""The example answer of every slot (offered after two refusals) is accepted by that slot's own rules."""

from __future__ import annotations

from datetime import date

import pytest

from intents.slot_values import Value, parse_value
from knowledge.base import load_knowledge_base
from settings import REPO_ROOT

KB = load_knowledge_base(REPO_ROOT / "knowledge")
HINTED = [(s, slot) for s in KB.services.values() for slot in s.slots if slot.hint]


@pytest.mark.parametrize(("service", "slot"), HINTED, ids=[f"{s.id}.{slot.name}" for s, slot in HINTED])
def test_a_slot_accepts_its_own_example(service, slot):
    result = parse_value(slot, slot.hint.removeprefix("比如："), date(2026, 11, 23), service.materials)
    assert isinstance(result, Value), result
