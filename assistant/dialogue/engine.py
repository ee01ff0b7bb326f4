"""The Assistant: one object every door goes through (`govassist chat`, the web API, the tests).

`handle(session_id, text)` loads the conversation, runs one dialogue step, saves the conversation
and returns the Turn. The citizen's token stops here: the conversation is stored, locked and recorded
under its key (assistant/privacy/session_keys.py); the Turn hands the token back to its holder. Turns of one conversation take turns: within this process they wait for each
other (assistant/dialogue/conversation_lock.py); across processes the session is saved with an optimistic
version check, so two requests for the same conversation cannot silently overwrite each other, and
the later one is re-run on fresh state. A turn that cannot get through either way in time is refused
with ConversationBusy and is not applied.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from assistant.cases.applications import ApplicationBook
from assistant.cases.case_access import CaseAccess
from assistant.cases.handoff_queue import ASSISTANT, CITIZEN, HandoffQueue
from assistant.cases.numbers import WORK_ORDER_NUMBERS
from assistant.cases.workorders import WorkOrderBook
from assistant.common.clock import local_now
from assistant.common.forms import form_for
from assistant.common.guide_answers import GuideAnswerer, default_topics
from assistant.common.messages import default_messages
from assistant.dialogue.commands import default_commands
from assistant.dialogue.context import DialogueContext, Routes
from assistant.dialogue.conversation_lock import ConversationBusy, ConversationLocks
from assistant.dialogue.events import HandedOff, HandoffEnded, SentToAgent
from assistant.dialogue.filling import FormFiller, Reply
from assistant.dialogue.on_behalf import prefilled_session
from assistant.dialogue.policy import Dialogue
from assistant.dialogue.session import SessionState
from assistant.dialogue.session_store import SessionStore, StaleSession
from assistant.dialogue.states import State
from assistant.dialogue.turn import ApplicationRef, Conversation, Expecting, SlotView, SubjectRef, Turn
from assistant.dialogue.turn_log import Channel, TurnEvent, TurnRecorder, mask_known, routing_fields
from assistant.privacy.crypto import FieldCipher
from assistant.privacy.masking import mask, own_view
from assistant.privacy.session_keys import SessionKey, SessionKeys
from assistant.proactive.applicant_links import ApplicantLinks
from intents.mentions import MentionFinder
from knowledge.base import KnowledgeBase
from voice.speakable import speech_form

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Tries of one turn against turns of the same conversation saved meanwhile by other processes; between
# tries a short random pause, so that two workers retrying at once do not meet again.
MAX_ATTEMPTS = 4
RETRY_PAUSE_S = 0.02


class Assistant:
    def __init__(
        self,
        kb: KnowledgeBase,
        router: Routes,
        store: SessionStore,
        book: ApplicationBook,
        orders: WorkOrderBook,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = local_now,
        recorder: TurnRecorder | None = None,
        links: ApplicantLinks | None = None,
        *,
        handoffs: HandoffQueue,
        cases: CaseAccess,
        keys: SessionKeys,
    ) -> None:
        say = default_messages()
        self.kb = kb
        self.store = store
        self.book = book
        self.orders = orders
        self.cipher = cipher
        self.clock = clock
        self.recorder = recorder  # analytics: one event per turn; None in unit tests
        self.turns = ConversationLocks()
        self.handoffs = handoffs
        self.cases = cases  # who may see a case by its number (web lookups and the chat's alike)
        self.keys = keys
        self.ctx = DialogueContext(
            kb=kb, router=router, mentions=MentionFinder.from_kb(kb, router.normalise), say=say,
            topics=default_topics(), commands=default_commands(), answers=GuideAnswerer(kb, say), book=book,
            orders=orders, consents=store, today=self.today, links=links, handoffs=self.handoffs, cases=cases,
        )
        self.dialogue = Dialogue(self.ctx)

    def today(self) -> date:
        return self.clock().date()

    def new_session(self) -> str:
        """A new conversation's token, for the client alone: only its key is ever stored."""
        return self.store.new_token()

    def key_of(self, token: str) -> SessionKey:
        """The key a citizen's token is stored under; what the books, the queue and PersonalData take."""
        return self.keys.key_of(token)

    def handle(self, session_id: str | None, text: str, channel: Channel = "text", message_id: str | None = None,
               elder: bool = False) -> Turn:
        """`channel`: where the message came from (text, voice, copilot), for analytics only.

        `elder`: the page is in 长辈模式; the reply is worded in its short forms (messages_elder.yaml).

        `message_id`: the client's id for this message. The same message sent again with the same id
        (its reply was lost: a dropped connection, a restarted server) is not applied a second time; it
        gets the reply it got the first time, so a resent answer never fills the next question too.

        Turns of one conversation sent at once are applied one after another. Raises ConversationBusy
        (nothing applied) when the conversation stays busy with other turns: see conversation_lock.py.
        """
        token = session_id or self.new_session()
        key = self.key_of(token)
        return self._run(key, token, channel, message_id, text, lambda state: self.dialogue.handle(state, key, text, elder=elder))

    def end_handoff(self, key: SessionKey, outcome: str, work_number: str, number: str | None = None, name: str = "") -> Turn:
        """An agent ends the conversation's handoff (named by its stored key: staff never hold the token):
        hands it back to the assistant (returned), or turned it into a work order or 代办. The reply goes
        to the citizen through the handoff's messages; the Turn carries no token."""
        return self._run(key, "", "copilot", None, "",
                         lambda state: self.dialogue.handed_back(state, outcome, work_number, number, name), unprompted=True)

    def _run(self, session_id: SessionKey, token: str, channel: Channel, message_id: str | None, text: str,
             step: Callable[[SessionState], Reply], unprompted: bool = False) -> Turn:
        """`session_id`: the stored key; `token`: what the Turn hands back to the client."""
        started, at = time.perf_counter(), self.clock()
        # The citizen sees their own answers read back; staff going on with their session (代办, a hand-back)
        # see them masked.
        owner = channel != "copilot"
        with self.turns.turn(session_id):
            for attempt in range(MAX_ATTEMPTS):
                if attempt:
                    time.sleep(random.uniform(0, RETRY_PAUSE_S * attempt))
                stored = self.store.load(session_id)
                state = SessionState() if stored is None else SessionState.from_document(stored.state, self.cipher.decrypt)
                if message_id is not None and state.last_message_id == message_id:
                    return self._turn(token, session_id, state, Reply(lines=list(state.last_reply), suggestions=list(state.last_suggestions)),
                                      owner)
                before = state.model_copy(deep=True)
                reply = step(state)
                shown = reply.shown(owner)
                state.remember(message_id, shown, reply.suggestions)
                state.note_exchange(text, shown, reply.suggestions)
                # Analytics words the reply masked (reply.lines), never as its owner saw it.
                writes = self._writes(session_id, reply, unprompted,
                                      self._recording(session_id, channel, at, started, text, before, state, reply))
                try:
                    self.store.save(session_id, state.to_document(self.cipher.encrypt),
                                    None if stored is None else stored.version, also=writes)
                except StaleSession:
                    continue  # another process saved a turn of this conversation first: again, on its state
                self.dialogue.record(session_id, reply)
                return self._turn(token, session_id, state, reply, owner)
        raise ConversationBusy(self.turns.retry_after_s)

    def _writes(self, session_id: str, reply: Reply, unprompted: bool,
                record: Callable[[Session], None] | None) -> Callable[[Session], None] | None:
        """What is written with the turn: its analytics event, and what the handoff queue must know (a
        conversation enqueued, a message for the agent, a handoff ended). A reply not prompted by a
        message of the citizen's (an agent handing back) reaches them through the handoff's messages."""
        if record is None and not reply.handoff and not unprompted:
            return None
        queue = self.handoffs

        def write(session: Session) -> None:
            if record is not None:
                record(session)
            if unprompted:
                queue.post_in(session, session_id, ASSISTANT, reply.text)
            for event in reply.handoff:
                if isinstance(event, HandedOff):
                    queue.enqueue(session, session_id, event.reason)
                elif isinstance(event, SentToAgent):
                    queue.post_in(session, session_id, CITIZEN, event.text)
                elif isinstance(event, HandoffEnded):
                    queue.end_in(session, session_id, event.outcome)

        return write

    def start_on_behalf(self, subject_id: str, caller: dict[str, str], agent: str) -> Turn:
        """代办: a new conversation for a caller, their details from the call filled in (see on_behalf.py)."""
        started, at = time.perf_counter(), self.clock()
        spec = form_for(self.kb, subject_id)
        filler = FormFiller(spec, self.ctx.say, self.today())
        state, reply = prefilled_session(spec, caller, filler, self.today())
        token = self.new_session()
        session_id = self.key_of(token)
        fields = [f.label for f in spec.fields]
        self.store.record_consent(session_id, subject_id, self.ctx.say("consent_on_behalf", name=spec.subject_name, agent=agent), fields, True)
        state.note_exchange("", reply.lines, reply.suggestions)
        record = self._recording(session_id, "copilot", at, started, "", SessionState(), state, reply)
        self.store.save(session_id, state.to_document(self.cipher.encrypt), None, also=record)
        return self._turn(token, session_id, state, reply, owner=False)

    def has_session(self, token: str) -> bool:
        return self.store.exists(self.key_of(token))

    def state_of(self, key: SessionKey) -> SessionState | None:
        """The conversation stored under a key (a citizen's token: `state_of(key_of(token))`)."""
        stored = self.store.load(key)
        return None if stored is None else SessionState.from_document(stored.state, self.cipher.decrypt)

    def conversation(self, token: str) -> Conversation | None:
        """The conversation so far as its owner saw it, and where it stands now (the last reply's quick
        replies, the form), for a reloaded page to show again; None if no conversation is kept."""
        key = self.key_of(token)
        state = self.state_of(key)
        if state is None:
            return None
        last = next((line for line in reversed(state.transcript) if line.role == "assistant"), None)
        reply = Reply(lines=[last.text] if last else [], suggestions=list(last.chips) if last else [])
        turn = self._turn(token, key, state, reply, owner=True)
        turn.speech = ""  # heard when it was said; nothing to read aloud again (the own read-back never is)
        return Conversation(lines=list(state.transcript), turn=turn)

    def expecting(self, token: str) -> Expecting | None:
        """What the conversation waits for now (voice input listens for it with a grammar)."""
        state = self.state_of(self.key_of(token))
        return None if state is None else self._expecting(state)

    def _expecting(self, s: SessionState) -> Expecting | None:
        if s.state in (State.consent, State.confirming):
            return Expecting(kind=s.state.value)
        if s.state is State.clarifying:
            return Expecting(kind="clarify", choices=[self.dialogue.name_of(c) for c in s.choices])
        if s.state is State.filling and s.form is not None and s.form.asked:
            spec = form_for(self.kb, s.form.subject_id)
            if spec.has(s.form.asked):
                slot = spec.field(s.form.asked).slot
                return Expecting(kind=slot.type.value, choices=[c.label for c in slot.choices])
        return None

    def _recording(self, session_id: str, channel: Channel, at: datetime, started: float, text: str,
                   before: SessionState, after: SessionState, reply: Reply) -> Callable[[Session], None] | None:
        """What writes this turn's analytics event into the transaction that saves the turn (None: no recorder).

        The event is built (and masked) now, outside the write lock; its latency is taken when it is
        written, so it covers the turn up to its commit.
        """
        recorder = self.recorder
        if recorder is None:
            return None
        personal = self._personal(before) | self._personal(after)
        submitted = after.applications[-1] if len(after.applications) > len(before.applications) else None
        event = TurnEvent(
            session_id=session_id, at=at, channel=channel, state_before=before.state.value, state_after=after.state.value,
            subject_id=after.form.subject_id if after.form else after.topic,
            text_masked=mask_known(text, personal), reply_masked=mask_known(reply.text, personal),
            latency_ms=0.0, application_number=submitted, **routing_fields(reply.routed),
        )

        def record(session: Session) -> None:
            recorder.record(replace(event, latency_ms=round((time.perf_counter() - started) * 1000, 2)), session)

        return record

    def _personal(self, s: SessionState) -> dict[str, str]:
        """Every value the open form holds, raw → masked as its type is masked on screens."""
        if s.form is None:
            return {}
        spec = form_for(self.kb, s.form.subject_id)
        return {raw: mask(spec.field(key).slot.type, raw) for key, raw in s.form.displays.items() if spec.has(key)}

    def _turn(self, token: str, session_id: SessionKey, s: SessionState, reply: Reply, owner: bool) -> Turn:
        """The turn for whoever sent the message: `owner`, the citizen whose conversation it is (their
        answers read back as they gave them), or staff going on with it (masked). Speech reads the
        masked reply: a read-back said aloud is heard by whoever stands near. `token` goes back to the
        client ("" for a hand-back: staff never hold it); `session_id` is the stored key."""
        turn = Turn(session_id=token, reply="\n".join(reply.shown(owner)), state=s.state,
                    suggestions=list(dict.fromkeys(reply.suggestions)), speech=speech_form(reply.text),
                    expecting=self._expecting(s),
                    asking=s.form.asked if s.state is State.filling and s.form is not None else None)
        subject = s.form.subject_id if s.form else s.topic
        if subject and (item := self.kb.find(subject)) is not None:
            turn.service = SubjectRef(id=subject, name=getattr(item, "name", subject))
        if s.form is not None:
            filler = FormFiller(form_for(self.kb, s.form.subject_id), self.ctx.say, self.today())
            turn.slots = [SlotView(key=k, label=label, value=value) for k, label, value in filler.views(s.form)]
            turn.missing = filler.missing(s.form)
            if owner and s.state is State.confirming:
                turn.readback = [SlotView(key=k, label=label, value=value) for k, label, value in filler.views(s.form, own_view)]
        if s.applications:
            turn.application = self._tracked(s.applications[-1], session_id)
        return turn

    def _tracked(self, number: str, session_id: str) -> ApplicationRef | None:
        """The number last given in this session, an application's or a work order's, with its status."""
        if number.startswith(WORK_ORDER_NUMBERS.prefix):
            order = self.orders.public(number)
            return None if order is None else ApplicationRef(number=order.number, status=order.status.value)
        view = self.book.get(number, session_id)
        return None if view is None else ApplicationRef(number=view.number, status=view.status.value)
