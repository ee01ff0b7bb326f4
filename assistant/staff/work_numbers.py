"""Staff 工号 (work numbers): what a citizen sees of the agent who answers them, never the name.

An account gets one when it is made with one (`govassist staff add NAME --work-number 1024`), or the
first time it is asked for: 1000 + the account's id, unique like any other.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.db import reading, writing
from assistant.staff.tables import StaffWorkNumberRow

FIRST = 1000
WORK_NUMBER = r"^[0-9A-Za-z]{2,16}$"


class WorkNumbers:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def of(self, user_id: int) -> str:
        """The account's 工号, given now if it has none."""
        with reading(self._sessions) as session:
            found = session.scalar(select(StaffWorkNumberRow.work_number).where(StaffWorkNumberRow.user_id == user_id))
        if found is not None:
            return found
        try:
            return self.assign(user_id, str(FIRST + user_id))
        except ValueError:  # given at once by another worker, or that number was taken by hand
            with reading(self._sessions) as session:
                found = session.scalar(select(StaffWorkNumberRow.work_number).where(StaffWorkNumberRow.user_id == user_id))
            if found is None:
                raise
            return found

    def assign(self, user_id: int, work_number: str) -> str:
        if not re.fullmatch(WORK_NUMBER, work_number):
            raise ValueError(f"a work number is 2 to 16 letters or digits, not {work_number!r}")
        try:
            with writing(self._sessions) as session:
                row = session.get(StaffWorkNumberRow, user_id)
                if row is None:
                    session.add(StaffWorkNumberRow(user_id=user_id, work_number=work_number))
                else:
                    row.work_number = work_number
        except IntegrityError:
            raise ValueError(f"work number {work_number} is taken") from None
        return work_number
