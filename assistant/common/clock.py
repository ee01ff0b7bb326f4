"""The clock the books stamp with: local time with its offset, replaceable in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]


def local_now() -> datetime:
    return datetime.now().astimezone()
