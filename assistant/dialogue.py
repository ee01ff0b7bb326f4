"""The dialogue policy: from the session's state and a message, the next state and the reply.

Each state has one handler. Steering words (转人工, 取消, 上一步…) are looked at first, then what the
message means in that state; anything not understood falls back to routing, so a person can always
start something new by saying it.
"""

from __future__ import annotations

import re

from assistant.commands import Command
from assistant.context import DialogueContext
from assistant.filling import YES_NO, Reply
from assistant.form_dialogue import FormDialogue
from assistant.forms import form_for, is_form_subject
from assistant.numbers import APPLICATION_NUMBERS, WORK_ORDER_NUMBERS
from assistant.proactive import Proactive
from assistant.reports import order_progress_text
from assistant.session import SessionState
from assistant.states import State
from assistant.submission import expected_text
from intents.router import Decision, RoutingResult
from intents.slot_values import Value, parse_value
from knowledge.models import Choice, ServiceKind, Slot, SlotType

TRACKING_NUMBER = re.compile(rf"(?:{APPLICATION_NUMBERS.prefix}|{WORK_ORDER_NUMBERS.prefix})\d{{8}}-\d{{6}}", re.IGNORECASE)
PROGRESS_SERVICE = "application-progress"
IN_FORM = (State.consent, State.filling, State.confirming)


class Dialogue:
    def __init__(self, ctx: DialogueContext) -> None:
        self.ctx = ctx
        self.forms = FormDialogue(ctx, self)
        self.proactive = Proactive(ctx)

    def handle(self, s: SessionState, session_id: str, text: str) -> Reply:
        reply = Reply()
        s.turns += 1
        text = text.strip()
        if not text:
            reply.add(self.ctx.say("empty"))
            reply.suggestions += self._popular()
            return reply
        commands = self.ctx.commands.detect(text)
        self.proactive.note(s, text)
        if Command.handoff in commands and s.state is not State.handoff:
            self._handoff(s, reply)
            return reply
        if commands & {Command.more_offers, Command.benefits} and s.state is not State.handoff:
            self._offers(s, session_id, commands, reply)
            return reply
        handler = {
            State.idle: self._idle,
            State.submitted: self._idle,
            State.clarifying: self._clarifying,
            State.consent: self._consent,
            State.filling: self.forms.filling,
            State.confirming: self.forms.confirming,
            State.handoff: self._in_handoff,
        }[s.state]
        handler(s, session_id, text, commands, reply)
        return reply

    # -- idle: route the message ---------------------------------------------------------------------

    def _idle(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply) -> None:
        ctx = self.ctx
        if (number := TRACKING_NUMBER.search(text)) or s.awaiting_number:
            if number:
                self.progress(s, session_id, number.group(0).upper(), reply)
                return
            s.awaiting_number = False
        if s.state is State.submitted and s.form is None and self._yes(text) and s.applications:
            reply.add(ctx.say("already_submitted", number=s.applications[-1]))  # a repeated 确认
            return
        if Command.resume in commands and s.suspended:
            self.forms.resume(s, s.suspended[-1].subject_id, reply)
            return
        if (offered := s.offers.get(text)) is not None:  # a quick reply of 服务找人: start what it offered
            self.start(s, session_id, offered, reply)
            return
        normalised = ctx.router.normalise(text)
        named = [m.subject_id for m in ctx.mentions.find(normalised)]
        if resumable := next((sid for sid in named if s.suspended_form(sid)), None):
            self.forms.resume(s, resumable, reply)
            return
        topic = ctx.topics.topic_of(text)
        if topic and s.topic and not [sid for sid in named if sid != s.topic]:
            self._to(s, State.idle)
            reply.add(ctx.answers.answer(s.topic, topic))  # a follow-up about the service just discussed
            reply.suggestions += self._start_chip(s.topic)
            return
        self.routed(s, session_id, ctx.router.route(text), topic, reply)

    def routed(self, s: SessionState, session_id: str, result: RoutingResult, topic: str | None, reply: Reply) -> None:
        ctx = self.ctx
        reply.routed = result
        top = result.candidates[0].id if result.candidates else None
        if result.decision is Decision.none or top is None:
            self._to(s, State.idle)
            reply.add(ctx.say("out_of_scope"))
            reply.suggestions += [*self._popular(), ctx.say("chip_human")]
            return
        if result.decision is Decision.clarify:
            self._to(s, State.clarifying)
            s.choices = [c.id for c in result.candidates]
            reply.add(ctx.say("clarify"))
            reply.add("\n".join(ctx.say("clarify_option", n=i, name=c.name) for i, c in enumerate(result.candidates, 1)))
            reply.suggestions += [c.name for c in result.candidates]
            return
        is_subject = top in ctx.kb.services or top in ctx.kb.bundles
        if topic and is_subject:
            self._to(s, State.idle)
            s.topic = top
            reply.add(ctx.answers.answer(top, topic))
            reply.suggestions += self._start_chip(top)
            return
        if result.decision is Decision.answer and result.answer is not None:
            self._to(s, State.idle)
            s.topic = top if is_subject else s.topic
            reply.add(ctx.say("answer", text=result.answer.text, source=result.answer.source))
            reply.suggestions += self._start_chip(top)
            return
        self.start(s, session_id, top, reply)

    def start(self, s: SessionState, session_id: str, subject_id: str, reply: Reply) -> None:
        """Begin what the person asked for: a form (after consent), a progress lookup, or a guide."""
        ctx = self.ctx
        s.topic = subject_id
        if is_form_subject(ctx.kb, subject_id):
            if s.suspended_form(subject_id):
                self.forms.resume(s, subject_id, reply)
                return
            self.forms.open(s, session_id, subject_id, reply)
            return
        self._to(s, State.idle)
        if subject_id == PROGRESS_SERVICE:
            s.awaiting_number = True
            reply.add(ctx.say("progress_ask"))
            reply.suggestions += s.applications[-3:]
            return
        service = ctx.kb.services.get(subject_id)
        if service is not None and service.kind is ServiceKind.query:
            reply.add(ctx.say("query_service", summary=service.summary, online="、".join(service.channels.online),
                              counter=service.channels.counter))
            return
        item = ctx.kb.imported.get(subject_id)
        if item is not None:
            reply.add(ctx.say("query_service", summary=f"{item.name}（{item.dept}）", online=item.url or "当地政务服务网",
                              counter=item.location or "当地政务服务中心"))

    # -- clarifying: which of the offered services --------------------------------------------------

    def _clarifying(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply) -> None:
        names = [self.name_of(c) for c in s.choices]
        slot = Slot(name="choice", label="事项", type=SlotType.choice, ask="哪一项？",
                    choices=[Choice(value=f"c{i}", label=n) for i, n in enumerate(names)])
        picked = parse_value(slot, text, self.ctx.today())
        choices, s.choices = s.choices, []
        if isinstance(picked, Value):
            self.start(s, session_id, choices[int(picked.value[1:])], reply)
            return
        self._to(s, State.idle)
        self._idle(s, session_id, text, commands, reply)

    # -- consent -----------------------------------------------------------------------------------------

    def _consent(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply) -> None:
        ctx = self.ctx
        assert s.form is not None
        if Command.cancel in commands:
            self.forms.cancel(s, reply)
            return
        answer = parse_value(YES_NO, text, ctx.today())
        spec = form_for(ctx.kb, s.form.subject_id)
        fields = [f.label for f in spec.fields]
        if isinstance(answer, Value):
            granted = answer.value == "yes"
            ctx.consents.record_consent(session_id, spec.subject_id, spec.subject_name, fields, granted)
            if granted:
                s.consented.append(spec.subject_id)
                self._to(s, State.filling)
                reply.add(ctx.say("consent_granted"))
                self.forms.ask_next(s, reply)
                return
            self._to(s, State.idle)
            s.form = None
            if len(spec.services) == 1:
                channels = spec.services[0].channels
                reply.add(ctx.say("consent_declined", counter=channels.counter, hotline=channels.hotline))
            else:
                reply.add(ctx.say("consent_declined_bundle"))
            return
        topic = ctx.topics.topic_of(text)
        if topic:
            reply.add(ctx.answers.answer(spec.subject_id, topic))
        elif named := self.other_subject(s, text):
            s.form = None
            self._to(s, State.idle)
            self.start(s, session_id, named, reply)
            return
        else:
            reply.add(ctx.say("consent_repeat"))
        reply.suggestions += [ctx.say("chip_yes"), ctx.say("chip_no")]

    # -- 服务找人: what else there is to do, what the citizen may be entitled to ---------------------------

    def _offers(self, s: SessionState, session_id: str, commands: set[Command], reply: Reply) -> None:
        """Answered in any state. A form under way is asked on where it was, with its own quick replies
        (a chip that starts another service is offered again once it is done)."""
        if Command.more_offers in commands:
            self.proactive.list_all(s, session_id, reply)
        else:
            self.proactive.list_policies(s, session_id, reply)
        if s.state is State.clarifying:
            s.choices = []
            self._to(s, State.idle)
        if s.state in IN_FORM and s.form is not None:
            reply.suggestions = []
            self.forms.reprompt(s, reply)

    # -- handoff -----------------------------------------------------------------------------------------

    def _handoff(self, s: SessionState, reply: Reply) -> None:
        s.previous = s.state
        self._to(s, State.handoff)
        reply.add(self.ctx.say("handoff"))
        reply.suggestions.append(self.ctx.say("chip_resume"))

    def _in_handoff(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply) -> None:
        if Command.resume in commands:
            back = s.previous or State.idle
            s.state, s.previous = back, None  # handoff may return to any state (see TRANSITIONS)
            reply.add(self.ctx.say("handoff_back"))
            if back in (State.filling, State.confirming, State.consent):
                self.forms.reprompt(s, reply)
            return
        reply.add(self.ctx.say("handoff_waiting"))
        reply.suggestions.append(self.ctx.say("chip_resume"))

    # -- progress lookup -------------------------------------------------------------------------------

    def progress(self, s: SessionState, session_id: str, number: str, reply: Reply) -> None:
        ctx = self.ctx
        s.awaiting_number = False
        if number.startswith(WORK_ORDER_NUMBERS.prefix):
            order = ctx.orders.public(number)
            reply.add(order_progress_text(order, ctx.say) if order else ctx.say("progress_not_found", number=number))
            return
        view = ctx.book.get(number, session_id)
        if view is None:
            reply.add(ctx.say("progress_not_found", number=number))
            return
        expected = expected_text(view.expected_date, view.created_at.date(), ctx.say)
        reply.add(ctx.say("progress_found", number=view.number, name=view.subject_name, status=view.status_label,
                          dept=view.dept, expected=expected))
        if view.members:
            reply.add(ctx.say("progress_members", members="；".join(f"{m.subject_name} {m.status_label}" for m in view.members)))
        if view.fields:
            reply.add(ctx.say("progress_fields", fields="；".join(f"{k}：{v}" for k, v in view.fields.items())))

    # -- helpers -------------------------------------------------------------------------------------------

    def _to(self, s: SessionState, state: State) -> None:
        s.move(state)

    def _yes(self, text: str) -> bool:
        answer = parse_value(YES_NO, text, self.ctx.today())
        return isinstance(answer, Value) and answer.value == "yes"

    def name_of(self, subject_id: str) -> str:
        item = self.ctx.kb.find(subject_id)
        return getattr(item, "name", None) or getattr(item, "title", subject_id)

    def _start_chip(self, subject_id: str | None) -> list[str]:
        if subject_id and is_form_subject(self.ctx.kb, subject_id):
            return [self.ctx.say("chip_start", name=self.name_of(subject_id))]
        return []

    def _popular(self) -> list[str]:
        return self.ctx.say("popular").split(",")

    def other_subject(self, s: SessionState, text: str) -> str | None:
        current = s.form.subject_id if s.form else None
        named = [m.subject_id for m in self.ctx.mentions.find(self.ctx.router.normalise(text))]
        return next((sid for sid in named if sid != current), None)
