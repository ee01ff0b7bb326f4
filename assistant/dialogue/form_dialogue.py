"""The form part of the dialogue: consent, filling, corrections, switching, read-back, submit.

Each step takes the step's Tracker (the conversation so far) and the understood message and records
what happened as events. A step that leaves this form for another service returns that service's id;
the dialogue (assistant/dialogue/policy.py) starts it, so the two never call back into each other.
"""

from __future__ import annotations

from assistant.common.forms import MATERIALS_KEY, FormSpec, form_for
from assistant.dialogue.commands import Command
from assistant.dialogue.context import DialogueContext
from assistant.dialogue.events import (
    Asked,
    ConsentRecorded,
    FormClosed,
    FormOpened,
    FormRestarted,
    FormResumed,
    FormSetAside,
    KeptMessagesUsed,
    MessageKept,
    QuestionAnswered,
    Said,
    SlotCleared,
    StepRepeated,
    Submitted,
    Switched,
    Tracker,
)
from assistant.dialogue.filling import GIVE_UP_AFTER, HELP_AFTER, FormFiller, yes_no_slot
from assistant.dialogue.handoff import hand_off
from assistant.dialogue.offers import Proactive
from assistant.dialogue.reports import is_report, report_order, reported_said
from assistant.dialogue.session import FormState
from assistant.dialogue.states import State
from assistant.dialogue.submission import drafts_for, submitted_said
from assistant.dialogue.understanding import Understood
from intents.router import Decision
from intents.slot_extraction import Extraction, extract, referenced_slot
from intents.slot_values import Invalid, Value, parse_value
from knowledge.models import SlotType

CHAT_REPLIES = ("greeting", "thanks", "identity")
# A yes or a no is short, or opens the message ("同意，我叫张三…"); a longer message that merely holds
# 不 or 是 ("不是欠薪，我要投诉油烟") is something else and is read as such.
YES_NO_LONGEST = 6
YES_NO_OPENERS = ("同意", "不同意", "好的", "可以", "行", "确认", "没问题", "是的", "对", "不用", "不要", "不行", "都对", "没错")
# A request that names nothing else is the report itself when it is at least this long.
REQUEST_AS_TEXT = 10
# A message the question's slot rejects, this long, with no digits (no attempt at a number) and no
# question in it, may be a new request ("我的驾驶证过期了需要换证" when asked a name): it is routed. Shorter
# ones, and answers the slot accepts, never reach the router (its pretrained encoder is most of a turn's cost).
REQUEST_MIN = 8
# …and leaves the form for the service routed to only at this confidence or more: leaving is costlier than
# staying (a missed switch is said again with 算了/先办 or the service's name). Real requests routed at
# 0.95–0.99 ("我的驾驶证过期了需要换证", "我要给孩子上户口"), asides that are none at 0.69–0.83 ("我在外地打工不方便").
SWITCH_CONFIDENCE = 0.9


# What a form step returns instead of a service id when the message should be routed again from idle.
ROUTE_AGAIN = "@route-again"


class FormDialogue:
    def __init__(self, ctx: DialogueContext, proactive: Proactive) -> None:
        self.ctx = ctx
        self.proactive = proactive

    def _filler(self, subject_id: str) -> tuple[FormSpec, FormFiller]:
        spec = form_for(self.ctx.kb, subject_id)
        return spec, FormFiller(spec, self.ctx.say, self.ctx.today())

    # -- opening, resuming, leaving -----------------------------------------------------------------

    def open(self, t: Tracker, subject_id: str, request: str = "") -> None:
        """Open the form, keeping the request itself to read for answers once consent is given."""
        ctx = self.ctx
        t(FormOpened(subject_id))
        if request:
            t(MessageKept(request))
        if subject_id in t.state.consented:
            t.move(State.filling)
            self._use_kept(t)
            self.ask_next(t)
            return
        t.move(State.consent)
        self._ask_consent(t)
        t.offer(ctx.say("chip_yes"), ctx.say("chip_no"))

    def _ask_consent(self, t: Tracker) -> None:
        spec, _ = self._filler(self._form(t).subject_id)
        fields = "、".join(f.label for f in spec.fields if f.required and f.key != MATERIALS_KEY)
        if len(spec.services) == 1:
            t.say("consent", name=spec.subject_name, fields=fields)
        else:
            members = "、".join(s_.name for s_ in spec.services)
            t.say("consent_bundle", name=spec.subject_name, members=members, fields=fields)

    def resume(self, t: Tracker, subject_id: str) -> None:
        t(FormResumed(subject_id))
        t.move(State.filling if subject_id in t.state.consented else State.consent)
        t.say("resumed", name=form_for(self.ctx.kb, subject_id).subject_name)
        self.reprompt(t)

    def cancel(self, t: Tracker) -> None:
        t.say("cancelled", name=form_for(self.ctx.kb, self._form(t).subject_id).subject_name)
        t(FormClosed())
        t.move(State.idle)
        self.offer_resume(t)

    def offer_resume(self, t: Tracker) -> None:
        if t.state.suspended:
            t.say("resume_offer", name=form_for(self.ctx.kb, t.state.suspended[-1].subject_id).subject_name)
            t.offer(self.ctx.say("chip_resume"))

    def reprompt(self, t: Tracker) -> None:
        """Say again what the person was asked last (after a handoff, a resume or a side question)."""
        ctx = self.ctx
        if t.state.state is State.consent:
            t.say("consent_repeat")
            t.offer(ctx.say("chip_yes"), ctx.say("chip_no"))
            return
        if t.state.state is State.confirming:
            _, filler = self._filler(self._form(t).subject_id)
            t(filler.readback(self._form(t)))
            t.offer(ctx.say("chip_confirm"), ctx.say("chip_modify"))
            return
        self.ask_next(t)

    def ask_next(self, t: Tracker) -> None:
        """Ask the question still open, or the next one, or read everything back when none is left."""
        form = self._form(t)
        _, filler = self._filler(form.subject_id)
        if form.asked is not None and form.asked not in form.values and form.asked not in form.skipped:
            filler.ask(t, form.asked)
            return
        following = filler.next_field(form)
        if following is not None:
            t.move(State.filling)
            filler.ask(t, following.key)
            return
        if form.asked is not None:
            t(Asked(None))
        t.move(State.confirming)
        t(filler.readback(form))
        t.offer(self.ctx.say("chip_confirm"), self.ctx.say("chip_modify"))

    # -- consent -----------------------------------------------------------------------------------------

    def consent(self, t: Tracker, msg: Understood) -> str | None:
        ctx = self.ctx
        form = self._form(t)
        spec, _ = self._filler(form.subject_id)
        if Command.cancel in msg.commands:
            self.cancel(t)
            return None
        answer = self.yes_no(msg)
        if answer is not None:
            fields = tuple(f.label for f in spec.fields)
            t(ConsentRecorded(spec.subject_id, spec.subject_name, fields, answer))
            if answer:
                t.move(State.filling)
                t.say("consent_granted")
                if len(msg.text) > YES_NO_LONGEST:  # "同意，我叫张三，电话…": the rest answers questions
                    t(MessageKept(msg.text))
                self._use_kept(t)
                self.ask_next(t)
                return None
            t(FormClosed())
            t.move(State.idle)
            if len(spec.services) == 1:
                channels = spec.services[0].channels
                t.say("consent_declined", counter=channels.counter, hotline=channels.hotline)
            else:
                t.say("consent_declined_bundle")
            return None
        if Command.resume in msg.commands and t.state.suspended:
            t(FormClosed())  # nothing was collected for this one yet
            self.resume(t, t.state.suspended[-1].subject_id)
            return None
        if self._aside(t, msg, form.subject_id):
            self.reprompt(t)
            return None
        if (other := self._elsewhere(t, msg)) is not None:
            t(FormClosed())
            t.move(State.idle)
            return other
        if self._asks_anew(msg, form.subject_id):
            # 养老金怎么领 while asked to consent to 社保卡: a new request with several matches. Nothing
            # was collected yet, so the form closes and the message is routed as if said from the start.
            t(FormClosed())
            t.move(State.idle)
            return ROUTE_AGAIN
        self._unclear(t, "consent_unclear", [ctx.say("chip_yes"), ctx.say("chip_no")])
        return None

    @staticmethod
    def _asks_anew(msg: Understood, current: str) -> bool:
        """A request long enough to route that the router cannot settle between services other than this one."""
        if len(msg.text) < 4:
            return False
        result = msg.routing
        return result.decision is Decision.clarify and all(c.id != current for c in result.candidates)

    def yes_no(self, msg: Understood) -> bool | None:
        """同意 / 不同意 (or any yes and no, in dialect too) when the message is one, else None."""
        for text in dict.fromkeys((msg.text, msg.normalised)):
            if len(text) > YES_NO_LONGEST and not text.startswith(YES_NO_OPENERS):
                continue
            answer = parse_value(yes_no_slot(self.ctx.say), text, self.ctx.today())
            if isinstance(answer, Value):
                return answer.value == "yes"
        return None

    def _use_kept(self, t: Tracker) -> None:
        """Read the messages kept from before consent for answers, then drop them."""
        form = self._form(t)
        if not form.kept:
            return
        spec, filler = self._filler(form.subject_id)
        taken: list[str] = []
        for text in form.kept:
            extraction = extract(spec.slots, None, text, self.ctx.today(), filled=form.values.keys(),
                                 materials=spec.materials_for(form.values), volunteered=True)
            taken += filler.take(t, extraction, source="earlier")
            taken += self._request_as_text(t, filler, text)
        t(KeptMessagesUsed())
        if taken:
            labels = "、".join(spec.field(k).label for k in dict.fromkeys(taken))
            t.say("noted_earlier", labels=labels)

    def _request_as_text(self, t: Tracker, filler: FormFiller, text: str) -> list[str]:
        """A report's description is the report itself ("我家楼下的路灯坏了好几天了"), when it is long
        enough to say more than which service is wanted."""
        form = self._form(t)
        for f in filler.applicable(form):
            if not f.slot.from_request or f.key in form.values or len(text) < REQUEST_AS_TEXT:
                continue
            value = parse_value(f.slot, text, self.ctx.today())
            if isinstance(value, Value):
                return filler.take(t, Extraction(values={f.key: value}), source="earlier")
        return []

    # -- filling ---------------------------------------------------------------------------------------

    def filling(self, t: Tracker, msg: Understood) -> str | None:
        if self._steer(t, msg):
            return None
        ctx = self.ctx
        form = self._form(t)
        spec, filler = self._filler(form.subject_id)
        today = ctx.today()
        asked = form.asked
        text = msg.text
        if Command.correction in msg.commands and self._correct(t, msg, filler):
            return None
        if asked == MATERIALS_KEY and Command.materials_ready in msg.commands:
            text = ctx.say("chip_all_materials")
        slot = spec.field(asked).slot if asked else None
        materials = spec.materials_for(form.values)
        expected = parse_value(slot, text, today, materials) if slot else None
        if slot and expected is None and msg.normalised and msg.normalised != text and text == msg.text:
            # Read in Mandarin when it was said in dialect ("啲材料都齐晒" → "些材料都齐"), or with numerals spoken.
            if (in_mandarin := parse_value(slot, msg.normalised, today, materials)) is not None:
                text, expected = msg.normalised, in_mandarin
        skipping = Command.skip in msg.commands and not (slot and slot.type in (SlotType.yes_no, SlotType.materials)
                                                          and isinstance(expected, Value))
        if skipping:
            expected = None  # a command word is never a value (跳过 is nobody's name)
        if (other := self._switch(t, msg, expected)) is not None:
            return other
        if expected is None and msg.topic and self._answer_topic(t, form.subject_id, msg.topic):
            self.ask_next(t)
            return None
        extraction = extract(spec.slots, asked, text, today, filled=form.values.keys(), materials=materials)
        if skipping and asked:
            extraction.values.pop(asked, None)
        taken = filler.take(t, extraction)
        if asked in taken or (taken and asked not in extraction.errors):
            self.ask_next(t)
            return None
        if asked == MATERIALS_KEY and form.missing_materials:
            filler.materials_shortfall(t)
            return None
        if asked and skipping:
            if not filler.required(form, asked):
                filler.skip(t, asked)
                self.ask_next(t)
                return None
            self._give_up_or_help(t, filler, asked, Invalid(ctx.say("cannot_skip", label=spec.field(asked).label)))
            return None
        if asked and msg.chat == "no_phone" and slot is not None and slot.type is SlotType.phone:
            t.say("no_mobile")
            if not filler.required(form, asked):
                filler.skip(t, asked)
            self.ask_next(t)
            return None
        if asked not in (None, MATERIALS_KEY) and not taken and self._may_be_a_request(msg) \
                and (other := self._requested_elsewhere(t, msg)) is not None:
            return other
        if isinstance(expected, Invalid) and asked and asked not in extraction.errors:
            extraction.errors[asked] = expected
        if asked and asked not in extraction.errors and self._aside(t, msg, form.subject_id):
            self.ask_next(t)
            return None
        if asked:
            self._give_up_or_help(t, filler, asked, extraction.errors.get(asked))
        return None

    def _give_up_or_help(self, t: Tracker, filler: FormFiller, key: str, problem: Invalid | None) -> None:
        """Refuse the answer with help; the third time skip an optional question or hand over to a person."""
        count = filler.refuse(t, key, problem)
        if count < GIVE_UP_AFTER:
            return
        form = self._form(t)
        if not filler.required(form, key):
            t.say("skipped_after_tries", label=filler.spec.field(key).label)
            filler.skip(t, key, reason="tries")
            self.ask_next(t)
            return
        hand_off(t, self.ctx, "misunderstood")

    def _aside(self, t: Tracker, msg: Understood, subject_id: str) -> bool:
        """Something said beside the question: a guide question, a greeting or thanks, 代办, a question the
        guides answer. Answered (once: never the same answer twice in a row); the caller asks again."""
        # "办护照要多久" while consenting to 社保卡: the question is about the service it names.
        about = next((sid for sid in msg.named if sid != subject_id), subject_id)
        if msg.topic and self._answer_topic(t, about, msg.topic):
            return True
        if msg.chat in CHAT_REPLIES:
            t.say(f"chat_{msg.chat}_in_form")
            return True
        if msg.chat == "on_behalf":
            t.say("on_behalf")
            self._answer_topic(t, subject_id, "proxy")
            return True
        if msg.question and self._form(t).last_aside != "passage":
            result = msg.routing
            if result.decision is Decision.answer and result.answer is not None:
                t(QuestionAnswered(subject_id, "passage"))
                t.say("answer", text=result.answer.text, source=result.answer.source)
                return True
        return False

    def _answer_topic(self, t: Tracker, subject_id: str, topic: str) -> bool:
        form = t.state.form
        if form is not None and form.last_aside == topic and subject_id == form.subject_id:
            return False
        t(QuestionAnswered(subject_id, topic))
        t.say("guide_answer", text=self.ctx.answers.answer(subject_id, topic))
        return True

    def _unclear(self, t: Tracker, key: str, chips: list[str]) -> None:
        """Neither yes nor no nor anything else understood, at consent or read-back: say what is asked,
        then offer a person, then hand over."""
        count = self._form(t).repeats + 1
        t(StepRepeated(count))
        if count >= GIVE_UP_AFTER:
            hand_off(t, self.ctx, "misunderstood")
            return
        t.say(key)
        t.offer(*chips, *([self.ctx.say("chip_human")] if count >= HELP_AFTER else []))

    def _steer(self, t: Tracker, msg: Understood) -> bool:
        """取消 / 重新开始 / 上一步."""
        form = self._form(t)
        if Command.cancel in msg.commands:
            self.cancel(t)
            return True
        if Command.restart in msg.commands:
            t(FormRestarted())
            t.move(State.filling)
            t.say("restarted")
            self.ask_next(t)
            return True
        if Command.back in msg.commands:
            if not form.order:
                t.say("back_first")
                self.ask_next(t)
                return True
            last = form.order[-1]
            t(SlotCleared(last), Asked(last))
            t.move(State.filling)
            self.ask_next(t)
            return True
        return False

    def _correct(self, t: Tracker, msg: Understood, filler: FormFiller) -> bool:
        """"电话说错了，是13900139000" sets the phone; "名字不对" asks for the name again."""
        form = self._form(t)
        key = referenced_slot(filler.spec.slots, msg.text)
        if key is None or (key not in form.values and key != form.asked):
            if t.state.state is State.confirming:
                t.say("which_field")
                t.offer(*[label for _, label, _ in filler.views(form)])
                return True
            return False
        said = self.ctx.commands.without(Command.correction, msg.text)  # "说错了，是139…" → "，是139…"
        extraction = extract(filler.spec.slots, key, said, self.ctx.today(), materials=filler.spec.materials_for(form.values))
        if key in extraction.values:
            filler.take(t, Extraction(values={key: extraction.values[key]}), source="correction")
            t.say("field_changed")
            t(Asked(None))
        else:
            t(SlotCleared(key), Asked(key))
            t.say("field_cleared", label=filler.spec.field(key).label)
            if key in extraction.errors:
                t.say("refused", reason=extraction.errors[key].message)
        t.move(State.filling)
        self.ask_next(t)
        return True

    def _elsewhere(self, t: Tracker, msg: Understood) -> str | None:
        """Another service this message is about, other than the form's own: named, or routed to with
        confidence (only asked of the router when the message is long enough to be a request)."""
        current = self._form(t).subject_id
        named = next((sid for sid in msg.named if sid != current), None)
        if named is not None:
            return named
        if msg.matter is not None and msg.matter.service_id != current and is_report(form_for(self.ctx.kb, current)):
            return msg.matter.service_id  # a complaint about something else: 不是欠薪，是油烟
        if len(msg.text) < 4:
            return None
        result = msg.routing
        if result.decision is Decision.route and result.candidates and result.candidates[0].id != current:
            return result.candidates[0].id
        return None

    def _switch(self, t: Tracker, msg: Understood, expected: Value | Invalid | None) -> str | None:
        """"算了，先办身份证": keep this form aside and start (or resume) the other one."""
        form = self._form(t)
        named = next((sid for sid in msg.named if sid != form.subject_id), None)
        if named is None and Command.switch in msg.commands:
            result = msg.routing
            if result.decision in (Decision.route, Decision.clarify) and result.candidates:
                top = result.candidates[0].id
                named = top if top != form.subject_id else None
        if named is None or not (Command.switch in msg.commands or expected is None):
            return None
        return self._set_aside_for(t, named)

    @staticmethod
    def _may_be_a_request(msg: Understood) -> bool:
        """Long free text with no number and no question in it (called once the slot has rejected it)."""
        return (len(msg.text) >= REQUEST_MIN and not any(ch.isdigit() for ch in msg.text)
                and not msg.question and msg.topic is None)

    def _requested_elsewhere(self, t: Tracker, msg: Understood) -> str | None:
        """"我还想问一下结婚登记" or "我的驾驶证过期了需要换证" instead of an answer: another service, named
        or routed to with confidence, is started and this form kept aside."""
        current = self._form(t).subject_id
        other = next((sid for sid in msg.named if sid != current), None)
        if other is None:
            result = msg.routing
            sure = result.decision is Decision.route and result.confidence >= SWITCH_CONFIDENCE
            if sure and result.candidates and result.candidates[0].id != current:
                other = result.candidates[0].id
        return None if other is None else self._set_aside_for(t, other)

    def _set_aside_for(self, t: Tracker, other: str) -> str:
        old = form_for(self.ctx.kb, self._form(t).subject_id).subject_name
        t(FormSetAside(), Switched(other))
        t.move(State.idle)
        if t.state.suspended_form(other) is None:
            t.say("switched", name=self.ctx.name_of(other), old=old)
        return other

    # -- confirming and submitting ------------------------------------------------------------------

    def confirming(self, t: Tracker, session_id: str, msg: Understood) -> str | None:
        if self._steer(t, msg):
            return None
        ctx = self.ctx
        form = self._form(t)
        spec, filler = self._filler(form.subject_id)
        if msg.topic and self._answer_topic(t, form.subject_id, msg.topic):  # "要带什么材料？" is no change
            self.reprompt(t)
            return None
        key = referenced_slot(spec.slots, msg.text)
        if Command.correction in msg.commands or (key is not None and key in form.values):
            if self._correct(t, msg, filler):
                return None
        answer = True if ctx.say("chip_confirm") in msg.text else self.yes_no(msg)  # "妥了，确认提交"
        if answer is True:
            self.submit(t, session_id, spec, filler)
            return None
        if answer is False or ctx.say("chip_modify") in msg.text:
            t.say("which_field")
            t.offer(*[label for _, label, _ in filler.views(form)])
            return None
        if (other := self._switch(t, msg, None)) is not None:
            return other
        if self._aside(t, msg, form.subject_id):
            self.reprompt(t)
            return None
        self._unclear(t, "confirm_repeat", [ctx.say("chip_confirm"), ctx.say("chip_modify")])
        return None

    def submit(self, t: Tracker, session_id: str, spec: FormSpec, filler: FormFiller) -> None:
        ctx = self.ctx
        form = self._form(t)
        said: list[Said]
        if is_report(spec):  # a 12345 report becomes a work order, not an application
            order = ctx.orders.create(report_order(spec, form, session_id, filler, ctx.orders.labels))
            number, said = order.number, [reported_said(order, ctx.say)]
        else:
            view = ctx.book.submit(drafts_for(spec, form, session_id, filler))
            number, said = view.number, submitted_said(view, spec, ctx.say)
            self.proactive.record_applicant(number, form)
        t.move(State.submitted)
        t(Submitted(number), FormClosed(), *said)
        self.proactive.after_submission(t, session_id, spec.subject_id)
        self.offer_resume(t)

    @staticmethod
    def _form(t: Tracker) -> FormState:
        assert t.state.form is not None
        return t.state.form
