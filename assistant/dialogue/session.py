"""One conversation's state, as the dialogue reads and writes it, and its stored (encrypted) form.

Slot values are personal data: in the stored document each one is a separate AES-GCM token, so the
database never holds a plaintext ID number or phone, and a value can be read without the others.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.dialogue.states import State, check_transition


class FormState(BaseModel):
    """The answers given so far to one service's or bundle's form."""

    form_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    subject_id: str
    values: dict[str, str] = {}  # field key -> canonical value
    displays: dict[str, str] = {}  # field key -> how to read it back (before masking)
    skipped: list[str] = []
    rejections: dict[str, int] = {}
    order: list[str] = []  # keys in the order they were answered, for "上一步"
    asked: str | None = None  # the field whose question is waiting for an answer
    deferred: list[str] = []  # 容缺 materials to bring later
    missing_materials: list[str] = []  # materials that must be ready before submitting
    # Messages said before consent (the request itself: "我叫王秀英，身份证丢了要补办"), read for answers
    # once consent is given, or dropped with the form. Encrypted when stored, like the values.
    kept: list[str] = []
    last_aside: str | None = None  # the guide topic answered last instead of a value (never twice in a row)
    repeats: int = 0  # messages at consent or read-back understood as neither yes nor no nor anything else

    def set(self, key: str, value: str, display: str) -> None:
        self.values[key] = value
        self.displays[key] = display
        self.rejections.pop(key, None)
        if key in self.skipped:
            self.skipped.remove(key)
        if key in self.order:
            self.order.remove(key)
        self.order.append(key)

    def clear(self, key: str) -> None:
        self.values.pop(key, None)
        self.displays.pop(key, None)
        self.rejections.pop(key, None)
        if key in self.skipped:
            self.skipped.remove(key)
        if key in self.order:
            self.order.remove(key)

    def skip(self, key: str) -> None:
        self.clear(key)
        self.skipped.append(key)
        self.order.append(key)

    def reject(self, key: str) -> int:
        self.rejections[key] = self.rejections.get(key, 0) + 1
        return self.rejections[key]


# Lines of the conversation kept for showing it again (a reloaded page): the latest ones, so a long
# conversation does not grow the stored state, which is written back on every turn.
TRANSCRIPT_KEPT = 60


class Line(BaseModel):
    """One message of the conversation as its owner saw it: theirs, or a reply and the quick replies it offered."""

    role: Literal["user", "assistant"]
    text: str
    chips: list[str] = []


class SessionState(BaseModel):
    state: State = State.idle
    previous: State | None = None  # where a handoff came from, to go back on "继续"
    # 服务找人: facts the citizen stated ("我是残疾人": fact -> phrase) and the quick replies last offered
    # (chip -> the service or bundle it starts). Both encrypted when stored: they may tell health data.
    noted: dict[str, str] = {}
    offers: dict[str, str] = {}
    form: FormState | None = None
    suspended: list[FormState] = []  # forms put aside by a switch, newest last
    consented: list[str] = []  # subjects the person agreed to share their data for
    topic: str | None = None  # the service the conversation is about, for follow-up questions
    choices: list[str] = []  # candidate ids offered while clarifying
    applications: list[str] = []  # tracking numbers made in this session
    awaiting_number: bool = False  # asked for a tracking number to look up
    awaiting_factor: str | None = None  # a number looked up, waiting for its phone's last four digits
    awaiting_matter: bool = False  # asked what a complaint is about (物业, 噪音, 油烟…)
    callback_asked: bool = False  # in a handoff nobody answers: asked for a phone for a call-back work order
    turns: int = 0
    misunderstood: int = 0  # messages outside a form not understood, one after another
    # The client's id of the message handled last and the reply it got (lines encrypted when stored): a
    # message sent again because its reply was lost is answered from here, not applied a second time.
    last_message_id: str | None = None
    last_reply: list[str] = []
    last_suggestions: list[str] = []
    # The conversation as its owner saw it (their own values in read-backs), for a reloaded page to show it
    # again. Encrypted when stored (one token), erased with the conversation.
    transcript: list[Line] = []

    def move(self, target: State) -> None:
        self.state = check_transition(self.state, target)

    def suspended_form(self, subject_id: str) -> FormState | None:
        return next((f for f in self.suspended if f.subject_id == subject_id), None)

    def remember(self, message_id: str | None, lines: list[str], suggestions: list[str]) -> None:
        """Keep the reply to an identified message, to send it again if the same message comes again."""
        self.last_message_id = message_id
        self.last_reply = list(lines) if message_id else []
        self.last_suggestions = list(suggestions) if message_id else []

    def note_exchange(self, text: str, reply: list[str], chips: list[str]) -> None:
        """Add a message (none for a conversation the assistant opens, or an agent's hand-back) and its reply
        (none while the conversation is with a person) to the transcript."""
        if text:
            self.transcript.append(Line(role="user", text=text))
        if any(reply):
            self.transcript.append(Line(role="assistant", text="\n".join(reply), chips=list(chips)))
        del self.transcript[:-TRANSCRIPT_KEPT]

    # -- storage -----------------------------------------------------------------------------

    def to_document(self, encrypt: Callable[[str], str]) -> dict[str, Any]:
        doc = self.model_dump(mode="json")
        for key in ("noted", "offers"):  # the names themselves say too much ("disability")
            doc[key] = [encrypt(f"{k}={v}") for k, v in doc[key].items()]
        for form in _forms(doc):
            form["values"] = {k: encrypt(v) for k, v in form["values"].items()}
            form["displays"] = {k: encrypt(v) for k, v in form["displays"].items()}
            form["kept"] = [encrypt(text) for text in form.get("kept", [])]
        # A reply may read back a masked value; its suggestions may name a benefit ("残疾人…补贴").
        for key in ("last_reply", "last_suggestions"):
            doc[key] = [encrypt(line) for line in doc[key]]
        # One token for the whole transcript: one encryption a turn, however long the conversation.
        doc["transcript"] = [encrypt(json.dumps(doc["transcript"], ensure_ascii=False))] if doc["transcript"] else []
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any], decrypt: Callable[[str], str]) -> SessionState:
        for key in ("noted", "offers"):
            doc[key] = dict(decrypt(token).split("=", 1) for token in doc.get(key, []))
        for form in _forms(doc):
            form["values"] = {k: decrypt(v) for k, v in form["values"].items()}
            form["displays"] = {k: decrypt(v) for k, v in form["displays"].items()}
            form["kept"] = [decrypt(text) for text in form.get("kept", [])]
        for key in ("last_reply", "last_suggestions"):
            doc[key] = [decrypt(line) for line in doc.get(key, [])]
        doc["transcript"] = [line for token in doc.get("transcript", []) for line in json.loads(decrypt(token))]
        return cls.model_validate(doc)


def _forms(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return ([doc["form"]] if doc.get("form") else []) + list(doc.get("suspended", []))
