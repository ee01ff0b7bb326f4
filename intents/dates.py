"""Chinese date expressions: 今天, 下周三, 三天后, 3月5号, 二〇二四年三月五日, 2024/3/5, 20240305 …
and approximate ones, read as a span of days: 前几天, 上周, 上个月初, 去年年底, 大概三月份, 两三天前.

Pure functions of the text and of `today`. A month and day said without a year take the year that
fits what the question expects (a birth date is past, an appointment is future). No dateutil here:
the arithmetic needed is days, weeks and calendar months.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import cn2an

from knowledge.models import DateRange

DateErrorKind = Literal["impossible", "no_such_month", "no_day"]


@dataclass(frozen=True)
class DateError:
    """A date was said but it cannot be a day: 2月30日 (impossible), 13月 (no_such_month), 3月 (no_day)."""

    kind: DateErrorKind
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    result: date | DateError


_CN = "零〇一二三四五六七八九十两"
_Y = r"(?P<y>\d{4}|[零〇一二三四五六七八九]{4})"
_M = r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})"
_D = r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,4})"
_N = rf"(?P<n>\d{{1,3}}|[{_CN}]{{1,4}})"
_UNITS = "个星期|个礼拜|个月|天|日|周|星期|礼拜"
_RELATIVE_DAYS = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨儿": -1, "昨晚": -1, "今天": 0, "今日": 0,
                  "今儿": 0, "今早": 0, "今晚": 0, "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3}
_RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2}
_RELATIVE_MONTHS = {"上个月": -1, "上月": -1, "这个月": 0, "本月": 0, "下个月": 1, "下月": 1}
_WEEK_SHIFT = {"上上": -14, "上": -7, "这": 0, "本": 0, "下": 7, "下下": 14}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(rf"{_Y}\s*年\s*{_M}\s*月\s*{_D}\s*[日号]?")),
    ("ymd", re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")),
    ("compact", re.compile(r"(?<![\dXx])(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?![\dXx])")),
    ("ym", re.compile(rf"{_Y}\s*年\s*{_M}\s*月份?")),
    ("md", re.compile(rf"(?:(?P<yw>前年|去年|今年|明年|后年)|(?<![\d年])){_M}\s*月\s*{_D}\s*[日号]?")),
    ("m", re.compile(rf"(?<![\d年个]){_M}\s*月份?")),
    ("rel_month_day", re.compile(rf"(?P<mw>上个月|上月|这个月|本月|下个月|下月){_D}\s*[日号]")),
    ("relative", re.compile("|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True)))),
    ("offset", re.compile(rf"{_N}\s*(?P<unit>{_UNITS})(?P<dir>以后|之后|后|以前|之前|前)")),
    ("weekday", re.compile(r"(?P<rel>上上|下下|上|下|这|本)?个?(?:星期|礼拜|周)(?P<w>[一二三四五六日天七1-7])")),
]
_BARE_DAY = re.compile(rf"^{_D}\s*[日号]$")
_DIGIT_WORD = {c: i for i, c in enumerate("一二三四五六七八九", start=1)} | {"两": 2}


def to_int(token: str) -> int:
    """A number written in digits or Chinese numerals: 5, 五, 十二, 二〇二四, 两."""
    if token.isdigit():
        return int(token)
    if len(token) >= 2 and all(c in "零〇一二三四五六七八九" for c in token):
        return int(token.translate(str.maketrans("零〇一二三四五六七八九", "00123456789")))
    return int(cn2an.cn2an(token.replace("〇", "零"), "smart"))


def numeral_pair(token: str) -> tuple[int, int] | None:
    """Two neighbouring numbers said together, a span rather than a number: 两三 → (2, 3), 七八 → (7, 8)."""
    if len(token) != 2 or token[0] not in _DIGIT_WORD or token[1] not in _DIGIT_WORD:
        return None
    low, high = _DIGIT_WORD[token[0]], _DIGIT_WORD[token[1]]
    return (low, high) if high == low + 1 else None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, today: date, prefer: DateRange, year: int | None) -> date | DateError:
    if not 1 <= month <= 12:
        return DateError("no_such_month", month, day)
    if year is not None:
        return _valid(year, month, day) or DateError("impossible", month, day)
    if prefer is DateRange.past:
        years = range(today.year, today.year - 9, -1)
    elif prefer is DateRange.future:
        years = range(today.year, today.year + 9)
    else:
        years = range(today.year, today.year + 1)
    for candidate in years:
        found = _valid(candidate, month, day)
        if found is None:
            continue
        if (prefer is DateRange.past and found > today) or (prefer is DateRange.future and found < today):
            continue
        return found
    return DateError("impossible", month, day)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, the last day where the month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _weekday(match: re.Match[str], today: date, prefer: DateRange) -> date:
    target = _WEEKDAYS.get(match["w"])
    if target is None:
        target = int(match["w"]) - 1
    if match["rel"] is None:
        if prefer is DateRange.past:
            return today - timedelta(days=(today.weekday() - target) % 7)
        return today + timedelta(days=(target - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=_WEEK_SHIFT[match["rel"]] + target)


def _offset(match: re.Match[str], today: date) -> date:
    if numeral_pair(match["n"]) is not None:
        raise ValueError("两三天前 is a span of days, not a number of them")
    n = to_int(match["n"])
    sign = -1 if "前" in match["dir"] else 1
    unit = match["unit"]
    if unit == "个月":
        return add_months(today, sign * n)
    days = n if unit in ("天", "日") else 7 * n
    return today + timedelta(days=sign * days)


def _resolve(kind: str, match: re.Match[str], today: date, prefer: DateRange) -> date | DateError | None:
    if kind in ("ymd", "compact"):
        year, month, day = to_int(match["y"]), to_int(match["m"]), to_int(match["d"])
        result = _month_day(month, day, today, prefer, year)
        # Eight digits that are no date are some other number, not a wrong date.
        return None if kind == "compact" and isinstance(result, DateError) else result
    if kind in ("ym", "m"):
        month = to_int(match["m"])
        return DateError("no_day", month) if 1 <= month <= 12 else DateError("no_such_month", month)
    if kind == "md":
        said_year = today.year + _RELATIVE_YEARS[match["yw"]] if match["yw"] else None
        return _month_day(to_int(match["m"]), to_int(match["d"]), today, prefer, said_year)
    if kind == "rel_month_day":
        first = add_months(today.replace(day=1), _RELATIVE_MONTHS[match["mw"]])
        day = to_int(match["d"])
        return _valid(first.year, first.month, day) or DateError("impossible", first.month, day)
    if kind == "relative":
        return today + timedelta(days=_RELATIVE_DAYS[match.group(0)])
    if kind == "offset":
        return _offset(match, today)
    return _weekday(match, today, prefer)


def find_dates(text: str, today: date, prefer: DateRange = DateRange.any) -> list[DateMatch]:
    """Every date expression in the text, left to right, longest first where two overlap."""
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        found += [(m.start(), m.end(), kind, m) for m in pattern.finditer(text)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    matches: list[DateMatch] = []
    taken_until = 0
    for start, end, kind, match in found:
        if start < taken_until:
            continue
        try:
            result = _resolve(kind, match, today, prefer)
        except (ValueError, KeyError, OverflowError):
            result = None  # a numeral cn2an cannot read is no date
        if result is not None:
            matches.append(DateMatch(start, end, result))
            taken_until = end
    return matches


def parse_date(text: str, today: date, prefer: DateRange = DateRange.any) -> date | DateError | None:
    """The first date said in the text; None when there is none. A day alone ("5号") is read only when
    it is the whole answer: inside a longer message it is as likely a house number."""
    matches = find_dates(text, today, prefer)
    if matches:
        return matches[0].result
    bare = _BARE_DAY.match(text.strip())
    if bare is None:
        return None
    try:
        day = to_int(bare["d"])
    except (ValueError, KeyError):  # 十十十十号: numeral characters that are no number (found by fuzzing)
        return None
    months = range(0, -13, -1) if prefer is DateRange.past else range(0, 13)
    for shift in months:
        first = add_months(today.replace(day=1), shift)
        found = _valid(first.year, first.month, day)
        if found is None:
            continue
        if (prefer is DateRange.past and found > today) or (prefer is not DateRange.past and found < today):
            continue
        return found
    return DateError("impossible", None, day)


# -- approximate dates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DateSpan:
    """An approximate date said as words (前几天, 上个月初): the first and last day it can be, and
    where in the text it was said (the hedge 大概 and a closing 左右 included)."""

    start: int
    end: int
    first: date
    last: date


# Vague words for a few days or weeks back: (most days ago, fewest days ago).
_VAGUE_DAYS: dict[str, tuple[int, int]] = {
    "前几天": (5, 2), "前些天": (7, 2), "前些日子": (14, 3), "前两天": (3, 1), "几天前": (5, 2), "几天以前": (5, 2),
    "好几天": (10, 3), "这几天": (4, 0), "这两天": (2, 0), "近几天": (4, 0), "近两天": (2, 0), "这些天": (7, 0),
    "最近": (14, 0), "近来": (14, 0), "近期": (30, 0), "刚才": (0, 0), "刚刚": (0, 0),
    "前阵子": (60, 7), "前一阵子": (60, 7), "前一阵": (60, 7), "前段时间": (60, 7), "前一段时间": (60, 7),
}
_HEDGE = r"(?:(?:大概|大约|大致|差不多|估计|可能|好像|应该)(?:是|在)?)?"
_AROUND = r"(?:左右|前后|那会儿|那会|那阵子|的时候|的样子|了)?"
_AGO = r"(?P<dir>以前|之前|前|了|以后|之后|后)"
_SPAN_UNIT = r"(?P<unit>天|日|个星期|个礼拜|星期|礼拜|周|个月|年)"
_NUM = r"(?P<n>\d{1,3}|[零〇一二三四五六七八九十两]{1,4})"
_MONTH_PART = r"(?P<part>上旬|中旬|下旬|初|中|底|末)?"
_YEAR_PART = r"(?P<part>上半年|下半年|年初|年中|年底|年末|初|底|末)?"
_NO_DAY_AFTER = r"(?!\s*[\d一二三四五六七八九十两])"
_WEEK_WORD = r"(?:个)?(?:星期|礼拜|周)"
_MONTH_WORDS = {"上上个月": -2, "上个月": -1, "上月": -1, "这个月": 0, "本月": 0, "下个月": 1, "下月": 1}
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))

_SPAN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("vague", re.compile("(?:" + "|".join(sorted(_VAGUE_DAYS, key=len, reverse=True)) + ")")),
    ("pair", re.compile(rf"(?P<pair>[一二两三四五六七八九]{{2}}){_SPAN_UNIT}多?{_AGO}")),
    ("several", re.compile(rf"(?P<tens>[二三四五]?十)?几{_SPAN_UNIT}{_AGO}")),
    ("more", re.compile(rf"{_NUM}多{_SPAN_UNIT}{_AGO}")),
    ("more", re.compile(rf"{_NUM}{_SPAN_UNIT}多{_AGO}")),
    ("more", re.compile(rf"{_NUM}个多(?P<unit>月|星期|礼拜){_AGO}")),
    ("half", re.compile(rf"半(?P<more>个多|多个)?(?P<unit>个月|年|月){_AGO}")),
    ("since", re.compile(rf"{_NUM}{_SPAN_UNIT}(?P<dir>了)")),
    ("years", re.compile(rf"{_NUM}年(?P<dir>以前|之前|前|以后|之后|后)")),
    ("week", re.compile(rf"(?P<rel>上上|上|这|本|下下|下){_WEEK_WORD}(?P<part>末)?(?![一二三四五六日天七1-7])")),
    ("weekend", re.compile(r"(?<![上下这本个])周末")),
    ("month_word", re.compile(rf"(?P<mw>{_MONTH_WORD}){_MONTH_PART}{_NO_DAY_AFTER}")),
    ("month_part", re.compile(r"(?<![个上下这本\d一二三四五六七八九十])月(?P<part>上旬|中旬|下旬|初|中|底|末)")),
    ("month", re.compile(rf"(?:{_Y}\s*年|(?P<yw>前年|去年|今年|明年|后年))\s*{_M}\s*月份?{_MONTH_PART}{_NO_DAY_AFTER}")),
    ("month", re.compile(rf"(?<![\d年个一二三四五六七八九十]){_M}\s*月份?{_MONTH_PART}{_NO_DAY_AFTER}")),
    ("year", re.compile(rf"(?:{_Y}\s*年|(?P<yw>前年|去年|今年|明年|后年)){_YEAR_PART}(?![\d一二三四五六七八九十两月])")),
]
_SPAN_DAYS = {"天": 1, "日": 1, "个星期": 7, "个礼拜": 7, "星期": 7, "礼拜": 7, "周": 7}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _back(today: date, amount: int, unit: str, sign: int) -> date:
    """`amount` units before (sign -1) or after (sign 1) today."""
    if unit in _SPAN_DAYS:
        return today + timedelta(days=sign * amount * _SPAN_DAYS[unit])
    months = amount * (12 if unit == "年" else 1)
    return add_months(today, sign * months)


def _units_ago(today: date, low: int, high: int, unit: str, direction: str) -> tuple[date, date]:
    """From `low` to `high` units ago (or ahead, for 以后/后)."""
    if direction in ("以后", "之后", "后"):
        return _back(today, low, unit, 1), _back(today, high, unit, 1)
    return _back(today, high, unit, -1), _back(today, low, unit, -1)


def _month_part(year: int, month: int, part: str | None) -> tuple[date, date]:
    end = _month_end(year, month)
    if part in ("初", "上旬"):
        return date(year, month, 1), date(year, month, 10)
    if part in ("中", "中旬"):
        return date(year, month, 11), date(year, month, 20)
    if part in ("底", "末", "下旬"):
        return date(year, month, 21), end
    return date(year, month, 1), end


def _year_part(year: int, part: str | None) -> tuple[date, date]:
    if part in ("初", "年初"):
        return date(year, 1, 1), _month_end(year, 2)
    if part == "上半年":
        return date(year, 1, 1), date(year, 6, 30)
    if part == "年中":
        return date(year, 6, 1), date(year, 7, 31)
    if part == "下半年":
        return date(year, 7, 1), date(year, 12, 31)
    if part in ("底", "年底", "末", "年末"):
        return date(year, 11, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def _fitting(candidates: list[tuple[date, date]], today: date, prefer: DateRange) -> tuple[date, date]:
    """Of the same words read in neighbouring months or years (candidates in time order), the one
    the question expects: the latest that has begun for a past date, the first not yet over for a
    future one, the middle one otherwise."""
    if prefer is DateRange.past:
        return next((c for c in reversed(candidates) if c[0] <= today), candidates[0])
    if prefer is DateRange.future:
        return next((c for c in candidates if c[1] >= today), candidates[-1])
    return candidates[len(candidates) // 2]


def _span(kind: str, m: re.Match[str], today: date, prefer: DateRange) -> tuple[date, date] | None:
    groups = m.groupdict()
    if kind == "vague":
        most, fewest = _VAGUE_DAYS[m.group(0)]
        return today - timedelta(days=most), today - timedelta(days=fewest)
    if kind == "pair":
        pair = numeral_pair(m["pair"])
        return None if pair is None else _units_ago(today, *pair, m["unit"], m["dir"])
    if kind == "several":
        tens = to_int(m["tens"]) if m["tens"] else 0
        low, high = (tens + 1, tens + 9) if tens else (2, 5)
        return _units_ago(today, low, high, m["unit"], m["dir"])
    if kind == "more":
        n = to_int(m["n"])
        return _units_ago(today, n, n + (1 if n < 10 else min(9, n // 2)), m["unit"], m["dir"])
    if kind == "half":
        if m["unit"] == "年":
            return _units_ago(today, 5, 8 if m["more"] else 7, "个月", m["dir"])
        return _units_ago(today, 15 if m["more"] else 12, 25 if m["more"] else 18, "天", m["dir"])
    if kind == "since":
        n = to_int(m["n"])
        if m["unit"] == "年":
            return _units_ago(today, 12 * n - 3, 12 * n + 3, "个月", "前")
        return _units_ago(today, n, n, m["unit"], "前")
    if kind == "years":
        n = to_int(m["n"])
        return _units_ago(today, 12 * n - 3, 12 * n + 3, "个月", m["dir"])
    if kind == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=_WEEK_SHIFT[m["rel"]])
        sunday = monday + timedelta(days=6)
        return (sunday - timedelta(days=1), sunday) if m["part"] else (monday, sunday)
    if kind == "weekend":
        saturday = today + timedelta(days=5 - today.weekday())
        return _fitting([(saturday + timedelta(days=7 * k), saturday + timedelta(days=7 * k + 1)) for k in (-1, 0, 1)],
                        today, prefer)
    if kind == "month_word":
        first = add_months(today.replace(day=1), _MONTH_WORDS[m["mw"]])
        return _month_part(first.year, first.month, m["part"])
    if kind == "month_part":
        months = [add_months(today.replace(day=1), k) for k in (-1, 0, 1)]
        return _fitting([_month_part(d.year, d.month, m["part"]) for d in months], today, prefer)
    if kind == "month":
        month = to_int(m["m"])
        if not 1 <= month <= 12:
            return None
        if groups.get("y"):
            return _month_part(to_int(m["y"]), month, m["part"])
        if groups.get("yw"):
            return _month_part(today.year + _RELATIVE_YEARS[m["yw"]], month, m["part"])
        return _fitting([_month_part(today.year + k, month, m["part"]) for k in (-1, 0, 1)], today, prefer)
    year = to_int(m["y"]) if groups.get("y") else today.year + _RELATIVE_YEARS[m["yw"]]
    return _year_part(year, m["part"])


def find_spans(text: str, today: date, prefer: DateRange = DateRange.any) -> list[DateSpan]:
    """Every approximate date in the text, left to right, longest first where two overlap."""
    hedge, around = re.compile(_HEDGE + "$"), re.compile(_AROUND)
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _SPAN_PATTERNS:
        found += [(m.start(), m.end(), kind, m) for m in pattern.finditer(text)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    spans: list[DateSpan] = []
    taken_until = 0
    for start, end, kind, match in found:
        if start < taken_until:
            continue
        try:
            days = _span(kind, match, today, prefer)
        except (ValueError, KeyError, OverflowError):
            days = None  # a numeral cn2an cannot read, a year out of range
        if days is None:
            continue
        lead = hedge.search(text, taken_until, start)
        start = lead.start() if lead else start
        end = around.match(text, end).end()  # type: ignore[union-attr]  # all optional: it always matches
        spans.append(DateSpan(start, end, *days))
        taken_until = end
    return spans


def parse_when(text: str, today: date, prefer: DateRange = DateRange.any) -> date | DateError | DateSpan | None:
    """The first date said in the text, exact (a date, or why it is none) or approximate (a span).
    Where an exact and an approximate reading overlap the longer wins, the approximate one on a tie:
    大概三月份 is a span, 上周三 a date. A span of one day (三天了) is that date."""
    exact = find_dates(text, today, prefer)
    spans = find_spans(text, today, prefer)
    if not spans:
        return parse_date(text, today, prefer)
    span = spans[0]
    match = exact[0] if exact else None
    if match is not None:
        overlaps = match.start < span.end and span.start < match.end
        longer = match.end - match.start > span.end - span.start
        if (overlaps and longer) or (not overlaps and match.start < span.start):
            return match.result
    return span.first if span.first == span.last else span
