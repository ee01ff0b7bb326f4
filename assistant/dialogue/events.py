"""What a dialogue step says happened, the one place that applies it, and the one place that words it.

A step (assistant/dialogue/policy.py, assistant/dialogue/form_dialogue.py) reads the conversation and the understood
message and returns events, in the manner of Rasa's forms: a slot set, a slot rejected, a question
answered, a switch, a handoff, a submission, and what was said as message keys. `apply` is the only
code that changes a SessionState on the dialogue's behalf; `render` is the only code that turns the
message keys into the reply, from assistant/data/messages.yaml. Tests assert the exact events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from assistant.common.messages import Messages
from assistant.dialogue.session import FormState, SessionState
from assistant.dialogue.states import State


@dataclass(frozen=True)
class Said:
    """One sentence of the reply: a message key and its placeholders."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Private:
    """A placeholder's value as its owner may see it (`own`: the person whose answers these are, on their
    own conversation) and as anyone else may (`masked`). `render` words a line both ways; str() and
    format() give the masked form, so whatever words it without asking gets the safe one."""

    masked: str
    own: str

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)


@dataclass(frozen=True)
class Offered:
    """Quick replies the person can tap or say."""

    chips: tuple[str, ...]


@dataclass(frozen=True)
class Moved:
    to: State


@dataclass(frozen=True)
class FormOpened:
    subject_id: str


@dataclass(frozen=True)
class FormClosed:
    """The open form is done with: submitted, cancelled, or declined at consent."""


@dataclass(frozen=True)
class FormSetAside:
    """The open form is kept aside (a switch to another service); "继续" brings it back."""


@dataclass(frozen=True)
class FormResumed:
    subject_id: str


@dataclass(frozen=True)
class FormRestarted:
    pass


@dataclass(frozen=True)
class ConsentRecorded:
    subject_id: str
    purpose: str
    fields: tuple[str, ...]
    granted: bool


@dataclass(frozen=True)
class MessageKept:
    """A message that came before consent, kept (encrypted) to be read for answers once consent is given."""

    text: str


@dataclass(frozen=True)
class KeptMessagesUsed:
    pass


@dataclass(frozen=True)
class SlotSet:
    key: str
    value: str
    display: str
    source: str = "answer"  # answer | earlier (a message before the question) | correction


@dataclass(frozen=True)
class SlotRejected:
    key: str
    reason: str  # why: the validator's message, or a message key


@dataclass(frozen=True)
class SlotSkipped:
    key: str
    reason: str = "asked"  # asked (跳过) | tries (not understood three times)


@dataclass(frozen=True)
class SlotCleared:
    key: str


@dataclass(frozen=True)
class Asked:
    key: str | None


@dataclass(frozen=True)
class MaterialsChecked:
    missing: tuple[str, ...]
    deferred: tuple[str, ...]


@dataclass(frozen=True)
class QuestionAnswered:
    subject_id: str | None
    topic: str  # a guide topic (materials, time…), or "passage" for an answer found by the router


@dataclass(frozen=True)
class StepRepeated:
    """A message at consent or read-back that was neither yes nor no nor anything else understood."""

    count: int


@dataclass(frozen=True)
class TopicSet:
    subject_id: str | None


@dataclass(frozen=True)
class ChoicesOffered:
    ids: tuple[str, ...]


@dataclass(frozen=True)
class AwaitingNumber:
    waiting: bool


@dataclass(frozen=True)
class AwaitingFactor:
    """Asked for the last four digits of the phone given with a case this conversation did not file
    (`number`), or done with it (None)."""

    number: str | None


@dataclass(frozen=True)
class AwaitingMatter:
    """Asked what a complaint is about, or answered."""

    waiting: bool


@dataclass(frozen=True)
class OffersMade:
    offers: Mapping[str, str]  # quick reply -> the service or bundle it starts


@dataclass(frozen=True)
class FactsNoted:
    facts: Mapping[str, str]


@dataclass(frozen=True)
class HandedOff:
    reason: str  # asked (转人工) | misunderstood (the third time)


@dataclass(frozen=True)
class HandoffEnded:
    """Back to the assistant. `outcome`: left (the citizen said 继续/算了), returned (the agent handed
    back), callback (a call-back work order was filed), workorder or on_behalf (the agent turned it into one)."""

    outcome: str = "left"


@dataclass(frozen=True)
class SentToAgent:
    """A message said during a handoff: it goes to the person (waiting or taken), not to the assistant."""

    text: str


@dataclass(frozen=True)
class CallbackAsked:
    """Asked for a phone number for a call-back work order, or done with it."""

    waiting: bool


@dataclass(frozen=True)
class Switched:
    to: str


@dataclass(frozen=True)
class Submitted:
    number: str


@dataclass(frozen=True)
class Misunderstood:
    """A message outside any form that was not understood; the third in a row hands off."""


Event = Union[  # noqa: UP007 -- one runtime alias of 33 classes: Union[...] wraps more readably than 33 `|`
    Said, Offered, Moved, FormOpened, FormClosed, FormSetAside, FormResumed, FormRestarted, ConsentRecorded,
    MessageKept, KeptMessagesUsed, SlotSet, SlotRejected, SlotSkipped, SlotCleared, Asked, MaterialsChecked,
    QuestionAnswered, StepRepeated, TopicSet, ChoicesOffered, AwaitingNumber, AwaitingFactor, AwaitingMatter, OffersMade, FactsNoted, HandedOff,
    HandoffEnded, SentToAgent, CallbackAsked, Switched, Submitted, Misunderstood,
]


def apply(s: SessionState, event: Event) -> None:
    """Apply one event to the conversation. Said, Offered and the informational events change nothing."""
    form = s.form
    match event:
        case Moved(to=to):
            s.move(to)
        case FormOpened(subject_id=subject_id):
            s.form = FormState(subject_id=subject_id)
            s.topic = subject_id
        case FormClosed():
            s.form = None
        case FormSetAside():
            assert form is not None
            s.suspended = [f for f in s.suspended if f.subject_id != form.subject_id] + [form]
            s.form = None
        case FormResumed(subject_id=subject_id):
            resumed = s.suspended_form(subject_id)
            assert resumed is not None
            s.suspended.remove(resumed)
            if form is not None and form.subject_id != subject_id:
                s.suspended.append(form)
            s.form = resumed
            s.topic = subject_id
        case FormRestarted():
            assert form is not None
            s.form = FormState(subject_id=form.subject_id)
        case ConsentRecorded(subject_id=subject_id, granted=granted):
            if granted and subject_id not in s.consented:
                s.consented.append(subject_id)
        case MessageKept(text=text):
            assert form is not None
            form.kept.append(text)
        case KeptMessagesUsed():
            assert form is not None
            form.kept = []
        case SlotSet(key=key, value=value, display=display):
            assert form is not None
            form.set(key, value, display)
            form.last_aside = None
        case SlotRejected(key=key):
            assert form is not None
            form.reject(key)
        case SlotSkipped(key=key):
            assert form is not None
            form.skip(key)
        case SlotCleared(key=key):
            assert form is not None
            form.clear(key)
        case Asked(key=key):
            assert form is not None
            form.asked = key
        case MaterialsChecked(missing=missing, deferred=deferred):
            assert form is not None
            form.missing_materials, form.deferred = list(missing), list(deferred)
        case QuestionAnswered(topic=topic):
            if form is not None:
                form.last_aside = topic
        case StepRepeated(count=count):
            if form is not None:
                form.repeats = count
        case TopicSet(subject_id=subject_id):
            s.topic = subject_id
        case ChoicesOffered(ids=ids):
            s.choices = list(ids)
        case AwaitingNumber(waiting=waiting):
            s.awaiting_number = waiting
        case AwaitingFactor(number=number):
            s.awaiting_factor = number
        case AwaitingMatter(waiting=waiting):
            s.awaiting_matter = waiting
        case OffersMade(offers=offers):
            s.offers = dict(offers)
        case FactsNoted(facts=facts):
            s.noted.update(facts)
        case HandedOff():
            s.previous = s.state
            s.move(State.handoff)
        case HandoffEnded():
            back = s.previous or State.idle
            s.state, s.previous = back, None  # handoff may return to any state (see TRANSITIONS)
            s.callback_asked = False
        case CallbackAsked(waiting=waiting):
            s.callback_asked = waiting
        case Submitted(number=number):
            s.applications.append(number)
        case Misunderstood():
            s.misunderstood += 1
        case Said() | Offered() | Switched() | SentToAgent():
            pass


def apply_turn(s: SessionState, events: Iterable[Event]) -> None:
    """Apply a whole step's events: misunderstandings count only while they come one after another."""
    events = list(events)
    for event in events:
        apply(s, event)
    if not any(isinstance(e, Misunderstood) for e in events):
        s.misunderstood = 0


@dataclass
class Rendered:
    lines: list[str]  # Private values masked: for logs, analytics, staff screens
    suggestions: list[str]
    own_lines: list[str] = field(default_factory=list)  # Private values as their owner sees them


def render(events: Iterable[Event], say: Messages) -> Rendered:
    """The reply: each Said as one line from its message key, and the quick replies in order, once each.
    A line with Private values is worded twice: masked, and as the person they belong to sees it."""
    lines: list[str] = []
    own_lines: list[str] = []
    chips: list[str] = []
    for event in events:
        if isinstance(event, Said):
            if text := say(event.key, **event.params):
                lines.append(text)
                private = any(isinstance(v, Private) for v in event.params.values())
                own_lines.append(say(event.key, **_owned(event.params)) if private else text)
        elif isinstance(event, Offered):
            chips += [c for c in event.chips if c and c not in chips]
    return Rendered(lines, chips, own_lines)


def _owned(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.own if isinstance(v, Private) else v for k, v in params.items()}


def said_keys(events: Iterable[Event]) -> list[str]:
    """The message keys of a step, in order (what dialogue tests compare)."""
    return [e.key for e in events if isinstance(e, Said)]


class Tracker:
    """A step's working copy of the conversation: each event is applied to the copy as it happens, so
    later decisions in the same step see it, and kept in order to be returned."""

    def __init__(self, state: SessionState) -> None:
        self.state = state.model_copy(deep=True)
        self.events: list[Event] = []

    def __call__(self, *events: Event) -> None:
        for event in events:
            apply(self.state, event)
            self.events.append(event)

    def say(self, key: str, **params: Any) -> None:
        self(Said(key, params))

    def offer(self, *chips: str) -> None:
        if chips:
            self(Offered(tuple(chips)))

    def move(self, to: State) -> None:
        if self.state.state is not to:
            self(Moved(to))
