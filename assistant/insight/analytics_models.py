"""The operator dashboard's figures: the date range they cover and the typed results of each query."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, computed_field

# Days are Beijing-time days; China has kept +08:00 without daylight saving since 1991, which lets the
# database bucket by day with a fixed offset.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
LOCAL_OFFSET_HOURS = 8
MAX_DAYS = 366
DEFAULT_DAYS = 7


class BadRange(ValueError):
    """A date range the dashboard cannot show; `code` is the API error code."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


class DateRange(BaseModel):
    start: date  # the first day counted
    end: date  # the day after the last one: [start, end)

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: date) -> DateRange:
        """From "YYYY-MM-DD" strings; missing ones default to the last DEFAULT_DAYS days up to today."""
        last = _day(end, "to") if end else today + timedelta(days=1)
        first = _day(start, "from") if start else last - timedelta(days=DEFAULT_DAYS)
        if first >= last:
            raise BadRange("range_empty", "to")
        if (last - first).days > MAX_DAYS:
            raise BadRange("range_too_long", "from")
        return cls(start=first, end=last)

    def bounds(self) -> tuple[datetime, datetime]:
        """The range as aware instants: local midnight of start and of end."""
        return (datetime.combine(self.start, time(), LOCAL_ZONE).astimezone(UTC),
                datetime.combine(self.end, time(), LOCAL_ZONE).astimezone(UTC))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadRange("bad_date", field) from None


class Totals(BaseModel):
    turns: int
    sessions: int
    applications: int  # submitted in the range (a bundle counts once)
    work_orders: int  # created in the range, from the chat and by staff on a call
    work_orders_from_chat: int  # of those, filed from a conversation (the rest were taken by staff)


class DayVolume(BaseModel):
    day: date
    text: int
    voice: int
    copilot: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return self.text + self.voice + self.copilot


class ServiceVolume(BaseModel):
    id: str
    name: str
    turns: int
    sessions: int


class Funnel(BaseModel):
    """Conversations that reached each step; each count includes those that went further."""

    id: str | None  # None: all services together
    name: str
    routed: int
    consent: int
    filled: int  # began filling the form (consent given)
    confirmed: int  # every answer given and read back
    submitted: int


class Rates(BaseModel):
    routed_turns: int  # turns the router decided on: the base of the next two
    clarification: float | None
    out_of_scope: float | None
    handoff: float | None  # conversations passed to a person, of all conversations
    submissions: int
    mean_turns_to_submission: float | None


class ServiceRating(BaseModel):
    id: str | None  # None: a rating of a conversation about no particular service
    name: str
    count: int
    mean: float
    stars: list[int]  # how many ratings of 1, 2, 3, 4, 5


class ConfidenceBin(BaseModel):
    low: float
    high: float
    count: int


class SlowTurn(BaseModel):
    id: int
    at: datetime
    channel: str
    subject_id: str | None
    name: str
    state_after: str
    latency_ms: float
    text: str  # masked
    reply: str  # masked


class Report(BaseModel):
    range: DateRange
    totals: Totals
    volume_by_day: list[DayVolume]
    volume_by_service: list[ServiceVolume]
    funnel: Funnel
    funnel_by_service: list[Funnel]
    rates: Rates
    ratings: list[ServiceRating]
    confidence: list[ConfidenceBin]
    slowest: list[SlowTurn]
