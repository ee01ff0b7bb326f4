"""What one turn of the dialogue returns: the reply and everything a screen needs to show it."""

from __future__ import annotations

from pydantic import BaseModel

from assistant.dialogue.session import Line
from assistant.dialogue.states import State


class SubjectRef(BaseModel):
    id: str
    name: str


class SlotView(BaseModel):
    key: str
    label: str
    value: str  # masked: 张*, 110101********4514, 138****8000


class ApplicationRef(BaseModel):
    number: str
    status: str


class Expecting(BaseModel):
    """What the assistant waits for: a slot type, or consent/confirm/clarify; and the choices if any.

    Voice input uses it to listen with a small grammar (yes/no, digits, the choices) when it can.
    """

    kind: str
    choices: list[str] = []


class Turn(BaseModel):
    session_id: str
    reply: str
    state: State
    service: SubjectRef | None = None
    slots: list[SlotView] = []
    missing: list[str] = []  # labels of required fields still to answer
    application: ApplicationRef | None = None
    suggestions: list[str] = []  # quick replies the person can tap or say
    speech: str = ""  # the reply as it is read aloud: no symbols or masked characters, numbers spoken
    expecting: Expecting | None = None
    asking: str | None = None  # the key of the form field whose question is waiting (while filling)
    # The read-back before 确认提交 as the citizen sees it on their own conversation: their answers as
    # they gave them, only an ID number's middle digits masked. Empty otherwise, and for staff.
    readback: list[SlotView] = []


class Conversation(BaseModel):
    """A conversation so far, as its owner saw it, and the turn it stands at (for a reloaded page)."""

    lines: list[Line]
    turn: Turn
