"""The dialogue policy: from the conversation and an understood message, the events of one turn.

`handle` is the engine's door: it understands the message once, runs `step`, applies the events in
one place (assistant/dialogue/events.py `apply_turn`), records consent, and renders the reply from message
keys. `step` never changes the conversation it is given: it works on a copy and returns events.

Each state has one step. Steering words (转人工, 取消, 上一步…) are looked at first, then what the
message means in that state; anything not understood falls back to routing, so a person can always
start something new by saying it.
"""

from __future__ import annotations

import re

from assistant.cases.case_access import Gate
from assistant.cases.numbers import WORK_ORDER_NUMBERS
from assistant.common.forms import is_form_subject
from assistant.dialogue.commands import Command
from assistant.dialogue.context import DialogueContext
from assistant.dialogue.events import (
    AwaitingFactor,
    AwaitingMatter,
    AwaitingNumber,
    ChoicesOffered,
    ConsentRecorded,
    Event,
    HandedOff,
    HandoffEnded,
    Misunderstood,
    QuestionAnswered,
    SentToAgent,
    TopicSet,
    Tracker,
    apply_turn,
    render,
)
from assistant.dialogue.filling import GIVE_UP_AFTER, HELP_AFTER, Reply
from assistant.dialogue.form_dialogue import ROUTE_AGAIN, FormDialogue
from assistant.dialogue.handoff import HandoffDialogue, hand_off
from assistant.dialogue.offers import Proactive
from assistant.dialogue.reports import order_progress_said
from assistant.dialogue.session import SessionState
from assistant.dialogue.states import State
from assistant.dialogue.submission import expected_text
from assistant.dialogue.understanding import Understander, Understood
from intents.complaints import matters
from intents.router import Decision, RoutingResult
from intents.slot_values import Value, parse_value
from knowledge.models import Choice, ServiceKind, Slot, SlotType

PROGRESS_SERVICE = "application-progress"
FACTOR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")  # the phone's last four digits, as typed
IN_FORM = (State.consent, State.filling, State.confirming)
CHAT_REPLIES = ("greeting", "thanks", "identity")
HOW_TO_DO = (None, "steps", "place")  # "我想办X，怎么办？": the form is the answer
MATTER_CHIPS = 8  # quick replies for what a complaint is about; the rest can be said


class Dialogue:
    def __init__(self, ctx: DialogueContext) -> None:
        self.ctx = ctx
        self.understander = Understander(ctx)
        self.proactive = Proactive(ctx)
        self.forms = FormDialogue(ctx, self.proactive)
        self.handoffs = HandoffDialogue(ctx, self.forms.reprompt)

    def handle(self, s: SessionState, session_id: str, text: str, elder: bool = False) -> Reply:
        """One turn: understand, step, apply, render. Consent is written by `record` once the turn is saved.
        `elder`: the reply in the short forms of 长辈模式 (the same events, other wording)."""
        msg = self.understander.understand(text)
        events = self.step(s, session_id, msg)
        s.turns += 1
        apply_turn(s, events)
        return self._reply(events, msg.routed, elder)

    def handed_back(self, s: SessionState, outcome: str, work_number: str, number: str | None = None, name: str = "") -> Reply:
        """The agent ends a handoff (assistant/dialogue/handoff.py `handed_back`): a turn without a message."""
        t = Tracker(s)
        self.handoffs.handed_back(t, outcome, work_number, number, name)
        apply_turn(s, t.events)
        return self._reply(t.events, None)

    def _reply(self, events: list[Event], routed: RoutingResult | None, elder: bool = False) -> Reply:
        rendered = render(events, self.ctx.say.elder if elder else self.ctx.say)
        consents = [e for e in events if isinstance(e, ConsentRecorded)]
        queue: list[Event] = [e for e in events if isinstance(e, HandedOff | SentToAgent | HandoffEnded)]
        return Reply(lines=rendered.lines, own_lines=rendered.own_lines, suggestions=rendered.suggestions, routed=routed,
                     consents=consents, handoff=queue)

    def record(self, session_id: str, reply: Reply) -> None:
        """Write the consent given or refused in a turn, after the turn was saved (a turn re-run on
        fresh state after losing a race records it once)."""
        for event in reply.consents:
            self.ctx.consents.record_consent(session_id, event.subject_id, event.purpose, list(event.fields), event.granted)

    def step(self, s: SessionState, session_id: str, msg: Understood) -> list[Event]:
        """The events this message causes in this conversation (the conversation itself is left as it is)."""
        t = Tracker(s)
        if not msg.text:
            t.say("empty")
            t.offer(*self._popular())
            return t.events
        self.proactive.note(t, msg.normalised)
        if msg.language is not None:
            self._foreign(t, msg.language)
            return t.events
        if t.state.state is State.handoff:  # what is said goes to the person, whatever it is
            self.handoffs.step(t, session_id, msg)
            return t.events
        if Command.handoff in msg.commands:
            hand_off(t, self.ctx, "asked")
            return t.events
        if msg.commands & {Command.more_offers, Command.benefits}:
            self._offers(t, session_id, msg)
            return t.events
        state = t.state.state
        if state is State.consent:
            self._start_next(t, session_id, msg, self.forms.consent(t, msg))
        elif state is State.filling:
            self._start_next(t, session_id, msg, self.forms.filling(t, msg))
        elif state is State.confirming:
            self._start_next(t, session_id, msg, self.forms.confirming(t, session_id, msg))
        elif state is State.clarifying:
            self._clarifying(t, session_id, msg)
        else:
            self._idle(t, session_id, msg)
        return t.events

    def _start_next(self, t: Tracker, session_id: str, msg: Understood, other: str | None) -> None:
        """A form step left its form for another service: start (or resume) that one, or route the message
        again when it asked for something the router could not settle (ROUTE_AGAIN)."""
        if other is None:
            return
        if other == ROUTE_AGAIN:
            self.routed(t, session_id, msg.routing, msg)
            return
        if t.state.suspended_form(other):
            self.forms.resume(t, other)
            return
        self.start(t, session_id, other, msg.text)

    # -- idle: route the message ---------------------------------------------------------------------

    def _idle(self, t: Tracker, session_id: str, msg: Understood) -> None:
        s = t.state
        if msg.number:
            self.progress(t, session_id, msg.number)
            return
        if s.awaiting_factor:
            number = s.awaiting_factor
            t(AwaitingFactor(None))
            if digits := FACTOR_DIGITS.search(msg.text):
                self._progress_by_factor(t, session_id, number, digits.group())
                return
        if s.awaiting_number:
            t(AwaitingNumber(False))
        if s.awaiting_matter:
            t(AwaitingMatter(False))
            if msg.matter is not None:  # the answer to 您要投诉或反映的是哪方面的事
                self.start(t, session_id, msg.matter.service_id, msg.text)
                return
        if msg.chat == "forgot_number":
            self._forgot_number(t)
            return
        if s.state is State.submitted and s.form is None and s.applications and self.forms.yes_no(msg):
            t.say("already_submitted", number=s.applications[-1])  # a repeated 确认
            return
        if Command.resume in msg.commands and s.suspended:
            self.forms.resume(t, s.suspended[-1].subject_id)
            return
        if (offered := s.offers.get(msg.text)) is not None:  # a quick reply of 服务找人: start what it offered
            self.start(t, session_id, offered, "")
            return
        if resumable := next((sid for sid in msg.named if s.suspended_form(sid)), None):
            self.forms.resume(t, resumable)
            return
        if msg.topic and s.topic and not [sid for sid in msg.named if sid != s.topic]:
            t.move(State.idle)
            self._answer_topic(t, s.topic, msg.topic)  # a follow-up about the service just discussed
            return
        if msg.chat in CHAT_REPLIES and not msg.named:
            t.move(State.idle)
            t.say(f"chat_{msg.chat}")
            t.offer(*self._popular())
            return
        if msg.bare_complaint and not msg.named:
            t.move(State.idle)
            t(AwaitingMatter(True))
            t.say("complaint_which")
            t.offer(*[m.label for m in matters()][:MATTER_CHIPS])
            return
        if msg.chat == "on_behalf" and not msg.named and msg.routing.decision is Decision.none:
            t.say("on_behalf_which")
            t.offer(*self._popular())
            return
        self.routed(t, session_id, msg.routing, msg)

    def routed(self, t: Tracker, session_id: str, result: RoutingResult, msg: Understood) -> None:
        ctx = self.ctx
        top = result.candidates[0].id if result.candidates else None
        if result.decision is Decision.none or top is None:
            self._not_understood(t)
            return
        if result.decision is Decision.clarify:
            t.move(State.clarifying)
            t(ChoicesOffered(tuple(c.id for c in result.candidates)))
            t.say("clarify")
            t.say("clarify_options", options="\n".join(
                ctx.say("clarify_option", n=i, name=c.name) for i, c in enumerate(result.candidates, 1)))
            t.offer(*[c.name for c in result.candidates])
            return
        if msg.matter is not None and self._is_report(top) and msg.matter.service_id != top:
            top = msg.matter.service_id  # "不是欠薪，我要投诉楼下饭店油烟太大": the matter decides whose it is
        if self._asks_to_do(msg, top) and result.decision in (Decision.route, Decision.answer):
            self.start(t, session_id, top, msg.text)
            return
        is_subject = top in ctx.kb.services or top in ctx.kb.bundles
        if msg.topic and is_subject:
            t.move(State.idle)
            t(TopicSet(top))
            self._answer_topic(t, top, msg.topic)
            return
        if result.decision is Decision.answer and result.answer is not None:
            t.move(State.idle)
            if is_subject:
                t(TopicSet(top))
            t(QuestionAnswered(top, "passage"))
            t.say("answer", text=result.answer.text, source=result.answer.source)
            t.offer(*self._start_chip(top))
            return
        self.start(t, session_id, top, msg.text)

    def _is_report(self, subject_id: str) -> bool:
        service = self.ctx.kb.services.get(subject_id)
        return service is not None and service.kind is ServiceKind.report

    def _asks_to_do(self, msg: Understood, subject_id: str) -> bool:
        """"我要办理社会保障卡申领" (or "我想办…，咋整啊？") asks to do it, not about it: the form, which walks
        them through, starts rather than a passage. A question about its materials, fee or time is answered."""
        return (is_form_subject(self.ctx.kb, subject_id) and Command.switch in msg.commands
                and msg.topic in HOW_TO_DO)

    def _answer_topic(self, t: Tracker, subject_id: str, topic: str) -> None:
        t(QuestionAnswered(subject_id, topic))
        t.say("guide_answer", text=self.ctx.answers.answer(subject_id, topic))
        t.offer(*self._start_chip(subject_id))

    def _not_understood(self, t: Tracker) -> None:
        """Not understood: say what the assistant can do; the second time offer a person; the third hand over."""
        t.move(State.idle)
        t(Misunderstood())
        if t.state.misunderstood >= GIVE_UP_AFTER:
            hand_off(t, self.ctx, "misunderstood")
            return
        t.say("out_of_scope")
        chips = self._popular()
        t.offer(*([*chips, self.ctx.say("chip_human")] if t.state.misunderstood >= HELP_AFTER - 1 else chips))

    def start(self, t: Tracker, session_id: str, subject_id: str, request: str) -> None:
        """Begin what the person asked for: a form (after consent), a progress lookup, or a guide.
        `request`: the message that asked for it, read for answers once consent is given."""
        ctx = self.ctx
        t(TopicSet(subject_id))
        if is_form_subject(ctx.kb, subject_id):
            if t.state.suspended_form(subject_id):
                self.forms.resume(t, subject_id)
                return
            self.forms.open(t, subject_id, request)
            return
        t.move(State.idle)
        if subject_id == PROGRESS_SERVICE:
            t(AwaitingNumber(True))
            t.say("progress_ask")
            t.offer(*t.state.applications[-3:])
            return
        service = ctx.kb.services.get(subject_id)
        if service is not None and service.kind is ServiceKind.query:
            t.say("query_service", summary=service.summary, online="、".join(service.channels.online),
                  counter=service.channels.counter)
            return
        item = ctx.kb.imported.get(subject_id)
        if item is not None:
            t.say("query_service", summary=f"{item.name}（{item.dept}）", online=item.url or ctx.say("imported_online"),
                  counter=item.location or ctx.say("imported_counter"))

    # -- clarifying: which of the offered services --------------------------------------------------

    def _clarifying(self, t: Tracker, session_id: str, msg: Understood) -> None:
        names = [self.ctx.name_of(c) for c in t.state.choices]
        say = self.ctx.say
        slot = Slot(name="choice", label=say("choice_label"), type=SlotType.choice, ask=say("choice_ask"),
                    choices=[Choice(value=f"c{i}", label=n) for i, n in enumerate(names)])
        picked = parse_value(slot, msg.text, self.ctx.today())
        choices = t.state.choices
        t(ChoicesOffered(()))
        if isinstance(picked, Value):
            self.start(t, session_id, choices[int(picked.value[1:])], msg.text)
            return
        t.move(State.idle)
        self._idle(t, session_id, msg)

    # -- 服务找人: what else there is to do, what the citizen may be entitled to ---------------------------

    def _offers(self, t: Tracker, session_id: str, msg: Understood) -> None:
        """Answered in any state. A form under way is asked on where it was, with its own quick replies
        (a chip that starts another service is offered again once it is done)."""
        in_form = t.state.state in IN_FORM and t.state.form is not None
        if Command.more_offers in msg.commands:
            self.proactive.list_all(t, session_id, chips=not in_form)
        else:
            self.proactive.list_policies(t, session_id, chips=not in_form)
        if t.state.state is State.clarifying:
            t(ChoicesOffered(()))
            t.move(State.idle)
        if in_form:
            self.forms.reprompt(t)

    # -- progress lookup -------------------------------------------------------------------------------

    def progress(self, t: Tracker, session_id: str, number: str) -> None:
        """A case this conversation filed is shown at once; any other needs its phone's last four digits."""
        if t.state.awaiting_number:
            t(AwaitingNumber(False))
        if not self.ctx.cases.owns(number, session_id):
            t(AwaitingFactor(number))
            t.say("progress_need_factor", number=number)
            return
        self._show_progress(t, number, session_id)

    def _progress_by_factor(self, t: Tracker, session_id: str, number: str, digits: str) -> None:
        gate = self.ctx.cases.check(number, session_id, digits)
        if gate.gate is Gate.wait:
            t.say("progress_factor_wait", minutes=max(1, -(-gate.retry_after // 60)))
        elif gate.open:
            self._show_progress(t, number, session_id if gate.gate is Gate.owner else None)
        else:  # no such number, or the digits do not match: one answer for both
            t.say("progress_factor_wrong", number=number)

    def _show_progress(self, t: Tracker, number: str, owner: str | None) -> None:
        """`owner`: the conversation that filed it, which also sees its (masked) fields; None otherwise."""
        ctx = self.ctx
        if number.startswith(WORK_ORDER_NUMBERS.prefix):
            order = ctx.orders.public(number)
            if order is None:
                t.say("progress_not_found", number=number)
            else:
                t(order_progress_said(order, ctx.say))
            return
        view = ctx.book.get(number, owner)
        if view is None:
            t.say("progress_not_found", number=number)
            return
        expected = expected_text(view.expected_date, view.created_at.date(), ctx.say)
        t.say("progress_found", number=view.number, name=view.subject_name, status=view.status_label,
              dept=view.dept, expected=expected)
        if view.members:
            t.say("progress_members", members="；".join(f"{m.subject_name} {m.status_label}" for m in view.members))
        if view.fields:
            t.say("progress_fields", fields="；".join(f"{k}：{v}" for k, v in view.fields.items()))

    def _forgot_number(self, t: Tracker) -> None:
        """"编号我忘了": the numbers this conversation made, or how else to find one."""
        numbers = t.state.applications
        if numbers:
            t.say("numbers_in_conversation", numbers="、".join(numbers))
            t.offer(*numbers[-3:])
            return
        t.say("forgot_number_help")
        t.offer(self.ctx.say("chip_human"))

    def _foreign(self, t: Tracker, language: str) -> None:
        key = f"foreign_{language}"
        t.say(key if key in self.ctx.say.keys() else "foreign_other")
        if t.state.state in IN_FORM and t.state.form is not None:
            self.forms.reprompt(t)

    # -- helpers -------------------------------------------------------------------------------------------

    def name_of(self, subject_id: str) -> str:
        return self.ctx.name_of(subject_id)

    def _start_chip(self, subject_id: str | None) -> list[str]:
        if subject_id and is_form_subject(self.ctx.kb, subject_id):
            return [self.ctx.say("chip_start", name=self.name_of(subject_id))]
        return []

    def _popular(self) -> list[str]:
        return self.ctx.say("popular").split(",")
