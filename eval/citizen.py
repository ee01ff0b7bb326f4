"""A simulated citizen: answers the assistant's questions from a guide's slot schema alone.

It hears the question (finds which slot's `ask` text is in the reply) and answers with a valid value
made from the slot's type and rules — the way a tester would fill the form by hand. Used by the
end-to-end dialogue tests and by `govassist eval dialogue`, which reports turns to submission.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum.cn import ric

from assistant.forms import FormSpec
from assistant.states import State
from assistant.turn import Turn
from knowledge.models import DateRange, Slot, SlotType

PHONE = "13800138000"
ADDRESS = "广东省广州市越秀区东风中路305号"
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")

Answerer = Callable[[Slot, date, int], str]  # (slot, today, answers so far) -> what the citizen says


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
            low, high = rules.min or 1, rules.max or 1000
            return str(int(max(low, min(high, 2))))
        case SlotType.money:
            low, high = rules.min or 0, rules.max or 10_000_000
            return f"{int(max(low, min(high, 3000)))}元"
        case SlotType.text:
            for example in (hint, *re.split(r"[，,；;、]|或", hint)):  # "粤A12345，新能源车像粤AD12345"
                if example and (rules.pattern is None or re.fullmatch(rules.pattern, example)):
                    return example
            return "情况是这样的需要办理" if rules.pattern is None else _from_pattern(rules.pattern)
        case SlotType.materials:
            return "都有了"
    raise ValueError(slot.type)


def _date_answer(slot: Slot, today: date) -> str:
    rules = slot.validation
    if rules.date_range is DateRange.future:
        day = today + timedelta(days=min(3, rules.max_days_ahead or 3))
    else:
        day = today - timedelta(days=min(10, rules.max_days_ago or 10))
    return f"{day.year}年{day.month}月{day.day}日"


def _from_pattern(pattern: str) -> str:
    if "A-HJ-NPQRTUWXY" in pattern:  # 统一社会信用代码
        return "91440101MA59AB1C2D"
    digits = re.search(r"\\d\{(\d+)(?:,\d+)?\}", pattern)
    return "6" * int(digits.group(1)) if digits else "A1"


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    given: dict[str, str] = field(default_factory=dict)  # slot key -> what the citizen said

    def transcript(self) -> str:
        return "\n".join(f"民：{s}\n助：{t.reply}" for s, t in zip(self.said, self.turns))


class Citizen:
    """Drives one conversation from a first utterance to submission, answering only what is asked."""

    def __init__(self, spec: FormSpec, today: date, together: bool = False, answers: Answerer = answer_for) -> None:
        self.spec = spec
        self.today = today
        self.together = together  # give name, ID and phone in one message when asked the first of them
        self.answers = answers  # a load test gives each citizen its own phone and ID numbers

    def question_in(self, reply: str) -> Slot | None:
        found = [f.slot for f in self.spec.fields if f.slot.ask in reply]
        return max(found, key=lambda s: len(s.ask)) if found else None

    def answer(self, turn: Turn, conversation: Conversation) -> str:
        if turn.state is State.consent:
            return "同意"
        if turn.state is State.confirming:
            return "确认提交"
        if turn.state is State.clarifying:
            return self.spec.subject_name
        slot = self.question_in(turn.reply)
        if slot is None:
            return f"我要办{self.spec.subject_name}"
        n = len(conversation.given)
        text = self.answers(slot, self.today, n)
        conversation.given[slot.name] = text
        if self.together and slot.type is SlotType.person_name:
            text = self._with_companions(slot, text, conversation)
        return text

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

    def run(self, handle: Callable[[str], Turn], first: str, max_turns: int = 60) -> Conversation:
        conversation = Conversation()
        text = first
        for _ in range(max_turns):
            turn = handle(text)
            conversation.said.append(text)
            conversation.turns.append(turn)
            if turn.state is State.submitted:
                return conversation
            text = self.answer(turn, conversation)
        return conversation
