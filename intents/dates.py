"""Chinese date expressions: 今天, 下周三, 三天后, 3月5号, 二〇二四年三月五日, 2024/3/5, 20240305 …

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
_RELATIVE_DAYS = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "今儿": 0,
                  "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3}
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


def to_int(token: str) -> int:
    """A number written in digits or Chinese numerals: 5, 五, 十二, 二〇二四, 两."""
    if token.isdigit():
        return int(token)
    if len(token) >= 2 and all(c in "零〇一二三四五六七八九" for c in token):
        return int(token.translate(str.maketrans("零〇一二三四五六七八九", "00123456789")))
    return int(cn2an.cn2an(token.replace("〇", "零"), "smart"))


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
        if prefer is DateRange.past and found > today or prefer is DateRange.future and found < today:
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
        year = today.year + _RELATIVE_YEARS[match["yw"]] if match["yw"] else None
        return _month_day(to_int(match["m"]), to_int(match["d"]), today, prefer, year)
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
        if prefer is DateRange.past and found > today or prefer is not DateRange.past and found < today:
            continue
        return found
    return DateError("impossible", None, day)
