"""Handing the conversation to a person: asked for (转人工), or after the third misunderstanding."""

from __future__ import annotations

from assistant.events import HandedOff, Tracker
from assistant.messages import Messages


def hand_off(t: Tracker, say: Messages, reason: str) -> None:
    """`reason`: asked | misunderstood. The form so far stays with the conversation."""
    t(HandedOff(reason))
    t.say("handoff" if reason == "asked" else "handoff_misunderstood")
    t.offer(say("chip_resume"))
