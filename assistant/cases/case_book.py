"""What the books of applications and work orders share: filing a case once per idempotency key, and
changing a case's status under a row lock along its transition table.

Each book keeps what is its own: its rows, its events, its audit entries and its views. This module
holds the two steps both take the same way, so a fix to either (a race, a lock) reaches both books.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.common.transitions import TransitionTable
from assistant.storage.db import reading, writing
from assistant.storage.personal_tables import ApplicationRow, WorkOrderRow

# The rows of the books: each has a unique `number` and a `status` (an enum's value).
Row = TypeVar("Row", ApplicationRow, WorkOrderRow)
Status = TypeVar("Status", bound=Enum)
View = TypeVar("View")


class IllegalStatusChange(ValueError):
    """A status change the case's transition table does not list."""


def create_once(
    sessions: sessionmaker[Session],
    find: Callable[[Session], Row | None],
    insert: Callable[[Session], Row],
    view: Callable[[Session, Row], View],
) -> View:
    """The case `find` finds (the one a resent confirmation already filed), else the one `insert` adds,
    as `view` shows it. When a concurrent request with the same key commits between our look and our
    insert, the unique key refuses ours and the case that request filed is returned."""
    try:
        with writing(sessions) as session:
            row = find(session)
            if row is None:
                row = insert(session)
            return view(session, row)
    except IntegrityError:
        with reading(sessions) as session:
            row = find(session)
            if row is None:
                raise
            return view(session, row)


@contextmanager
def changing_status(
    sessions: sessionmaker[Session],
    model: type[Row],
    number: str,
    to: Status,
    transitions: TransitionTable[Status],
    unknown: Callable[[str], LookupError],
) -> Iterator[tuple[Session, Row, Status]]:
    """Lock case `number`'s row, check that its status may become `to`, set it, and yield (session, row,
    the status before) inside the transaction, for the book to add its event and audit entry there.
    `unknown(number)` is raised when there is no such case, IllegalStatusChange when the table refuses."""
    with writing(sessions) as session:
        row = session.scalars(select(model).where(model.number == number).with_for_update()).one_or_none()
        if row is None:
            raise unknown(number)
        current = type(to)(row.status)
        if not transitions.allows(current, to):
            raise IllegalStatusChange(f"{number}: {current.value} → {to.value} is not allowed")
        row.status = to.value
        yield session, row, current
