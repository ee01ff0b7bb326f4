"""Tracking numbers: a prefix, the local day and a per-day sequence (GA20261123-000001, WO20261123-000001).

Every series counts in the one number_sequences table, each under its own row key per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.cases.tables import NumberSequenceRow


@dataclass(frozen=True)
class NumberSeries:
    prefix: str  # printed before the day
    key: str  # put before the day in the sequence row's key; series with the same key share a count


# Applications' rows predate other series and are keyed by the bare day; changing that would restart
# their count in an existing database and hand out numbers twice.
APPLICATION_NUMBERS = NumberSeries(prefix="GA", key="")
WORK_ORDER_NUMBERS = NumberSeries(prefix="WO", key="WO")

_UPSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def next_number(session: Session, series: NumberSeries, day: date) -> str:
    # One statement both creates the day's row and takes the next number: on PostgreSQL it holds the
    # row lock until commit, on SQLite the write transaction is already exclusive.
    insert = _UPSERT[session.get_bind().dialect.name](NumberSequenceRow)
    statement = (
        insert.values(day=f"{series.key}{day:%Y%m%d}", last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": NumberSequenceRow.last + 1})  # type: ignore[attr-defined]  # the dialect's Insert
        .returning(NumberSequenceRow.last)
    )
    return f"{series.prefix}{day:%Y%m%d}-{session.execute(statement).scalar_one():06d}"
