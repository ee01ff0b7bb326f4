"""The clock the books stamp with: the time where the service is (China's by default), replaceable in tests.

Not the machine's own zone: servers and containers often run in UTC, and a citizen at 10:40 in Beijing
must find the 08:30-17:30 handoff hours open, 明天 must be Beijing's tomorrow and due dates count
Beijing's working days. `GOVASSIST_TIMEZONE` (settings.timezone) names another zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

SERVICE_ZONE = "Asia/Shanghai"


def zoned_clock(zone: str) -> Clock:
    """A clock reading the time in `zone` (an IANA name such as Asia/Shanghai)."""
    tz = ZoneInfo(zone)
    return lambda: datetime.now(tz)


local_now: Clock = zoned_clock(SERVICE_ZONE)
