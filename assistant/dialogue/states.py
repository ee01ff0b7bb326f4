"""The dialogue's states and the transitions allowed between them.

The table is the specification: a transition not listed here is a bug, and `move` raises rather
than letting the conversation drift into a state the web app cannot show.
"""

from __future__ import annotations

from enum import Enum

from assistant.common.transitions import TransitionTable


class State(str, Enum):
    idle = "idle"  # nothing under way: the next message is routed
    clarifying = "clarifying"  # the assistant asked which of a few services was meant
    consent = "consent"  # the assistant said what it will collect and asked for consent
    filling = "filling"  # asking the form's questions one at a time
    confirming = "confirming"  # every field read back; waiting for 确认 or a change
    submitted = "submitted"  # an application was created; the next message starts afresh
    handoff = "handoff"  # passed to a human agent


_ANY_START = {State.idle, State.clarifying, State.consent, State.filling, State.handoff}

TRANSITIONS = TransitionTable(
    {
        State.idle: _ANY_START,
        State.clarifying: _ANY_START,
        State.consent: _ANY_START,
        State.filling: _ANY_START | {State.confirming},
        State.confirming: _ANY_START | {State.confirming, State.submitted},
        State.submitted: _ANY_START | {State.submitted},
        # A person handed to an agent may come back ("继续") to whatever they were doing.
        State.handoff: set(State),
    },
    states=State,
)


class IllegalTransition(RuntimeError):
    pass


def check_transition(current: State, target: State) -> State:
    if not TRANSITIONS.allows(current, target):
        raise IllegalTransition(f"{current.value} → {target.value} is not an allowed transition")
    return target
