"""The service's clock keeps China's time, not the machine's: servers often run in UTC, and a citizen at
10:40 in Beijing must find the 08:30-17:30 handoff hours open."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from assistant.cases.handoff_queue import ServiceHours
from assistant.common.clock import local_now, zoned_clock
from assistant.services import build_services
from settings import Settings


def test_the_default_clock_reads_beijing_time_whatever_the_machine_zone(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    assert local_now().utcoffset() == timedelta(hours=8)


def test_office_hours_are_open_at_twenty_to_eleven_in_beijing_when_it_is_early_morning_in_utc() -> None:
    utc = datetime(2026, 12, 8, 2, 40, tzinfo=zoned_clock("UTC")().tzinfo)  # a Tuesday
    beijing = utc.astimezone(local_now().tzinfo)
    hours = ServiceHours.parse("08:30-17:30", [1, 2, 3, 4, 5])
    assert hours.open_at(beijing)
    assert not hours.open_at(utc.replace(tzinfo=None))  # read as the machine's UTC wall time, it looked closed


def test_services_keep_the_zone_the_settings_name(tmp_path) -> None:
    services = build_services(Settings(data_dir=tmp_path, timezone="Europe/Berlin"))
    assert services.clock().tzinfo is not None
    assert services.clock().utcoffset() in (timedelta(hours=1), timedelta(hours=2))


def test_an_unknown_zone_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        Settings(timezone="Mars/Olympus")
