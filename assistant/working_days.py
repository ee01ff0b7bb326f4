"""Counting working days: Monday to Friday.

Public holidays and make-up working days (调休) are set each year by the State Council and are not
modelled, so a date counted this way is an estimate.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def add_working_days(start: date, days: int) -> date:
    """The day that is `days` working days after start (start itself is not counted)."""
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def add_working_days_at(start: datetime, days: int) -> datetime:
    """The same local time of day, `days` working days later (from a Saturday, 1 working day is Monday)."""
    return start + (add_working_days(start.date(), days) - start.date())
