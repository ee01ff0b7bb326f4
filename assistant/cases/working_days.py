"""Counting working days on China's official calendar: public holidays off, make-up working days (调休) on.

The State Council publishes each year's schedule late in the year before, and `chinese_calendar`
carries the years published when its release was made. For a year it does not cover yet, Monday to
Friday is counted, a warning is logged once for that year, and `calendar_covers` lets a reply mark the
date as an estimate.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar

log = logging.getLogger(__name__)


@cache
def _year_covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        log.warning("the holiday calendar has no schedule for %d yet: counting Monday to Friday, "
                    "dates are estimates (upgrade chinese-calendar once the State Council publishes it)", year)
        return False
    return True


def calendar_covers(start: date, end: date) -> bool:
    """Whether every year from start to end has its official schedule (otherwise a count is an estimate)."""
    return all(_year_covered(year) for year in range(min(start, end).year, max(start, end).year + 1))


def is_working_day(day: date) -> bool:
    if _year_covered(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day that is `days` working days after start (start itself is not counted)."""
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def add_working_days_at(start: datetime, days: int) -> datetime:
    """The same local time of day, `days` working days later (from a Saturday, 1 working day is Monday)."""
    return start + (add_working_days(start.date(), days) - start.date())
