"""Chinese date expressions, read against a fixed today: Monday 23 November 2026."""

from __future__ import annotations

from datetime import date

import pytest

from intents.dates import DateError, add_months, find_dates, parse_date
from knowledge.models import DateRange

TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("今天", date(2026, 11, 23)),
        ("明天", date(2026, 11, 24)),
        ("后天", date(2026, 11, 25)),
        ("大后天", date(2026, 11, 26)),
        ("昨天", date(2026, 11, 22)),
        ("前天", date(2026, 11, 21)),
        ("大前天", date(2026, 11, 20)),
        ("下周三", date(2026, 12, 2)),
        ("下个星期三", date(2026, 12, 2)),
        ("这周五", date(2026, 11, 27)),
        ("上周一", date(2026, 11, 16)),
        ("周三", date(2026, 11, 25)),
        ("星期三", date(2026, 11, 25)),
        ("礼拜三", date(2026, 11, 25)),
        ("星期天", date(2026, 11, 29)),
        ("3天后", date(2026, 11, 26)),
        ("三天前", date(2026, 11, 20)),
        ("两周以后", date(2026, 12, 7)),
        ("3个月后", date(2027, 2, 23)),
        ("3月5号", date(2026, 3, 5)),
        ("3月5日", date(2026, 3, 5)),
        ("三月五号", date(2026, 3, 5)),
        ("十二月二十五日", date(2026, 12, 25)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("二〇二四年三月五日", date(2024, 3, 5)),
        ("二零二四年三月五日", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("20240305", date(2024, 3, 5)),
        ("去年12月1日", date(2025, 12, 1)),
        ("下个月5号", date(2026, 12, 5)),
        ("我明天下午过去", date(2026, 11, 24)),
    ],
)
def test_reads_dates_people_say(said: str, expected: date) -> None:
    assert parse_date(said, TODAY) == expected


@pytest.mark.parametrize(
    ("said", "prefer", "expected"),
    [
        # A month and day without a year: the most recent one for a past date, the next one for a
        # future date, this year's otherwise.
        ("12月25日", DateRange.past, date(2025, 12, 25)),
        ("12月25日", DateRange.future, date(2026, 12, 25)),
        ("12月25日", DateRange.any, date(2026, 12, 25)),
        ("3月5号", DateRange.past, date(2026, 3, 5)),
        ("3月5号", DateRange.future, date(2027, 3, 5)),
        ("11月23日", DateRange.past, TODAY),
        ("11月23日", DateRange.future, TODAY),
        ("2月29日", DateRange.past, date(2024, 2, 29)),
        ("2月29日", DateRange.future, date(2028, 2, 29)),
        # A bare weekday is the coming one, or the last one when the date must be past.
        ("周三", DateRange.past, date(2026, 11, 18)),
        ("周一", DateRange.future, TODAY),
        # A day alone, as the whole answer.
        ("5号", DateRange.past, date(2026, 11, 5)),
        ("5号", DateRange.future, date(2026, 12, 5)),
    ],
)
def test_year_and_week_follow_what_the_question_expects(said: str, prefer: DateRange, expected: date) -> None:
    assert parse_date(said, TODAY, prefer) == expected


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("2月30日", "impossible"),
        ("2026年2月29日", "impossible"),
        ("4月31号", "impossible"),
        ("13月5日", "no_such_month"),
        ("3月", "no_day"),
        ("三月份", "no_day"),
        ("2024年3月", "no_day"),
    ],
)
def test_dates_that_are_no_day_say_why(said: str, kind: str) -> None:
    result = parse_date(said, TODAY)
    assert isinstance(result, DateError)
    assert result.kind == kind


def test_impossible_date_keeps_month_and_day_for_the_message() -> None:
    assert parse_date("2月30日", TODAY) == DateError("impossible", 2, 30)


@pytest.mark.parametrize("said", ["要带什么材料？", "好的", "3个", "东风中路305号", "110101199003074514"])
def test_no_date_is_none(said: str) -> None:
    assert parse_date(said, TODAY) is None


def test_find_dates_gives_spans_in_order_and_skips_numbers_inside_ids() -> None:
    text = "身份证110101199003074514，孩子2024年5月1日出生，明天去办"
    found = find_dates(text, TODAY)
    assert [text[m.start:m.end] for m in found] == ["2024年5月1日", "明天"]
    assert [m.result for m in found] == [date(2024, 5, 1), date(2026, 11, 24)]


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 23), 3) == date(2027, 2, 23)
    assert add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)
