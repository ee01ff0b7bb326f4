"""Turn one answer into a validated value for one slot, or one plain sentence saying what is wrong.

`parse_value` returns a Value (accepted), an Invalid (an answer of the right kind that is wrong:
a bad checksum, an impossible date, a date where a name was asked) or None (nothing of that kind was
said, such as a question or a word that steers the dialogue: 跳过, 转人工, 不知道).
`differs` checks a value against the other answers of the form; `example_for` works out a slot's
example answer for the day it is shown.
ID numbers use python-stdnum (GB 11643), phone numbers use phonenumbers, numerals use cn2an and
addresses use cpca (intents/addresses.py); the rest is reading what people say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import cn2an
import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from intents.addresses import parse_address
from intents.dates import DateError, DateSpan, find_dates, find_spans, parse_when
from intents.slot_answers import parse_choice, parse_materials, parse_yes_no
from intents.slot_text import (
    Invalid,
    Value,
    alternation,
    clauses,
    is_command_word,
    is_question,
    prepare,
    slot_words,
    strip_fillers,
)
from knowledge.models import HINT_DATE, DateRange, Material, Slot, SlotRules, SlotType

__all__ = ["Invalid", "Value", "differs", "display_date", "example_for", "parse_value"]

_DIGIT_RUN = re.compile(r"\+?\d(?:[\s-]?\d)*(?:[\s-]?[Xx](?![A-Za-z]))?")
_NUMERAL = "零〇一二三四五六七八九十百千万亿两"
_AMOUNT = re.compile(rf"(\d+(?:\.\d+)?|[{_NUMERAL}点]+)(?:\s*([万千百亿kKwW])(\d+|[{_NUMERAL}]+)?)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NAME_DOTS = re.compile(r"[•・.．·]")
_LATIN_NAME = re.compile(r"[A-Za-z]+(?:[ '\-·][A-Za-z]+)*")
_WEEKDAY_NAME = re.compile(r"周[一二三四五六七日天]")  # 周三 is as likely a person as a day
_BARE_NUMBER = re.compile(r"[+\-]?\d+(?:[.,]\d+)*|[零〇一二三四五六七八九十百千万亿两点]+")


def parse_value(
    slot: Slot, text: str, today: date, materials: Sequence[Material] = ()
) -> Value | Invalid | None:
    """Read the answer `text` to the question of `slot` and check it against the slot's rules."""
    if is_command_word(text):
        return None
    kind = slot.type
    if kind is SlotType.id_number:
        return _id_number(text, slot.validation, today)
    if kind is SlotType.phone:
        return _phone(text, slot.validation)
    if kind is SlotType.date:
        return _date(slot, text, today)
    if kind is SlotType.number:
        return _number(text, slot.validation)
    if kind is SlotType.money:
        return _money(text, slot.validation)
    if kind is SlotType.person_name:
        return _person_name(text, today)
    if kind is SlotType.address:
        return parse_address(text, slot.validation.min_length)
    if kind is SlotType.choice:
        return parse_choice(slot.choices, text)
    if kind is SlotType.yes_no:
        return parse_yes_no(text)
    if kind is SlotType.materials:
        return parse_materials(text, materials)
    return _text(slot, text, today)


def _digit_runs(text: str, min_digits: int) -> list[str]:
    """Runs of digits (spaces and dashes inside removed) with at least `min_digits` digits."""
    runs = [re.sub(r"[\s-]", "", m.group(0)) for m in _DIGIT_RUN.finditer(prepare(text))]
    return [r for r in runs if sum(c.isdigit() for c in r) >= min_digits]


def _id_number(text: str, rules: SlotRules, today: date) -> Value | Invalid | None:
    say = slot_words().say
    runs = _digit_runs(text, 6)
    if not runs:
        return None
    number = next((r for r in runs if len(r) == 18), runs[0]).upper().lstrip("+")
    if len(number) == 15 and number.isdigit():
        return Invalid(say("id_number", "old_15"))
    if len(number) != 18:
        return Invalid(say("id_number", "length", n=len(number)))
    if not number[:17].isdigit():
        return Invalid(say("id_number", "format"))
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        return Invalid(say("id_number", "birth_date"))
    if born > today or born.year < 1880:
        return Invalid(say("id_number", "birth_date"))
    if number[-1] != ric.calc_check_digit(number):
        return Invalid(say("id_number", "checksum"))
    if not _known_region(number):
        return Invalid(say("id_number", "region"))
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if rules.min_age is not None and age < rules.min_age:
        return Invalid(say("id_number", "too_young", min_age=rules.min_age))
    if rules.max_age is not None and age > rules.max_age:
        return Invalid(say("id_number", "too_old", max_age=rules.max_age))
    return Value(number, number)


def _known_region(number: str) -> bool:
    """Whether the first six digits are a county code that exists or existed. stdnum's own check
    also wants the county to exist in the birth year, which refuses real numbers: 天河区 (440106)
    dates from 1985, and people born before then who registered there carry its code."""
    return any("county" in props for _, props in numdb.get("cn/loc").info(number[:6]))


def _phone(text: str, rules: SlotRules) -> Value | Invalid | None:
    say = slot_words().say
    runs = _digit_runs(text, 5)
    if not runs:
        return None
    digits = re.sub(r"\D", "", runs[0])
    # A country code said before a mobile number (+86 138…, 0086 138…).
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            digits = digits[len(prefix):]
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    valid = parsed is not None and phonenumbers.is_valid_number(parsed)
    kind = phonenumbers.number_type(parsed) if parsed is not None and valid else None
    if kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE) and len(digits) == 11:
        return Value(digits, digits)
    # Answers are sent by text message, so a landline is refused with that reason, unless the slot
    # takes one (someone will ring back): then it is kept with its area code, 020-12345678.
    if kind is PhoneNumberType.FIXED_LINE and parsed is not None:  # (kind is None when parsed is)
        if not rules.landline:
            return Invalid(say("phone", "landline"))
        area, number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).split(" ", 1)
        landline = f"{area}-{number.replace(' ', '')}"
        return Value(landline, landline)
    if rules.landline and not digits.startswith(("0", "1")) and 7 <= len(digits) <= 8:
        return Invalid(say("phone", "landline_area"))
    if digits.startswith("1") and len(digits) != 11:
        return Invalid(say("phone", "length", n=len(digits)))
    return Invalid(say("phone", "invalid"))


def display_date(day: date) -> str:
    return slot_words().display["date"].format(year=day.year, month=day.month, day=day.day)


def _date(slot: Slot, text: str, today: date) -> Value | Invalid | None:
    say = slot_words().say
    rules = slot.validation
    prefer = rules.date_range or DateRange.any
    said = strip_fillers(prepare(text))
    found = parse_when(said, today, prefer)
    if found is None:
        return None
    if isinstance(found, DateSpan):
        if not rules.approximate:
            reason = rules.exact_reason or say("date", "default_reason")
            return Invalid(say("date", "exact_needed", label=slot.label, reason=reason))
        return _date_span(said[found.start:found.end], found, rules, today)
    if isinstance(found, DateError):
        if found.kind == "impossible" and found.month is not None:
            return Invalid(say("date", "impossible", month=found.month, day=found.day))
        return Invalid(say("date", "no_day" if found.kind == "no_day" else "no_such_month"))
    if prefer is DateRange.past and found > today:
        return Invalid(say("date", "not_past"))
    if prefer is DateRange.future and found < today:
        return Invalid(say("date", "not_future"))
    if rules.max_days_ahead is not None and found > today + timedelta(days=rules.max_days_ahead):
        last = display_date(today + timedelta(days=rules.max_days_ahead))
        return Invalid(say("date", "too_far_ahead", days=rules.max_days_ahead, last=last))
    if rules.max_days_ago is not None and found < today - timedelta(days=rules.max_days_ago):
        first = display_date(today - timedelta(days=rules.max_days_ago))
        return Invalid(say("date", "too_long_ago", days=rules.max_days_ago, first=first))
    return Value(found.isoformat(), display_date(found))


def _date_span(words: str, span: DateSpan, rules: SlotRules, today: date) -> Value | Invalid:
    """An approximate date, cut to what the slot's rules allow: "这周" asked for a past date ends
    today. value is an ISO 8601 interval (2026-11-18/2026-11-21), or one date where one day is left;
    display keeps the person's words with the days worked out."""
    say = slot_words().say
    first, last = span.first, span.last
    prefer = rules.date_range or DateRange.any
    if prefer is DateRange.past:
        if first > today:
            return Invalid(say("date", "not_past"))
        last = min(last, today)
    if prefer is DateRange.future:
        if last < today:
            return Invalid(say("date", "not_future"))
        first = max(first, today)
    if rules.max_days_ahead is not None:
        limit = today + timedelta(days=rules.max_days_ahead)
        if first > limit:
            return Invalid(say("date", "too_far_ahead", days=rules.max_days_ahead, last=display_date(limit)))
        last = min(last, limit)
    if rules.max_days_ago is not None:
        limit = today - timedelta(days=rules.max_days_ago)
        if last < limit:
            return Invalid(say("date", "too_long_ago", days=rules.max_days_ago, first=display_date(limit)))
        first = max(first, limit)
    display = slot_words().display
    if first == last:
        return Value(first.isoformat(), display["date_span_day"].format(words=words, day=display_date(first)))
    same_year = last.year == first.year
    end = display["date_in_year"].format(month=last.month, day=last.day) if same_year else display_date(last)
    return Value(f"{first.isoformat()}/{last.isoformat()}",
                 display["date_span"].format(words=words, first=display_date(first), last=end))


def example_for(slot: Slot, today: date) -> str:
    """The slot's example answer as it should be offered today, without the lead ("比如："): its
    {date±N} placeholders worked out from today; a date slot without an example gets a day its
    rules accept."""
    words = slot_words()

    def worked_out(match: re.Match[str]) -> str:
        days = int(match[2] or 0) * (-1 if match[1] == "-" else 1)
        return display_date(today + timedelta(days=days))

    example = HINT_DATE.sub(worked_out, slot.hint).removeprefix(words.example_lead).strip()
    if example or slot.type is not SlotType.date:
        return example
    rules = slot.validation
    ahead = 3 if rules.max_days_ahead is None else min(3, rules.max_days_ahead)
    ago = 10 if rules.max_days_ago is None else min(10, rules.max_days_ago)
    if rules.date_range is DateRange.future:
        return display_date(today + timedelta(days=ahead))
    if rules.date_range is DateRange.past:
        return display_date(today - timedelta(days=ago))
    return display_date(today)


def differs(slot: Slot, value: Value, filled: Mapping[str, str], slots: Mapping[str, Slot]) -> Invalid | None:
    """An Invalid when `value` repeats the answer of a slot it must differ from (对方姓名 is not
    申请人姓名); None otherwise. The rule holds both ways: a slot named in another's differs_from
    must differ from that one too. `filled` maps slot names to stored values, `slots` names to slots."""
    others = [*(slot.validation.differs_from or ())]
    others += [name for name, other in slots.items() if slot.name in (other.validation.differs_from or ())]
    for name in dict.fromkeys(others):
        if name != slot.name and name in filled and _same_value(value.value, filled[name]):
            label = slots[name].label if name in slots else name
            return Invalid(slot_words().say("differs", "same", label=slot.label, other=label))
    return None


def _same_value(a: str, b: str) -> bool:
    def key(v: str) -> str:
        return re.sub(r"[\s·.\-]", "", prepare(v)).casefold()

    return key(a) == key(b)


def _other_kind(text: str, today: date) -> str | None:
    """The kind of value the whole answer is, where it is one that answers another question: an ID
    number, a phone number, a date or a bare number. None for anything else."""
    compact = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"\d{17}[\dXx]|\d{15}", compact):
        return "id_number"
    if re.fullmatch(r"\+?\d{7,14}", compact) and isinstance(_phone(text, SlotRules(landline=True)), Value):
        return "phone"
    bare = strip_fillers(text)
    dates = [(m.start, m.end) for m in find_dates(bare, today)] + [(m.start, m.end) for m in find_spans(bare, today)]
    if any(start == 0 and end == len(bare) for start, end in dates):
        return "date"
    if _BARE_NUMBER.fullmatch(compact):
        return "number"
    return None


def _without_spans(text: str, today: date) -> str:
    """The text less its approximate dates: the 几 of 前几天 asks nothing."""
    for span in reversed(find_spans(text, today)):
        text = text[:span.start] + text[span.end:]
    return text


def _amount(text: str) -> Decimal | None:
    """The first amount in the text: 1500, 一千五百, 1.5万, 一万二, 3千, 2k; 没有 counts as 0."""
    words = slot_words()
    text = strip_fillers(prepare(text))
    text = re.sub(alternation(words.number_noise), " ", text)
    match = _AMOUNT.search(text)
    if match is None:
        if text in words.yes_no["negative"] or text in words.yes_no["single_negative"]:
            return Decimal(0)
        return None
    number, unit, tail = match.groups()
    unit = {"k": "千", "K": "千", "w": "万", "W": "万"}.get(unit or "", unit or "")
    try:
        return Decimal(str(cn2an.cn2an(number + unit + (tail or ""), "smart")))
    except (ValueError, KeyError, InvalidOperation):
        return None


def _plain(number: float | Decimal) -> str:
    return f"{number:f}".rstrip("0").rstrip(".") if "." in f"{number:f}" else f"{number:f}"


def _out_of_range(topic: str, value: Decimal, rules: SlotRules) -> Invalid | None:
    low, high = rules.min, rules.max
    if (low is None or value >= Decimal(str(low))) and (high is None or value <= Decimal(str(high))):
        return None
    say = slot_words().say
    if low is not None and high is not None:
        return Invalid(say(topic, "range", min=_plain(Decimal(str(low))), max=_plain(Decimal(str(high)))))
    if low is not None:
        return Invalid(say(topic, "below", min=_plain(Decimal(str(low)))))
    return Invalid(say(topic, "above", max=_plain(Decimal(str(high)))))


def _number(text: str, rules: SlotRules) -> Value | Invalid | None:
    if is_question(text):
        return None
    amount = _amount(text)
    if amount is None:
        return None
    if amount != amount.to_integral_value():
        return Invalid(slot_words().say("number", "not_integer"))
    if problem := _out_of_range("number", amount, rules):
        return problem
    return Value(str(int(amount)), str(int(amount)))


def _money(text: str, rules: SlotRules) -> Value | Invalid | None:
    if is_question(text):
        return None
    amount = _amount(text)
    if amount is None:
        return None
    if problem := _out_of_range("money", amount, rules):
        return problem
    cents = amount.quantize(Decimal("0.01"))
    return Value(f"{cents:f}", slot_words().display["money"].format(amount=_plain(cents)))


def _no_answer(text: str) -> bool:
    """A yes or a no said where a name, an address or a text is asked (是的, 没有, 同意): no value."""
    yes_no = slot_words().yes_no
    said = text.lower()
    return any(said in yes_no[k] for k in ("positive", "negative", "single_positive", "single_negative", "unsure"))


def _person_name(text: str, today: date) -> Value | Invalid | None:
    words = slot_words()
    say = words.say
    text = strip_fillers(prepare(text))
    negative = tuple(words.yes_no["negative"]) + tuple(words.yes_no["unsure"])
    if not text or text.startswith(negative) or _no_answer(text):
        return None
    if kind := _not_a_name(text, today):
        return Invalid(say("person_name", "wrong_kind", kind=words.value_kinds[kind]))
    if is_question(text):
        return None
    cue = re.compile(alternation(words.person_name["cues"]))
    latin = cue.sub("", text, count=1).strip() if cue.match(text) else text
    if re.search(r"[A-Za-z]", latin) and _LATIN_NAME.fullmatch(latin):
        return _latin_name(latin)
    parts = [text[s:e] for s, e in clauses(text)]
    clause = next((p for p in parts if cue.search(p)), parts[0] if parts else "")
    if found := cue.search(clause):
        clause = clause[found.end():]
    name = strip_fillers(re.sub(r"\s+", "", clause))
    name = _NAME_DOTS.sub("·", name).strip("·")
    if not name or name.startswith(negative):  # "名字不对" is a complaint about the name, not a name
        return None
    if name in words.person_name["not_names"] or _no_answer(name) or is_command_word(name):
        return None
    if kind := _not_a_name(name, today):
        return Invalid(say("person_name", "wrong_kind", kind=words.value_kinds[kind]))
    if any(c.isdigit() for c in name):
        return Invalid(say("person_name", "digits"))
    if re.search(r"[A-Za-z]", name):
        return _latin_name(name)
    if any(c != "·" and not _CJK.match(c) for c in name):
        return Invalid(say("person_name", "symbols"))
    longest = words.person_name["max_with_dot" if "·" in name else "max_plain"]
    if len(name) < 2:
        return Invalid(say("person_name", "too_short"))
    if len(name) > longest:
        return Invalid(say("person_name", "too_long"))
    return Value(name, name)


def _not_a_name(text: str, today: date) -> str | None:
    """The kind of value said instead of a name. Names can look like a weekday (周三) or be written
    with numeral characters (万千), so those two count as names."""
    kind = _other_kind(text, today)
    if (kind == "date" and _WEEKDAY_NAME.fullmatch(text)) or (kind == "number" and not re.search(r"\d", text)):
        return None
    return kind


def _latin_name(name: str) -> Value | Invalid:
    """A name in Latin letters (a foreign partner's): letters, with spaces, hyphens, apostrophes."""
    say = slot_words().say
    name = _NAME_DOTS.sub("·", name).strip()
    if not _LATIN_NAME.fullmatch(name):
        return Invalid(say("person_name", "mixed" if _CJK.search(name) else "symbols"))
    letters = sum(c.isalpha() for c in name)
    if letters < 2:
        return Invalid(say("person_name", "too_short"))
    if letters > slot_words().person_name["max_latin"]:
        return Invalid(say("person_name", "too_long"))
    return Value(name, name)


def _without_afterthought(value: str) -> str:
    """The answer without a closing clause that only vouches for it: "广州市妇女儿童医疗中心，就这个"."""
    afterthoughts = slot_words().afterthoughts
    while (cut := re.search(r"[，,。；;]\s*([^，,。；;]*)[，,。；;]*$", value)) and cut.start() > 0:
        if strip_fillers(cut.group(1)) not in afterthoughts:
            break
        value = value[: cut.start()]
    return value


def _text(slot: Slot, text: str, today: date) -> Value | Invalid | None:
    words = slot_words()
    rules = slot.validation
    value = _without_afterthought(strip_fillers(prepare(text), particles=False))
    if not value or value.startswith(words.yes_no["unsure"]) or _no_answer(strip_fillers(value)):
        return None
    if not rules.pattern and (kind := _other_kind(value, today)):
        return Invalid(words.say("text", "wrong_kind", label=slot.label, kind=words.value_kinds[kind]))
    if len(value) < 20 and is_question(_without_spans(value, today)):
        return None
    if rules.pattern:
        found = _pattern_value(value, rules.pattern)
        if found is None:
            return Invalid(words.say("text", "pattern", label=slot.label))
        value = found
    if rules.min_length is not None and len(value) < rules.min_length:
        return Invalid(words.say("text", "too_short", label=slot.label, min_length=rules.min_length))
    if rules.max_length is not None and len(value) > rules.max_length:
        return Invalid(words.say("text", "too_long", label=slot.label, max_length=rules.max_length))
    return Value(value, value)


def _pattern_value(text: str, pattern: str) -> str | None:
    """The code the pattern describes, found in what was said: spaces and dashes dropped, letters
    upper-cased where the pattern only knows capitals (统一社会信用代码, 车牌号)."""
    compact = re.sub(r"[\s-]", "", text)
    letters = re.sub(r"\\.", "", pattern)  # \d is no lower-case letter
    if re.search(r"[A-Z]", letters) and not re.search(r"[a-z]", letters):
        compact = compact.upper()
    if re.fullmatch(pattern, compact):
        return compact
    inner = pattern.removeprefix("^").removesuffix("$")
    found = re.search(rf"(?<![0-9A-Za-z])(?:{inner})(?![0-9A-Za-z])", compact)
    return found.group(0) if found else None
