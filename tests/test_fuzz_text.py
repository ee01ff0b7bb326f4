"""Property tests (Hypothesis) of the code that reads what people type: the normaliser, the slot
value readers and the masking of personal data.

Every property holds for any text at all, not only for the sentences the other tests write out:
nothing raises, the normaliser's output is clean and stable, an accepted value is a valid one of
its kind, and masking never lets an ID number or a mobile number through. Runs are derandomised
(the same examples on every run and in CI) and bounded in number.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from assistant.privacy.masking import mask, mask_text
from intents.dates import DateError, find_dates, parse_date
from intents.normalise import default_normaliser
from intents.slot_answers import parse_choice, parse_yes_no
from intents.slot_text import Invalid, Value
from intents.slot_values import parse_value
from knowledge.models import DateRange, SlotType

TODAY = date(2026, 11, 23)
# GOVASSIST_FUZZ_EXAMPLES=20000 hunts longer with fresh random examples; by default (and in CI) the
# same 300 examples run every time.
HUNT = int(os.environ.get("GOVASSIST_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=HUNT or 300, derandomize=not HUNT, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# What people type beside Chinese: digits in every width and script, numerals, date and unit words,
# punctuation, spaces, control and zero-width characters, letters — mixed, so the readers' deeper
# branches are reached far more often than by uniformly random text.
PIECES = [
    *"0123456789０１２３４５６７８９零〇一二三四五六七八九十百千万亿两幺",
    *"年月日号周星期天后前上下这本个点元块毛kKwWXx+-/. ，,。？?！!、：:（）()·•",
    " ", "\u3000", "\t", "\n", "\x00", "\x1b", "\u200b", "\u202e", "\ufeff", "😀",
    "我叫", "身份证", "电话", "明天", "下周三", "3月5号", "2024年", "不是", "对", "好的", "不用",
    "社保卡", "怎么办", "嗯", "那个", "就是", "呢", "吗", "号码", "广州市", "越秀区", "北京市朝阳区",
]
TYPED = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
TEXT = st.one_of(st.text(max_size=80), TYPED)

# Characters the normaliser removes wherever they are (intents/normalise.py, _CONTROL).
CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")


@pytest.fixture(scope="module")
def slots(knowledge_base):
    """Every slot of every guide in the knowledge base, with the guide's materials."""
    found = []
    for service in knowledge_base.services.values():
        for slot in getattr(service, "slots", []) or []:
            found.append((slot, tuple(getattr(service, "materials", ()))))
    assert {slot.type for slot, _ in found} >= set(SlotType) - {SlotType.materials}
    return found


# -- the normaliser -------------------------------------------------------------------------------


@FUZZ
@given(TEXT)
@example("\x00\x1b[31m社保卡\x7f")
@example("ｓｈｅ　ｂａｏ　ｋａ")
def test_normalising_never_raises_and_leaves_no_control_characters(text: str) -> None:
    out = default_normaliser().normalise(text)
    assert isinstance(out, str)
    assert not CONTROL.search(out)
    assert out == out.strip(" ，,、")


@FUZZ
@given(TEXT)
def test_normalising_twice_changes_nothing(text: str) -> None:
    """The same normaliser runs on the indexed knowledge base and on queries: its output must be a
    fixed point, or text already normalised (a chip, a stored message) would route differently."""
    normalise = default_normaliser().normalise
    once = normalise(text)
    assert normalise(once) == once


# -- slot values ----------------------------------------------------------------------------------


def compact(text: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))


@FUZZ
@given(data=st.data(), text=TEXT)
def test_reading_any_answer_for_any_slot_never_raises_and_accepts_only_valid_values(slots, data, text: str) -> None:
    slot, materials = data.draw(st.sampled_from(slots), label="slot")
    result = parse_value(slot, text, TODAY, materials)
    assert result is None or isinstance(result, (Value, Invalid))
    if isinstance(result, Invalid):
        assert result.message.strip()
    if not isinstance(result, Value):
        return
    assert result.value and result.display
    if slot.type is SlotType.id_number:
        assert ric.is_valid(result.value) and len(result.value) == 18  # GB 11643 checksum and birth date
    elif slot.type is SlotType.phone:
        assert re.fullmatch(r"1\d{10}", result.value)
        assert phonenumbers.is_valid_number(phonenumbers.parse(result.value, "CN"))
    elif slot.type is SlotType.date:
        day = date.fromisoformat(result.value)
        rules = slot.validation
        if rules.date_range is DateRange.past:
            assert day <= TODAY
        if rules.date_range is DateRange.future:
            assert day >= TODAY
        if rules.max_days_ahead is not None:
            assert day <= TODAY + timedelta(days=rules.max_days_ahead)
    elif slot.type in (SlotType.number, SlotType.money):
        amount = Decimal(result.value)
        if slot.validation.min is not None:
            assert amount >= Decimal(str(slot.validation.min))
        if slot.validation.max is not None:
            assert amount <= Decimal(str(slot.validation.max))
    elif slot.type is SlotType.choice:
        assert result.value in {choice.value for choice in slot.choices}
    elif slot.type is SlotType.yes_no:
        assert result.value in ("yes", "no")


@FUZZ
@given(text=TEXT, prefer=st.sampled_from(list(DateRange)),
       today=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
@example(text="十十十十号", prefer=DateRange.any, today=TODAY)
def test_reading_dates_never_raises(text: str, prefer: DateRange, today: date) -> None:
    found = parse_date(text, today, prefer)
    assert found is None or isinstance(found, (date, DateError))
    for match in find_dates(text, today, prefer):
        assert 0 <= match.start < match.end <= len(text)


@FUZZ
@given(TEXT)
def test_yes_no_and_choices_never_raise(slots, text: str) -> None:
    assert parse_yes_no(text) is None or parse_yes_no(text).value in ("yes", "no")
    for slot, _ in slots:
        if slot.type is SlotType.choice:
            result = parse_choice(slot.choices, text)
            assert result is None or isinstance(result, Invalid) or result.value in {c.value for c in slot.choices}


# -- masking --------------------------------------------------------------------------------------


@st.composite
def id_numbers(draw) -> str:
    """A valid GB 11643 number: a real county code, a birth date, a serial, its check character."""
    region = draw(st.sampled_from(["110101", "440106", "310115", "510104", "350203", "230102"]))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)))
    body = region + born.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return body + ric.calc_check_digit(body + "0")


@st.composite
def written_ids(draw) -> tuple[str, str]:
    """(the number, the way someone writes it): plain, lower-case x, grouped by spaces or dashes, full width."""
    number = draw(id_numbers())
    form = draw(st.sampled_from(["plain", "lower", "spaced", "dashed", "dashed4", "wide"]))
    written = {
        "plain": number,
        "lower": number.lower(),
        "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
        "dashed": f"{number[:6]}-{number[6:14]}-{number[14:]}",
        "dashed4": f"{number[:6]}-{number[6:10]}-{number[10:14]}-{number[14:]}",
        "wide": unicodedata.normalize("NFKC", number).translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
    }[form]
    return number, written


@st.composite
def written_mobiles(draw) -> tuple[str, str]:
    number = draw(st.sampled_from(["138", "139", "150", "186", "199", "177"])) + draw(st.from_regex(r"\d{8}", fullmatch=True))
    form = draw(st.sampled_from(["plain", "spaced", "dashed", "country"]))
    written = {"plain": number, "spaced": f"{number[:3]} {number[3:7]} {number[7:]}",
               "dashed": f"{number[:3]}-{number[3:7]}-{number[7:]}", "country": f"+86 {number}"}[form]
    return number, written


def apart(before: str, after: str) -> bool:
    """The number stands apart from other digits (glued to more digits it is another number)."""
    return not (before and before[-1].isdigit()) and not (after and after[0].isdigit())


@FUZZ
@given(id_written=written_ids(), before=TEXT, after=TEXT)
@example(id_written=("110101199003074514", "110101199003074514"), before="sfz", after="")
@example(id_written=("110101199003074514", "110101-19900307-4514"), before="身份证", after="，谢谢")
def test_masked_text_never_shows_an_id_number_it_was_given(id_written, before: str, after: str) -> None:
    number, written = id_written
    hidden = number[6:14]  # the birth date: what masking hides
    assert mask_text(before + written + after) is not None
    if not apart(before, after) or hidden in compact(before + " " + after):
        return
    shown = compact(mask_text(before + written + after))
    assert number not in shown and hidden not in shown
    assert mask(SlotType.id_number, number) == number[:6] + "*" * 8 + number[-4:]


@FUZZ
@given(mobile=written_mobiles(), before=TEXT, after=TEXT)
@example(mobile=("13800138000", "13800138000"), before="tel", after="")
def test_masked_text_never_shows_a_mobile_number_it_was_given(mobile, before: str, after: str) -> None:
    number, written = mobile
    if not apart(before, after) or number[3:7] in compact(before + " " + after):
        return
    shown = compact(mask_text(before + written + after))
    assert number not in shown and number[3:] not in shown  # the middle four never shown
    assert mask(SlotType.phone, number) == number[:3] + "****" + number[-4:]


@FUZZ
@given(slot_type=st.sampled_from(list(SlotType)), text=TEXT)
def test_masking_any_value_never_raises(slot_type: SlotType, text: str) -> None:
    assert isinstance(mask(slot_type, text), str)
    assert isinstance(mask_text(text), str)
