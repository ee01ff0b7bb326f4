"""The one transition-table type: every table in the project is one, and a table with a hole is refused."""

from __future__ import annotations

from enum import Enum

import pytest

from assistant.cases.application_status import TRANSITIONS as APPLICATIONS
from assistant.cases.handoff_queue import ENDED, OPEN, STATES, TAKEABLE, TAKEN, WAITING
from assistant.cases.workorder_status import TRANSITIONS as WORK_ORDERS
from assistant.common.transitions import TransitionTable
from assistant.dialogue.states import TRANSITIONS as DIALOGUE


class Light(Enum):
    red = "red"
    green = "green"
    amber = "amber"


def test_every_table_is_the_one_type() -> None:
    assert all(isinstance(t, TransitionTable) for t in (APPLICATIONS, WORK_ORDERS, DIALOGUE, STATES))


def test_a_state_without_a_row_is_refused() -> None:
    with pytest.raises(ValueError, match="amber"):
        TransitionTable({Light.red: {Light.green}, Light.green: {Light.red}}, states=Light)
    with pytest.raises(ValueError, match="amber"):
        TransitionTable({Light.red: {Light.amber}})


def test_allows_and_sources_read_the_table() -> None:
    table = TransitionTable({Light.red: {Light.green}, Light.green: {Light.amber}, Light.amber: {Light.red}}, states=Light)
    assert table.allows(Light.red, Light.green) and not table.allows(Light.green, Light.red)
    assert table.sources(Light.red) == {Light.amber}
    assert dict(table) == {Light.red: {Light.green}, Light.green: {Light.amber}, Light.amber: {Light.red}}


def test_a_handoff_case_is_taken_only_while_waiting_and_ends_from_either_open_state() -> None:
    assert TAKEABLE == (WAITING,)
    assert set(OPEN) == {WAITING, TAKEN} and STATES[ENDED] == frozenset()
