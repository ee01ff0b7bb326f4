"""Values for several slots from one message ("我叫张三，身份证110101199003074514，电话13800138000"),
and which slot a correction names ("妈妈的身份证号错了").

Values that have a recognisable shape (ID number, mobile number, date, amount of money) are placed
by the cue words in their clause: "妈妈" sends an ID number to the mother's slot. Values without a
shape (names, addresses, free text, choices) go to a slot that was not asked only when the clause
names that slot ("孩子叫李小宝", "性别是男"). The slot just asked gets what is left of the message.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from intents.dates import find_dates
from intents.slot_answers import named_choice
from intents.slot_text import Invalid, Value, alternation, clauses, prepare, slot_words
from intents.slot_values import parse_value
from knowledge.models import Material, Slot, SlotType

_NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十百千万两点]+)"
_SHAPES: list[tuple[SlotType, re.Pattern[str]]] = [
    (SlotType.id_number, re.compile(r"(?<![\dXx])\d(?:[\s-]?\d){16}[\s-]?[\dXx](?![\dXx])")),
    (SlotType.phone, re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9](?:[\s-]?\d){9}(?!\d)")),
    # Money has a shape only with its unit: 1500元, 一千五百块, 1.5万元.
    (SlotType.money, re.compile(rf"{_NUMBER}\s*(?:[万千kKwW]\s*{_NUMBER}?)?\s*(?:元|块钱|块)")),
]
_FREE_TYPES = (SlotType.person_name, SlotType.address, SlotType.text, SlotType.choice, SlotType.yes_no, SlotType.number)
# Said between a cue and its value: "妈妈的是…", "电话：…".
_JOINERS = re.compile(r"^[的是为：:\s，,]+")
_BETWEEN = re.compile(r"[的是为：:\s号码]*")
_NAME_AFTER_CUE = re.compile(r"^的?(?:名字|姓名)?(?:叫做|叫|是)")
_BLANK = "，"


@dataclass(frozen=True)
class Extraction:
    values: dict[str, Value] = field(default_factory=dict)  # slot name -> accepted value
    errors: dict[str, Invalid] = field(default_factory=dict)  # slot name -> why its value was refused


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    word: str


def _bare_label(slot: Slot) -> str:
    """The label without its bracketed aside: 转出地（原参保地） → 转出地."""
    return re.sub(r"（[^）]*）|\([^)]*\)", "", slot.label)


def _slot_cues(slot: Slot) -> frozenset[str]:
    """Words that point at this slot rather than at another slot of its type: the label, the label
    without its type word (母亲身份证号码 → 母亲), and every word of a subject group the label names."""
    words = slot_words()
    type_words = set(words.type_cues.get(slot.type, ()))
    label = _bare_label(slot)
    cues = {slot.label, label, re.sub(alternation(type_words), "", label) if type_words else label}
    for group in words.subject_groups:
        if any(w in label for w in group):
            cues |= set(group)
            cues |= {re.sub(alternation(group), "", label)}
    return frozenset(c for c in cues if len(c) >= 2 and c not in type_words)


def _cue_table(slots: Sequence[Slot]) -> tuple[dict[str, frozenset[str]], re.Pattern[str] | None]:
    """cue word -> names of the slots it points at, and one pattern finding every cue word. A word
    for a kind of value (地址, 姓名) points at the one slot of that kind, where there is only one."""
    owners: dict[str, set[str]] = {}
    for slot in slots:
        for cue in _slot_cues(slot):
            owners.setdefault(cue, set()).add(slot.name)
    for kind, words in slot_words().type_cues.items():
        of_kind = [s.name for s in slots if s.type is kind]
        if len(of_kind) == 1 and kind in _FREE_TYPES:
            for word in words:
                owners.setdefault(word, set()).add(of_kind[0])
    every = set(owners) | {w for ws in slot_words().type_cues.values() for w in ws}
    pattern = re.compile(alternation(every)) if every else None
    return {k: frozenset(v) for k, v in owners.items()}, pattern


class _Message:
    """The message being read, with the parts already given to a slot blanked out."""

    def __init__(self, text: str, slots: Sequence[Slot]) -> None:
        self.text = prepare(text)
        self.left = self.text
        self.owners, pattern = _cue_table(slots)
        self.cues = [_Cue(m.start(), m.end(), m.group(0)) for m in pattern.finditer(self.text)] if pattern else []
        self.clauses = clauses(self.text)

    def clause_of(self, start: int) -> tuple[int, int]:
        return next(((s, e) for s, e in self.clauses if s <= start < e), (start, start))

    def cues_in(self, start: int, end: int) -> list[_Cue]:
        return [c for c in self.cues if start <= c.start and c.end <= end and self.left[c.start] != _BLANK]

    def owner_names(self, cue: _Cue) -> frozenset[str]:
        return self.owners.get(cue.word, frozenset())

    def take(self, start: int, end: int) -> None:
        self.left = self.left[:start] + _BLANK * (end - start) + self.left[end:]

    def is_free(self, start: int, end: int) -> bool:
        return _BLANK not in self.left[start:end]

    def rest(self) -> str:
        return re.sub(f"{_BLANK}+", _BLANK, self.left).strip(_BLANK + " ")


def _shapes(message: _Message, today: date) -> list[tuple[SlotType, int, int, bool]]:
    """(type, start, end, exact) of every value with a recognisable shape, left to right, never
    overlapping. `exact` is False for relative dates (明天, 周三), which are taken only where asked."""
    found: list[tuple[SlotType, int, int, bool]] = []
    for kind, pattern in _SHAPES[:2]:
        found += [(kind, m.start(), m.end(), True) for m in pattern.finditer(message.text)]
    for match in find_dates(message.text, today):
        said = message.text[match.start:match.end]
        exact = "月" in said and "个月" not in said and not said.startswith(("上", "下", "这", "本"))
        found.append((SlotType.date, match.start, match.end, exact or bool(re.fullmatch(r"[\d/.\-]+", said))))
    kind, pattern = _SHAPES[2]
    found += [(kind, m.start(), m.end(), True) for m in pattern.finditer(message.text)]
    kept: list[tuple[SlotType, int, int, bool]] = []
    for item in found:  # earlier types win an overlap: an ID number holds a date
        if not any(item[1] < k[2] and k[1] < item[2] for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda k: k[1])


def _owner(message: _Message, kind: SlotType, start: int, end: int, slots: Sequence[Slot],
           expected: Slot | None, filled: Collection[str], taken: Collection[str]) -> tuple[Slot, int, bool] | None:
    """The slot a shaped value belongs to, where the cut for it starts, and whether it was named."""
    c_start, c_end = message.clause_of(start)
    candidates = [s for s in slots if s.type is kind and s.name not in taken]
    cues = message.cues_in(c_start, c_end)
    named = _named(message, cues, candidates, kind, slots)
    if named:
        slot, _ = min(named, key=lambda n: abs(start - n[1].start) + (0 if n[1].end <= start else 1000))
        return slot, _cut_start(message, kind, cues, start, slots), True
    # "电话说错了，是139…": the cue may end the clause before, if that clause holds no value itself.
    p_start, p_end = message.clause_of(c_start - 2) if c_start >= 2 else (0, 0)
    if p_end > p_start and not re.search(r"\d", message.text[p_start:p_end]):
        earlier = _named(message, message.cues_in(p_start, p_end), candidates, kind, slots)
        if earlier:
            slot, cue = earlier[-1]
            return slot, cue.start, True
    cut = _cut_start(message, kind, cues, start, slots)
    if expected is not None and expected in candidates:
        return expected, cut, True
    unfilled = [s for s in candidates if s.name not in filled]
    if len(unfilled) == 1:
        return unfilled[0], cut, cut < start
    return None


def _named(message: _Message, cues: list[_Cue], candidates: list[Slot], kind: SlotType,
           slots: Sequence[Slot]) -> list[tuple[Slot, _Cue]]:
    """(slot, cue) for each cue pointing at a candidate; a word for the kind of value (电话) points
    at the one slot of that kind, where there is only one."""
    type_words = slot_words().type_cues.get(kind, ())
    of_kind = [s for s in slots if s.type is kind]
    return [
        (slot, cue) for cue in cues for slot in candidates
        if slot.name in message.owner_names(cue) or (cue.word in type_words and of_kind == [slot])
    ]


def _cut_start(message: _Message, kind: SlotType, cues: list[_Cue], start: int, slots: Sequence[Slot]) -> int:
    """Where the words introducing a value begin: "妈妈的身份证号码是110…" is cut from 妈妈, while
    "妈妈叫王芳身份证110…" is cut from 身份证 and leaves the name."""
    type_words = slot_words().type_cues.get(kind, ())
    kinds = {s.name for s in slots if s.type is kind}
    for cue in sorted(cues, key=lambda c: c.end, reverse=True):
        relevant = cue.word in type_words or message.owner_names(cue) & kinds
        if relevant and cue.end <= start and _BETWEEN.fullmatch(message.text[cue.end:start]):
            start = cue.start
    return start


def _self_slot(slots: Sequence[Slot]) -> Slot | None:
    """The person_name slot about the person speaking (申请人, 本人, 持卡人…)."""
    return next((s for s in slots if s.type is SlotType.person_name and "本人" in _slot_cues(s)), None)


def _free_values(message: _Message, slots: Sequence[Slot], expected: Slot | None, taken: set[str],
                 today: date, found: dict[str, Value | Invalid]) -> None:
    """Names, addresses, texts and choices for slots not asked, each only where its clause names it."""
    self_cues = re.compile(alternation(slot_words().person_name["self_cues"]))
    by_name = {s.name: s for s in slots}
    for c_start, c_end in message.clauses:
        said = message.left[c_start:c_end]
        me = self_cues.search(said)
        picks: list[tuple[Slot, int]] = []
        if me and (slot := _self_slot(slots)) is not None:
            picks.append((slot, c_start + me.start()))
        for cue in message.cues_in(c_start, c_end):
            for name in sorted(message.owner_names(cue)):
                slot = by_name[name]
                if slot.type not in _FREE_TYPES:
                    continue
                after = message.left[cue.end:c_end]
                if slot.type is SlotType.person_name and not _NAME_AFTER_CUE.match(after):
                    continue
                if slot.type is not SlotType.person_name and not _names_slot(slot, cue.word):
                    continue
                picks.append((slot, cue.start))
        for slot, start in picks:
            if slot is expected or slot.name in taken or not message.is_free(start, c_end):
                continue
            cue_end = next((c.end for c in message.cues if c.start == start), start)
            value = parse_value(slot, _JOINERS.sub("", message.left[cue_end:c_end]), today)
            if value is None:
                continue
            found[slot.name] = value
            taken.add(slot.name)
            message.take(start, c_end)
            break


def _choices_in_passing(message: _Message, slots: Sequence[Slot], filled: Collection[str], taken: set[str],
                        found: dict[str, Value | Invalid]) -> None:
    for slot in slots:
        if slot.type is not SlotType.choice or slot.name in taken or slot.name in filled:
            continue
        choice = named_choice(slot.choices, message.left)
        if choice is not None:
            found[slot.name] = Value(choice.value, choice.label)
            taken.add(slot.name)


def _names_slot(slot: Slot, word: str) -> bool:
    """Whether the word names the slot itself, not only whom it is about: its label, its label less
    the person (性别 for 新生儿性别), or the word for its kind of value (地址)."""
    words = slot_words()
    if word in words.type_cues.get(slot.type, ()) or word in (slot.label, _bare_label(slot)):
        return True
    return word in slot.label and word in _slot_cues(slot) and not any(word in g for g in words.subject_groups)


def extract(slots: Sequence[Slot], expected: str | None, text: str, today: date,
            filled: Collection[str] = (), materials: Sequence[Material] = (), volunteered: bool = False) -> Extraction:
    """Every value the message gives, for the slot just asked (`expected`) and for others.

    `volunteered`: the message was said before any question (the request itself), so a choice it names
    in passing counts too ("我的社保卡丢了" answers 丢了还是坏了; "楼下的路灯坏了" is a street-light report)."""
    message = _Message(text, slots)
    asked = next((s for s in slots if s.name == expected), None)
    found: dict[str, Value | Invalid] = {}
    taken: set[str] = set()
    for kind, start, end, exact in _shapes(message, today):
        owner = _owner(message, kind, start, end, slots, asked, filled, taken)
        if owner is None:
            continue
        slot, cut, named = owner
        if not exact and slot is not asked and not named:
            continue
        value = parse_value(slot, message.text[start:end], today, materials)
        if value is None or (isinstance(value, Invalid) and not named):
            continue
        found[slot.name] = value
        taken.add(slot.name)
        message.take(cut, end)
    _free_values(message, slots, asked, taken, today, found)
    if volunteered:
        _choices_in_passing(message, slots, filled, taken, found)
    if asked is not None and asked.name not in taken and (rest := message.rest()):
        value = parse_value(asked, rest, today, materials)
        if value is None:
            value = _one_clause(asked, rest, today, materials)
        if value is not None:
            found[asked.name] = value
    return Extraction(
        values={k: v for k, v in found.items() if isinstance(v, Value)},
        errors={k: v for k, v in found.items() if isinstance(v, Invalid)},
    )


def _one_clause(slot: Slot, text: str, today: date, materials: Sequence[Material]) -> Value | None:
    """The value in the one clause of a chatty answer that holds one: "张伟，我就叫这个名字" → 张伟."""
    values = [v for s, e in clauses(text) if isinstance(v := parse_value(slot, text[s:e], today, materials), Value)]
    return values[0] if len(values) == 1 else None


def referenced_slot(slots: Sequence[Slot], text: str) -> str | None:
    """The slot a correction or question names: its label (4), a word pointing at it (2), a word for
    its kind of value (1); the first slot wins a tie. None when no slot is named."""
    message = _Message(text, slots)
    type_words = slot_words().type_cues
    words = {c.word for c in message.cues}
    best, best_score = None, 0
    for slot in slots:
        score = 4 * any(w in (slot.label, _bare_label(slot)) for w in words)
        score += 2 * any(slot.name in message.owner_names(c) and c.word != slot.label for c in message.cues)
        score += 1 * any(w in type_words.get(slot.type, ()) for w in words)
        if score > best_score:
            best, best_score = slot.name, score
    return best
