"""Working days follow China's official calendar: 春节 and 国庆 are off, the make-up Saturdays (调休) are
worked, and a year whose schedule is not published yet is counted Monday to Friday and said to be an estimate."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.cases import working_days
from assistant.cases.working_days import add_working_days, add_working_days_at, calendar_covers
from assistant.common.messages import MESSAGES_FILE, Messages
from assistant.dialogue.submission import expected_text

BEIJING = ZoneInfo("Asia/Shanghai")
UNPUBLISHED = 2099  # a year no release of the calendar will cover for a long while


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # 国庆: 1 to 7 October are off
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # the make-up Saturday after 国庆 is a working day
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # so is the make-up Sunday before it
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # 春节: the make-up Saturday before it
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # 15 to 23 February are off
        (date(2026, 2, 9), 10, date(2026, 2, 28)),  # ten across 春节, ending on the second make-up Saturday
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # an ordinary week: Monday to the next Monday
    ],
)
def test_working_days_skip_public_holidays_and_count_make_up_days(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


def test_a_work_order_deadline_keeps_its_time_of_day_across_the_national_day() -> None:
    accepted = datetime(2026, 9, 30, 17, 0, tzinfo=BEIJING)
    assert add_working_days_at(accepted, 1) == datetime(2026, 10, 8, 17, 0, tzinfo=BEIJING)


def test_an_unpublished_year_is_counted_monday_to_friday_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    working_days._year_covered.cache_clear()
    with caplog.at_level(logging.WARNING, logger="assistant.cases.working_days"):
        assert add_working_days(date(UNPUBLISHED, 1, 2), 1) == date(UNPUBLISHED, 1, 5)  # Friday → Monday
    assert [r.getMessage() for r in caplog.records if str(UNPUBLISHED) in r.getMessage()]
    assert not calendar_covers(date(2026, 12, 30), date(UNPUBLISHED, 1, 5))
    assert calendar_covers(date(2026, 2, 1), date(2026, 10, 8))


def test_the_reply_marks_a_date_in_an_unpublished_year_as_an_estimate() -> None:
    say = Messages.load(MESSAGES_FILE)
    published = expected_text(date(2026, 10, 8), date(2026, 9, 30), say)
    estimated = expected_text(date(UNPUBLISHED, 1, 5), date(UNPUBLISHED, 1, 2), say)
    assert published == say("expected_by", year=2026, month=10, day=8)
    assert estimated == say("expected_by_estimate", year=UNPUBLISHED, month=1, day=5)
    assert "估算" in estimated and "估算" not in published
