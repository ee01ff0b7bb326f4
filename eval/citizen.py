"""A simulated citizen: answers the assistant's questions from a guide's slot schema alone.

It hears the question (the field key the turn says it is asking, or else which slot's `ask` text is
in the reply) and answers with a valid value made from the slot's type and rules — the way a tester
would fill the form by hand — in one of several answering styles (`Style`): tersely, chattily, with
every fact in one message, with the facts up front, correcting a value at the read-back, asking a
question in the middle, in dialect, with vague dates, or tapping the offered chips. It never cheats:
it says only what a person who knows their own details would say, and a question asked again gets
the plain value, as a person would give after being told why. Used by the end-to-end dialogue tests
and by `govassist eval dialogue`, which reports completion and turns to submission per style.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn import ric

from assistant.common.forms import MATERIALS_KEY, FormField, FormSpec
from assistant.dialogue.states import State
from assistant.dialogue.turn import Turn
from assistant.privacy.masking import mask
from eval.styles import Style
from knowledge.models import DateRange, Slot, SlotType

PHONE = "13800138000"
ADDRESS = "广东省广州市越秀区东风中路305号"
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")
PHRASES_FILE = Path(__file__).resolve().parent / "data" / "citizen.yaml"
TAIL = 6  # exchanges kept in a failure's transcript
# Types whose read-back the citizen can check against what it said (the rest are reworded: 是的 → 是).
READ_BACK_CHECKED = frozenset({SlotType.person_name, SlotType.id_number, SlotType.phone, SlotType.date, SlotType.choice})
CONSENT, CONFIRM = "(consent)", "(confirm)"  # in Conversation.reasked: consent or confirmation asked again

Answerer = Callable[[Slot, date, int], str]  # (slot, today, answers so far) -> what the citizen says


@cache
def phrases() -> dict[str, Any]:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def make_id_number(born: date, region: str = "110101", sequence: str = "123") -> str:
    body = f"{region}{born:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # the library ignores the last character


def answer_for(slot: Slot, today: date, n: int = 0) -> str:
    """A valid answer to one slot, as a person would say it."""
    rules = slot.validation
    hint = slot.hint.removeprefix("比如：").strip()
    match slot.type:
        case SlotType.person_name:
            return NAMES[n % len(NAMES)]
        case SlotType.id_number:
            low, high = rules.min_age or 0, rules.max_age if rules.max_age is not None else 80
            age = min(max(low, 40), high - 1) if high > low else low
            born = date(today.year - age - 1, 3, 7)
            return make_id_number(born, sequence=f"{12 + n % 80:02d}3")
        case SlotType.phone:
            return PHONE
        case SlotType.date:
            return _date_answer(slot, today)
        case SlotType.address:
            return ADDRESS
        case SlotType.choice:
            return slot.choices[0].label
        case SlotType.yes_no:
            return "是的"
        case SlotType.number:
            least, most = rules.min or 1, rules.max or 1000  # floats, unlike the ages' low and high above
            return str(int(max(least, min(most, 2))))
        case SlotType.money:
            least, most = rules.min or 0, rules.max or 10_000_000
            return f"{int(max(least, min(most, 3000)))}元"
        case SlotType.text:
            for example in (hint, *re.split(r"[，,；;、]|或", hint)):  # "粤A12345，新能源车像粤AD12345"
                if example and (rules.pattern is None or re.fullmatch(rules.pattern, example)):
                    return example
            return "情况是这样的需要办理" if rules.pattern is None else _from_pattern(rules.pattern)
        case SlotType.materials:
            return phrases()["materials"]
    raise ValueError(slot.type)


def _date_answer(slot: Slot, today: date) -> str:
    rules = slot.validation
    if rules.date_range is DateRange.future:
        day = today + timedelta(days=min(3, rules.max_days_ahead or 3))
    else:
        day = today - timedelta(days=min(10, rules.max_days_ago or 10))
    return f"{day.year}年{day.month}月{day.day}日"


def vague_date(slot: Slot, today: date, variant: int = 0) -> str | None:
    """前几天 / 上个月初 / 大概三月份 (or 过几天 / 下个星期 for a day ahead), where the slot's range
    allows the days it means; None when no vague wording fits."""
    words = phrases()["vague_date"]
    rules = slot.validation
    if rules.date_range is DateRange.future:
        ahead = rules.max_days_ahead if rules.max_days_ahead is not None else 366
        fitting = [w for w, last in ((words["in_a_few_days"], 5), (words["next_week"], 13)) if last <= ahead]
    else:
        ago = rules.max_days_ago if rules.max_days_ago is not None else 100_000
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        months_back = today.month - 4  # the month named is four months back: 大概七月份 in November
        month = date(today.year - (months_back <= 0), (months_back - 1) % 12 + 1, 1)
        named = words["month"].format(month=words["month_words"][month.month - 1])
        earliest = ((words["days_ago"], today - timedelta(days=7)), (words["start_of_last_month"], last_month), (named, month))
        fitting = [w for w, first in earliest if (today - first).days <= ago]
    return fitting[variant % len(fitting)] if fitting else None


def _from_pattern(pattern: str) -> str:
    if "A-HJ-NPQRTUWXY" in pattern:  # 统一社会信用代码
        return "91440101MA59AB1C2D"
    digits = re.search(r"\\d\{(\d+)(?:,\d+)?\}", pattern)
    return "6" * int(digits.group(1)) if digits else "A1"


def _is_self(f: FormField) -> bool:
    """The applicant's own name, ID number or phone ("我叫…"), as against a child's or a seller's."""
    return f.key.startswith("applicant_") or f.key == "phone"


@dataclass(frozen=True)
class Wrong:
    key: str
    wrong: str
    right: str


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    given: dict[str, str] = field(default_factory=dict)  # slot key -> the value the citizen gave
    reasked: list[str] = field(default_factory=list)  # keys asked again after the citizen gave them; CONSENT, CONFIRM
    taps: int = 0  # quick replies tapped (chips style)
    consents: int = 0  # times the citizen agreed (typed)
    confirms: int = 0  # times the citizen confirmed (typed)
    told_all: bool = False  # several facts already said
    aside: str | None = None  # the question asked in the middle
    aside_answered: bool | None = None
    wrong: Wrong | None = None  # the value said wrongly, to correct at the read-back
    corrections: int = 0
    corrected: bool | None = None  # the corrected value was read back
    vague: set[str] = field(default_factory=set)  # date keys answered vaguely
    misread: list[str] = field(default_factory=list)  # values the read-back shows otherwise than they were said
    said_at: dict[str, int] = field(default_factory=dict)  # slot key -> the message that first gave it
    misread_key: str | None = None  # the first of those
    first_reask: int | None = None  # messages said when something was first asked again

    def transcript(self) -> str:
        return "\n".join(f"民：{s}\n助：{t.reply}" for s, t in zip(self.said, self.turns))

    def problems(self) -> list[str]:
        """What the citizen noticed went wrong, besides not getting to submission."""
        found = []
        if self.wrong is not None and not self.corrected:
            found.append(f"correction of {self.wrong.key} not read back")
        if self.aside is not None and self.aside_answered is False:
            found.append(f"question {self.aside} not answered")
        return found + self.misread

    def asked_again(self, key: str) -> None:
        self.reasked.append(key)
        if self.first_reask is None:
            self.first_reask = len(self.said)


class Citizen:
    """Drives one conversation from a first utterance to submission, answering only what is asked."""

    def __init__(self, spec: FormSpec, today: date, together: bool = False, answers: Answerer = answer_for,
                 style: Style = Style.terse, variant: int = 0) -> None:
        self.spec = spec
        self.today = today
        self.together = together  # give name, ID and phone in one message when asked the first of them
        self.answers = answers  # a load test gives each citizen its own phone and ID numbers
        self.style = style
        self.variant = variant  # which of a style's wordings (and which dialect) this citizen uses
        self.phrases = phrases()
        regions = sorted(self.phrases["dialect"])
        self.dialect = self.phrases["dialect"][regions[variant % len(regions)]]

    # -- hearing ----------------------------------------------------------------------------------------

    def question_in(self, reply: str) -> Slot | None:
        found = [f.slot for f in self.spec.fields if f.slot.ask in reply]
        return max(found, key=lambda s: len(s.ask)) if found else None

    def asked(self, turn: Turn) -> FormField | None:
        """The field whose question waits: the turn says so, or else its `ask` text is in the reply."""
        if turn.asking is not None and self.spec.has(turn.asking):
            return self.spec.field(turn.asking)
        slot = self.question_in(turn.reply)
        return None if slot is None else self.spec.field(slot.name)

    # -- speaking ---------------------------------------------------------------------------------------

    def opening(self, conversation: Conversation) -> str:
        name = self.spec.subject_name
        if self.style is Style.dialect:
            return self.dialect["opening"].format(name=name)
        if self.style is Style.up_front:
            told = self._facts(self._identity_fields(), conversation)
            return self.phrases["up_front"].format(facts=told, name=name)
        return self.phrases["opening"].format(name=name)

    def answer(self, turn: Turn, conversation: Conversation) -> str:
        if conversation.aside is not None and conversation.aside_answered is None:
            conversation.aside_answered = self._answers_aside(turn.reply)
        if turn.state is State.consent:
            return self._consent(turn, conversation)
        if turn.state is State.confirming:
            return self._confirm(turn, conversation)
        if turn.state is State.clarifying:
            return self._tap(turn, [self.spec.subject_name], conversation) or self.spec.subject_name
        target = self.asked(turn)
        if target is None:
            return self.phrases["opening"].format(name=self.spec.subject_name)
        if self.style is Style.question and conversation.aside is None and len(conversation.given) >= self._midpoint():
            questions = self.phrases["questions"]
            conversation.aside = questions[self.variant % len(questions)]
            return conversation.aside
        if self.style is Style.several and not conversation.told_all:
            conversation.told_all = True
            applicable = [f for f in self.spec.fields if f.key != MATERIALS_KEY and self._applies(f, conversation)]
            return self._facts(applicable, conversation)
        if target.key in conversation.given:
            conversation.asked_again(target.key)
            return self._again(turn, target, conversation)
        return self._first_answer(turn, target, conversation)

    def _first_answer(self, turn: Turn, target: FormField, conversation: Conversation) -> str:
        slot = target.slot
        if self.style is Style.chips and (tapped := self._tap_for(turn, target, conversation)):
            conversation.given[target.key] = tapped
            conversation.said_at.setdefault(target.key, len(conversation.said))
            return tapped
        value = self._value(target, conversation)
        if self.style is Style.correction and conversation.wrong is None and slot.type is self._corrected_type():
            wrong = self.phrases["correction"]["wrong_phone" if slot.type is SlotType.phone else "wrong_name"]
            conversation.wrong = Wrong(target.key, wrong, value)
            conversation.given[target.key] = wrong  # (said_at: set by _value)
            return wrong
        if self.together and slot.type is SlotType.person_name:
            return self._with_companions(slot, value, conversation)
        if self.style is Style.chatty:
            return self._worded(self._pick(self.phrases["chatty"][self._kind(target)]), value)
        if self.style is Style.dialect:
            return self._worded(self.dialect[self._kind(target)], value)
        if self.style is Style.vague_date and slot.type is SlotType.date:
            if (vague := vague_date(slot, self.today, self.variant)) is not None:
                conversation.vague.add(target.key)
                return vague
        return value

    def _again(self, turn: Turn, target: FormField, conversation: Conversation) -> str:
        """The question once more: the plain value (the exact date after a vague one)."""
        if self.style is Style.chips and (tapped := self._tap_for(turn, target, conversation)):
            return tapped
        return conversation.given[target.key]

    def _consent(self, turn: Turn, conversation: Conversation) -> str:
        if self.style is Style.chips and (tapped := self._tap(turn, self.phrases["chips"]["consent"], conversation)):
            return tapped
        conversation.consents += 1
        if conversation.consents > 1:  # asked again: the plain word
            conversation.asked_again(CONSENT)
            return self.phrases["consent"]
        if self.style is Style.chatty:
            return self._pick(self.phrases["chatty"]["consent"])
        if self.style is Style.dialect:
            return self.dialect["consent"]
        return self.phrases["consent"]

    def _confirm(self, turn: Turn, conversation: Conversation) -> str:
        wrong = conversation.wrong
        if wrong is not None and not conversation.corrected:
            field_ = self.spec.field(wrong.key)
            shown = {v.key: v.value for v in turn.slots}
            if conversation.corrections and shown.get(wrong.key) == mask(field_.slot.type, wrong.right):
                conversation.corrected = True
            elif conversation.corrections < 2:
                conversation.corrections += 1
                conversation.given[wrong.key] = wrong.right
                words = self.phrases["correction"]
                template = words["phone"] if field_.slot.type is SlotType.phone else words["other"]
                return template.format(label=field_.label, value=wrong.right)
            else:
                conversation.corrected = False
        misread = self._misread(turn, conversation)
        conversation.misread = [message for _, message in misread]
        conversation.misread_key = misread[0][0] if misread else None
        if self.style is Style.chips and (tapped := self._tap(turn, self.phrases["chips"]["confirm"], conversation)):
            return tapped
        conversation.confirms += 1
        if conversation.confirms > 1:  # asked again: the plain words
            conversation.asked_again(CONFIRM)
            return self.phrases["confirm"]
        if self.style is Style.chatty:
            return self._pick(self.phrases["chatty"]["confirm"])
        if self.style is Style.dialect:
            return self.dialect["confirm"]
        return self.phrases["confirm"]

    def _misread(self, turn: Turn, conversation: Conversation) -> list[tuple[str, str]]:
        """(key, what is wrong) for each value the read-back shows otherwise than the citizen said it
        (names, ID and phone numbers, exact dates, choices)."""
        found = []
        for view in turn.slots:
            said = conversation.given.get(view.key)
            if said is None or view.key in conversation.vague or not self.spec.has(view.key):
                continue
            slot_type = self.spec.field(view.key).slot.type
            if slot_type in READ_BACK_CHECKED and view.value != mask(slot_type, said):
                found.append((view.key, f"{view.key} read back as {view.value}, said {mask(slot_type, said)}"))
        return found

    # -- chips ------------------------------------------------------------------------------------------

    def _tap(self, turn: Turn, fitting: list[str], conversation: Conversation) -> str | None:
        tapped = next((s for s in turn.suggestions if s in fitting), None)
        conversation.taps += tapped is not None
        return tapped

    def _tap_for(self, turn: Turn, target: FormField, conversation: Conversation) -> str | None:
        """The chip that answers this question, if one is offered: a choice, yes, skip, materials ready."""
        slot, chips = target.slot, self.phrases["chips"]
        if not slot.required and (tapped := self._tap(turn, chips["skip"], conversation)):
            return tapped
        match slot.type:
            case SlotType.choice:
                return self._tap(turn, [slot.choices[0].label], conversation)
            case SlotType.yes_no:
                return self._tap(turn, chips["affirm"], conversation)
            case SlotType.materials:
                return self._tap(turn, chips["materials"], conversation)
        return None

    # -- values and wording -----------------------------------------------------------------------------

    def _value(self, target: FormField, conversation: Conversation) -> str:
        n = len(conversation.given)
        value = self.answers(target.slot, self.today, n)
        taken = set(conversation.given.values())
        for more in range(1, 50):  # two people in one form never share a name or an ID number
            if value not in taken or target.slot.type not in (SlotType.person_name, SlotType.id_number):
                break
            value = self.answers(target.slot, self.today, n + more)
        conversation.given[target.key] = value
        conversation.said_at.setdefault(target.key, len(conversation.said))
        return value

    def _facts(self, fields: list[FormField], conversation: Conversation) -> str:
        """"我叫张伟，身份证号…，电话…，领卡方式是…": each field's value, with its label where needed."""
        words = self.phrases["facts"]
        parts = []
        for f in fields:
            value = conversation.given.get(f.key) or self._value(f, conversation)
            kind = f"self_{f.slot.type.value}"
            template = words[kind] if _is_self(f) and kind in words else words.get(f.slot.type.value, words["other"])
            parts.append(template.format(label=f.label, value=value.rstrip("。")))
        return words["joiner"].join(parts)

    def _identity_fields(self) -> list[FormField]:
        """The first name, ID number and phone of the form, asked of everyone."""
        found: dict[SlotType, FormField] = {}
        for f in self.spec.fields:
            if f.slot.type in (SlotType.person_name, SlotType.id_number, SlotType.phone) and f.condition is None:
                found.setdefault(f.slot.type, f)
        return sorted(found.values(), key=self.spec.fields.index)

    def _applies(self, f: FormField, conversation: Conversation) -> bool:
        """Whether this citizen's own answers (the choices it would make) lead to the question."""
        if f.condition is None:
            return True
        key, values = f.condition
        if not self.spec.has(key):
            return False
        chosen = self.spec.field(key)
        label = conversation.given.get(key) or self.answers(chosen.slot, self.today, 0)
        value = next((c.value for c in chosen.slot.choices if c.label == label), None)
        return value in values

    def _corrected_type(self) -> SlotType:
        types = {f.slot.type for f in self.spec.fields}
        return SlotType.phone if SlotType.phone in types else SlotType.person_name

    def _midpoint(self) -> int:
        return max(1, sum(1 for f in self.spec.fields if f.condition is None) // 2)

    def _answers_aside(self, reply: str) -> bool:
        """Whether the reply answers the question asked in the middle (a material named, or the time limit)."""
        materials = [m.name for m in self.spec.materials]
        times = [s.time_limit.text for s in self.spec.services]
        return any(m in reply for m in materials) or any(t in reply for t in times)

    def _kind(self, target: FormField) -> str:
        if target.slot.type is SlotType.person_name and _is_self(target):
            return "self_name"
        return target.slot.type.value

    def _pick(self, options: list[str]) -> str:
        return options[self.variant % len(options)]

    @staticmethod
    def _worded(template: str, value: str) -> str:
        return template.format(value=value)

    def _with_companions(self, slot: Slot, text: str, conversation: Conversation) -> str:
        """"我叫张三，身份证…，电话…": the ID and phone that belong with this name, each with its label."""
        keys = [f.key for f in self.spec.fields]
        after = [f.slot for f in self.spec.fields[keys.index(slot.name) + 1:]]
        parts = [f"{slot.label}是{text}"]
        for other in after[:2]:
            if other.type in (SlotType.id_number, SlotType.phone) and other.name not in conversation.given:
                value = self.answers(other, self.today, len(conversation.given))
                conversation.given[other.name] = value
                parts.append(f"{other.label}{value}")
        return "，".join(parts)

    # -- driving ----------------------------------------------------------------------------------------

    def run(self, handle: Callable[[str], Turn], first: str | None = None, max_turns: int = 60) -> Conversation:
        """Say `first` (or this style's opening) and answer each reply until submission, `max_turns`
        messages, or the same reply four times running (the conversation is stuck)."""
        conversation = Conversation()
        text = self.opening(conversation) if first is None else first
        for _ in range(max_turns):
            turn = handle(text)
            conversation.said.append(text)
            conversation.turns.append(turn)
            if turn.state is State.submitted:
                return conversation
            replies = [t.reply for t in conversation.turns[-4:]]
            if len(replies) == 4 and len(set(replies)) == 1:
                return conversation
            text = self.answer(turn, conversation)
        return conversation
