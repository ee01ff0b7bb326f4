"""The dialogue's state machine: the allowed transitions are a table, and nothing else is allowed."""

from __future__ import annotations

import pytest

from assistant.dialogue.session import SessionState
from assistant.dialogue.states import TRANSITIONS, IllegalTransition, State, check_transition

ALLOWED = [
    (State.idle, State.consent),  # routed to a service: ask consent first
    (State.idle, State.clarifying),
    (State.clarifying, State.consent),
    (State.consent, State.filling),
    (State.consent, State.idle),  # consent declined
    (State.filling, State.confirming),
    (State.confirming, State.filling),  # a change after the read-back
    (State.confirming, State.submitted),
    (State.submitted, State.consent),  # the next service
    (State.filling, State.handoff),
    (State.handoff, State.confirming),  # back to where the person was
]
FORBIDDEN = [
    (State.idle, State.confirming),
    (State.idle, State.submitted),
    (State.consent, State.submitted),  # nothing is submitted without a read-back
    (State.filling, State.submitted),
    (State.clarifying, State.submitted),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transitions(current, target):
    assert check_transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transitions_raise(current, target):
    with pytest.raises(IllegalTransition):
        check_transition(current, target)


def test_submitted_is_reachable_only_from_confirming():
    assert [s for s, targets in TRANSITIONS.items() if State.submitted in targets and s is not State.submitted] == [
        State.confirming, State.handoff
    ]


def test_handoff_is_reachable_from_every_state():
    assert all(State.handoff in targets for targets in TRANSITIONS.values())


def test_a_session_moves_only_along_the_table():
    session = SessionState()
    session.move(State.consent)
    session.move(State.filling)
    with pytest.raises(IllegalTransition):
        session.move(State.submitted)
    assert session.state is State.filling
