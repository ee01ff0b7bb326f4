"""Approximate dates, read as the span of days they can mean, against a fixed today: Monday 23 November
2026. Exact dates keep winning where they are what was said (上周三, 上个月5号)."""

from __future__ import annotations

from datetime import date

import pytest

from intents.dates import DateError, DateSpan, find_dates, numeral_pair, parse_when
from knowledge.models import DateRange

TODAY = date(2026, 11, 23)  # a Monday
PAST, FUTURE, ANY = DateRange.past, DateRange.future, DateRange.any


def span(said: str, prefer: DateRange = PAST) -> tuple[date, date]:
    found = parse_when(said, TODAY, prefer)
    assert isinstance(found, DateSpan), found
    return found.first, found.last


@pytest.mark.parametrize(
    ("said", "first", "last"),
    [
        ("前几天", date(2026, 11, 18), date(2026, 11, 21)),
        ("好几天了", date(2026, 11, 13), date(2026, 11, 20)),
        ("这几天", date(2026, 11, 19), date(2026, 11, 23)),
        ("最近", date(2026, 11, 9), date(2026, 11, 23)),
        ("前阵子", date(2026, 9, 24), date(2026, 11, 16)),
        ("两三天前", date(2026, 11, 20), date(2026, 11, 21)),
        ("三四天前", date(2026, 11, 19), date(2026, 11, 20)),
        ("十几天前", date(2026, 11, 4), date(2026, 11, 12)),
        ("二十几天前", date(2026, 10, 25), date(2026, 11, 2)),
        ("十多天前", date(2026, 11, 8), date(2026, 11, 13)),
        ("半个月前", date(2026, 11, 5), date(2026, 11, 11)),
        ("一个多月前", date(2026, 9, 23), date(2026, 10, 23)),
        ("有一个多月了", date(2026, 9, 23), date(2026, 10, 23)),
        ("几个月前", date(2026, 6, 23), date(2026, 9, 23)),
        ("半年前", date(2026, 4, 23), date(2026, 6, 23)),
        ("两年前", date(2024, 8, 23), date(2025, 2, 23)),
        # Weeks run Monday to Sunday; a weekend is Saturday and Sunday.
        ("上周", date(2026, 11, 16), date(2026, 11, 22)),
        ("上个礼拜", date(2026, 11, 16), date(2026, 11, 22)),
        ("上上周", date(2026, 11, 9), date(2026, 11, 15)),
        ("上周末", date(2026, 11, 21), date(2026, 11, 22)),
        ("周末", date(2026, 11, 21), date(2026, 11, 22)),
        # Months and their parts: 初 1-10, 中 11-20, 底 21 to the end.
        ("上个月", date(2026, 10, 1), date(2026, 10, 31)),
        ("上个月初", date(2026, 10, 1), date(2026, 10, 10)),
        ("上个月中旬", date(2026, 10, 11), date(2026, 10, 20)),
        ("上月底", date(2026, 10, 21), date(2026, 10, 31)),
        ("这个月初", date(2026, 11, 1), date(2026, 11, 10)),
        ("月初", date(2026, 11, 1), date(2026, 11, 10)),
        # A month without a year is the latest one begun for a past date...
        ("大概三月份", date(2026, 3, 1), date(2026, 3, 31)),
        ("12月", date(2025, 12, 1), date(2025, 12, 31)),
        ("三月初", date(2026, 3, 1), date(2026, 3, 10)),
        ("去年12月", date(2025, 12, 1), date(2025, 12, 31)),
        ("2024年3月", date(2024, 3, 1), date(2024, 3, 31)),
        ("二〇二四年三月", date(2024, 3, 1), date(2024, 3, 31)),
        # Years and their parts: 年底 is November and December.
        ("去年年底", date(2025, 11, 1), date(2025, 12, 31)),
        ("前年", date(2024, 1, 1), date(2024, 12, 31)),
        ("今年上半年", date(2026, 1, 1), date(2026, 6, 30)),
        ("2024年", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024年初", date(2024, 1, 1), date(2024, 2, 29)),
    ],
)
def test_approximate_past_dates(said: str, first: date, last: date) -> None:
    assert span(said) == (first, last)


@pytest.mark.parametrize(
    ("said", "first", "last"),
    [
        # ...and the first one not yet over for a future date.
        ("12月", date(2026, 12, 1), date(2026, 12, 31)),
        ("三月份", date(2027, 3, 1), date(2027, 3, 31)),
        ("下周", date(2026, 11, 30), date(2026, 12, 6)),
        ("这周末", date(2026, 11, 28), date(2026, 11, 29)),
        ("下个月初", date(2026, 12, 1), date(2026, 12, 10)),
        ("两三天后", date(2026, 11, 25), date(2026, 11, 26)),
    ],
)
def test_approximate_future_dates(said: str, first: date, last: date) -> None:
    assert span(said, FUTURE) == (first, last)


@pytest.mark.parametrize(
    ("said", "where"),
    [("嗯，大概是前几天吧", "大概是前几天"), ("差不多上个月初的时候", "差不多上个月初的时候"), ("就是三月份左右", "三月份左右")],
)
def test_the_words_of_a_span_keep_the_hedge_and_the_around(said: str, where: str) -> None:
    found = parse_when(said, TODAY, PAST)
    assert isinstance(found, DateSpan)
    assert said[found.start:found.end] == where


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # An exact date said inside or beside the words stays exact.
        ("前天晚上", date(2026, 11, 21)),
        ("昨晚", date(2026, 11, 22)),
        ("上周三", date(2026, 11, 18)),
        ("上个月5号", date(2026, 10, 5)),
        ("3月5号", date(2026, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("三天前", date(2026, 11, 20)),
        # "It has been three days" is three days ago: a span of one day is that day.
        ("三天了", date(2026, 11, 20)),
    ],
)
def test_exact_dates_win_over_approximate_words(said: str, expected: date) -> None:
    assert parse_when(said, TODAY, PAST) == expected


@pytest.mark.parametrize(("said", "kind"), [("2月30日", "impossible"), ("13月5日", "no_such_month")])
def test_dates_that_cannot_be_stay_errors(said: str, kind: str) -> None:
    found = parse_when(said, TODAY, PAST)
    assert isinstance(found, DateError) and found.kind == kind


@pytest.mark.parametrize("said", ["要带什么材料？", "好久了", "路灯不亮", "张三"])
def test_no_date_is_none(said: str) -> None:
    assert parse_when(said, TODAY, PAST) is None


@pytest.mark.parametrize("said", ["两三天前", "三四天前", "一两天前", "七八个月前"])
def test_two_numbers_said_together_are_no_exact_offset(said: str) -> None:
    # 两三天前 was once read as 23 days ago and 三四天前 as 34.
    assert find_dates(said, TODAY) == []


@pytest.mark.parametrize(
    ("token", "pair"),
    [("两三", (2, 3)), ("一两", (1, 2)), ("七八", (7, 8)), ("二十", None), ("三五", None), ("九十", None), ("三", None)],
)
def test_numeral_pairs_are_neighbouring_numbers(token: str, pair: tuple[int, int] | None) -> None:
    assert numeral_pair(token) == pair


@pytest.mark.parametrize(("said", "expected"), [("九十天前", date(2026, 8, 25)), ("二十天前", date(2026, 11, 3))])
def test_tens_are_still_numbers(said: str, expected: date) -> None:
    assert parse_when(said, TODAY, ANY) == expected
