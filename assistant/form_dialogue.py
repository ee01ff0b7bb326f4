"""The form part of the dialogue: consent prompt, filling, corrections, switching, read-back, submit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.commands import Command
from assistant.context import DialogueContext
from assistant.filling import YES_NO, FormFiller, Reply
from assistant.forms import MATERIALS_KEY, FormSpec, form_for
from assistant.reports import is_report, report_order, reported_text
from assistant.session import FormState, SessionState
from assistant.states import State
from assistant.submission import drafts_for, submitted_text
from intents.router import Decision
from intents.slot_extraction import extract, referenced_slot
from intents.slot_values import Invalid, Value, parse_value

if TYPE_CHECKING:
    from assistant.dialogue import Dialogue

ALL_MATERIALS = "都有了"


class FormDialogue:
    def __init__(self, ctx: DialogueContext, dialogue: Dialogue) -> None:
        self.ctx = ctx
        self.dialogue = dialogue

    def _filler(self, form: FormState) -> tuple[FormSpec, FormFiller]:
        spec = form_for(self.ctx.kb, form.subject_id)
        return spec, FormFiller(spec, self.ctx.say, self.ctx.today())

    # -- opening, resuming, leaving -----------------------------------------------------------------

    def open(self, s: SessionState, session_id: str, subject_id: str, reply: Reply) -> None:
        ctx = self.ctx
        s.form = FormState(subject_id=subject_id)
        if subject_id in s.consented:
            s.move(State.filling)
            self.ask_next(s, reply)
            return
        s.move(State.consent)
        spec = form_for(ctx.kb, subject_id)
        fields = "、".join(f.label for f in spec.fields if f.required and f.key != MATERIALS_KEY)
        if len(spec.services) == 1:
            reply.add(ctx.say("consent", name=spec.subject_name, fields=fields))
        else:
            members = "、".join(s_.name for s_ in spec.services)
            reply.add(ctx.say("consent_bundle", name=spec.subject_name, members=members, fields=fields))
        reply.suggestions += [ctx.say("chip_yes"), ctx.say("chip_no")]

    def resume(self, s: SessionState, subject_id: str, reply: Reply) -> None:
        form = s.suspended_form(subject_id)
        assert form is not None
        s.suspended.remove(form)
        if s.form is not None and s.form.subject_id != subject_id:
            s.suspended.append(s.form)
        s.form = form
        s.topic = subject_id
        s.move(State.filling if subject_id in s.consented else State.consent)
        reply.add(self.ctx.say("resumed", name=form_for(self.ctx.kb, subject_id).subject_name))
        self.reprompt(s, reply)

    def cancel(self, s: SessionState, reply: Reply) -> None:
        assert s.form is not None
        reply.add(self.ctx.say("cancelled", name=form_for(self.ctx.kb, s.form.subject_id).subject_name))
        s.form = None
        s.move(State.idle)
        self._offer_resume(s, reply)

    def _offer_resume(self, s: SessionState, reply: Reply) -> None:
        if s.suspended:
            reply.add(self.ctx.say("resume_offer", name=form_for(self.ctx.kb, s.suspended[-1].subject_id).subject_name))
            reply.suggestions.append(self.ctx.say("chip_resume"))

    def reprompt(self, s: SessionState, reply: Reply) -> None:
        """Say again what the person was asked last (after a handoff, a resume or a side question)."""
        assert s.form is not None
        if s.state is State.consent:
            spec = form_for(self.ctx.kb, s.form.subject_id)
            reply.add(self.ctx.say("consent_repeat"))
            reply.suggestions += [self.ctx.say("chip_yes"), self.ctx.say("chip_no")]
            return
        if s.state is State.confirming:
            spec, filler = self._filler(s.form)
            reply.add(filler.readback(s.form))
            reply.suggestions += [self.ctx.say("chip_confirm"), self.ctx.say("chip_modify")]
            return
        self.ask_next(s, reply)

    def ask_next(self, s: SessionState, reply: Reply) -> None:
        """Ask the next open question, or read everything back when none is left."""
        assert s.form is not None
        spec, filler = self._filler(s.form)
        form = s.form
        if form.asked is not None and form.asked not in form.values and form.asked not in form.skipped:
            filler.ask(form, reply)
            return
        form.asked = None
        if filler.next_field(form) is not None:
            if s.state is not State.filling:
                s.move(State.filling)
            filler.ask(form, reply)
            return
        s.move(State.confirming)
        reply.add(filler.readback(form))
        reply.suggestions += [self.ctx.say("chip_confirm"), self.ctx.say("chip_modify")]

    # -- filling ---------------------------------------------------------------------------------------

    def filling(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply) -> None:
        self._step(s, session_id, text, commands, reply, self._fill)

    def confirming(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply) -> None:
        self._step(s, session_id, text, commands, reply, self._confirm)

    def _step(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply, step) -> None:
        """取消 / 重新开始 / 上一步 apply in both form states; anything else is the state's own step."""
        assert s.form is not None
        spec, filler = self._filler(s.form)
        if not self._steer(s, commands, filler, reply):
            step(s, session_id, text, commands, reply, s.form, spec, filler)

    def _fill(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply,
              form: FormState, spec: FormSpec, filler: FormFiller) -> None:
        ctx = self.ctx
        today = ctx.today()
        asked = form.asked
        if Command.correction in commands and self._correct(s, text, filler, reply):
            return
        if asked == MATERIALS_KEY and Command.materials_ready in commands:
            text = ALL_MATERIALS
        expected = parse_value(spec.field(asked).slot, text, today, spec.materials) if asked else None
        if self._switch(s, session_id, text, commands, expected, reply):
            return
        if expected is None and (topic := ctx.topics.topic_of(text)):
            reply.add(ctx.answers.answer(form.subject_id, topic))
            self.ask_next(s, reply)
            return
        extraction = extract(spec.slots, asked, text, today, filled=form.values.keys(), materials=spec.materials)
        taken = filler.take(form, extraction)
        if asked in taken or (taken and asked not in extraction.errors):
            self.ask_next(s, reply)
            return
        if asked == MATERIALS_KEY and form.missing_materials:
            filler.materials_shortfall(form, reply)
            return
        if asked and Command.skip in commands and not spec.field(asked).required and not isinstance(expected, Value):
            form.skip(asked)
            self.ask_next(s, reply)
            return
        if asked and isinstance(expected, Invalid) and asked not in extraction.errors:
            extraction.errors[asked] = expected
        if asked and asked not in extraction.errors and ctx.topics.is_question(text):
            if self._answer_aside(text, reply):
                self.ask_next(s, reply)
                return
        if asked:
            filler.refuse(form, asked, extraction.errors.get(asked), reply)

    def _steer(self, s: SessionState, commands: set[Command], filler: FormFiller, reply: Reply) -> bool:
        """取消 / 重新开始 / 上一步."""
        form = s.form
        assert form is not None
        if Command.cancel in commands:
            self.cancel(s, reply)
            return True
        if Command.restart in commands:
            s.form = FormState(subject_id=form.subject_id)
            if s.state is not State.filling:
                s.move(State.filling)
            reply.add(self.ctx.say("restarted"))
            self.ask_next(s, reply)
            return True
        if Command.back in commands:
            if not form.order:
                reply.add(self.ctx.say("back_first"))
                self.ask_next(s, reply)
                return True
            last = form.order[-1]
            form.clear(last)
            form.asked = last
            if s.state is not State.filling:
                s.move(State.filling)
            self.ask_next(s, reply)
            return True
        return False

    def _correct(self, s: SessionState, text: str, filler: FormFiller, reply: Reply) -> bool:
        """"电话说错了，是13900139000" sets the phone; "名字不对" asks for the name again."""
        form = s.form
        assert form is not None
        key = referenced_slot(filler.spec.slots, text)
        if key is None or (key not in form.values and key != form.asked):
            if s.state is State.confirming:
                reply.add(self.ctx.say("which_field"))
                reply.suggestions += [label for _, label, _ in filler.views(form)]
                return True
            return False
        said = self.ctx.commands.without(Command.correction, text)  # "说错了，是139…" → "，是139…"
        extraction = extract(filler.spec.slots, key, said, self.ctx.today(), materials=filler.spec.materials)
        if key in extraction.values:
            filler.take(form, extraction)
            reply.add(self.ctx.say("field_changed"))
            form.asked = None
        else:
            form.clear(key)
            form.asked = key
            reply.add(self.ctx.say("field_cleared", label=filler.spec.field(key).label))
            if key in extraction.errors:
                reply.add(extraction.errors[key].message)
        if s.state is not State.filling:
            s.move(State.filling)
        self.ask_next(s, reply)
        return True

    def _switch(self, s: SessionState, session_id: str, text: str, commands: set[Command],
                expected: Value | Invalid | None, reply: Reply) -> bool:
        """"算了，先办身份证": keep this form aside and start (or resume) the other one."""
        ctx = self.ctx
        form = s.form
        assert form is not None
        named = self.dialogue.other_subject(s, text)
        if named is None and Command.switch in commands:
            result = reply.routed = ctx.router.route(text)
            if result.decision in (Decision.route, Decision.clarify) and result.candidates:
                top = result.candidates[0].id
                named = top if top != form.subject_id else None
        if named is None or not (Command.switch in commands or expected is None):
            return False
        old = form_for(ctx.kb, form.subject_id).subject_name
        s.suspended = [f for f in s.suspended if f.subject_id != form.subject_id] + [form]
        s.form = None
        s.move(State.idle)
        if s.suspended_form(named):
            self.resume(s, named, reply)
            return True
        reply.add(ctx.say("switched", name=self.dialogue.name_of(named), old=old))
        self.dialogue.start(s, session_id, named, reply)
        return True

    def _answer_aside(self, text: str, reply: Reply) -> bool:
        result = reply.routed = self.ctx.router.route(text)
        if result.decision is Decision.answer and result.answer is not None:
            reply.add(self.ctx.say("answer", text=result.answer.text, source=result.answer.source))
            return True
        return False

    # -- confirming and submitting ------------------------------------------------------------------

    def _confirm(self, s: SessionState, session_id: str, text: str, commands: set[Command], reply: Reply,
                 form: FormState, spec: FormSpec, filler: FormFiller) -> None:
        ctx = self.ctx
        if topic := ctx.topics.topic_of(text):  # "要带什么材料？" is a question, not a change
            reply.add(ctx.answers.answer(form.subject_id, topic))
            self.reprompt(s, reply)
            return
        key = referenced_slot(spec.slots, text)
        if Command.correction in commands or (key is not None and key in form.values):
            if self._correct(s, text, filler, reply):
                return
        answer = parse_value(YES_NO, text, ctx.today())
        if isinstance(answer, Value) and answer.value == "yes":
            self.submit(s, session_id, spec, filler, reply)
            return
        if isinstance(answer, Value) or ctx.say("chip_modify") in text:
            reply.add(ctx.say("which_field"))
            reply.suggestions += [label for _, label, _ in filler.views(form)]
            return
        if self._switch(s, session_id, text, commands, None, reply):
            return
        reply.add(ctx.say("confirm_repeat"))
        reply.suggestions += [ctx.say("chip_confirm"), ctx.say("chip_modify")]

    def submit(self, s: SessionState, session_id: str, spec: FormSpec, filler: FormFiller, reply: Reply) -> None:
        ctx = self.ctx
        form = s.form
        assert form is not None
        if is_report(spec):  # a 12345 report becomes a work order, not an application
            order = ctx.orders.create(report_order(spec, form, session_id, filler, ctx.orders.labels))
            number, text = order.number, reported_text(order, ctx.say)
        else:
            view = ctx.book.submit(drafts_for(spec, form, session_id, filler))
            number, text = view.number, submitted_text(view, spec, ctx.say)
            self.dialogue.proactive.record_applicant(number, form)
        s.move(State.submitted)
        s.applications.append(number)
        s.form = None
        reply.add(text)
        self.dialogue.proactive.after_submission(s, session_id, spec.subject_id, reply)
        self._offer_resume(s, reply)
