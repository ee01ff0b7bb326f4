"""Who may see a case by its number: the conversation that filed it, or someone who also knows the last
four digits of the phone given with it (the second factor). Without that, numbers could be walked
(GA20261207-000001, -000002 …) to read each case's service, department, status and dates.

Wrong factors are counted per number in the database, whichever worker or conversation they come
from: past FAILURES_PER_NUMBER in FAILURE_WINDOW_S, that number is not looked up by factor until the
window moves on (its owner's conversation and staff still see it). A number that does not exist counts
and answers as a wrong factor does, so the answers tell nothing about which numbers exist.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import Enum

from assistant.cases.applications import ApplicationBook
from assistant.cases.numbers import WORK_ORDER_NUMBERS
from assistant.cases.workorders import WorkOrderBook
from assistant.storage.hit_counter import HitCounter

FAILURES_PER_NUMBER = 5
FAILURE_WINDOW_S = 3600.0


class Gate(str, Enum):
    owner = "owner"  # the conversation that filed it: personal fields (masked) too
    granted = "granted"  # the second factor matched: the status, without personal fields
    factor_needed = "factor_needed"
    refused = "refused"  # no such number, or a wrong factor (one answer for both)
    wait = "wait"  # too many wrong factors for this number lately


@dataclass(frozen=True)
class CaseGate:
    gate: Gate
    retry_after: int = 0

    @property
    def open(self) -> bool:
        return self.gate in (Gate.owner, Gate.granted)


class CaseAccess:
    def __init__(self, book: ApplicationBook, orders: WorkOrderBook, failures: HitCounter) -> None:
        self._book = book
        self._orders = orders
        self._failures = failures

    def check(self, number: str, session_id: str | None, phone_last4: str | None) -> CaseGate:
        if self.owns(number, session_id):
            return CaseGate(Gate.owner)
        if not phone_last4:
            return CaseGate(Gate.factor_needed)
        key = f"case-factor:{number}"
        if wait := self._failures.blocked(key):
            return CaseGate(Gate.wait, wait)
        tail = self._orders.phone_tail(number) if self._is_order(number) else self._book.phone_tail(number)
        if tail is not None and hmac.compare_digest(tail.encode(), phone_last4.strip().encode()):
            return CaseGate(Gate.granted)
        self._failures.wait(key)  # counted; the next check sees it
        return CaseGate(Gate.refused)

    def owns(self, number: str, session_id: str | None) -> bool:
        """Whether this conversation filed the case."""
        if session_id is None:
            return False
        if self._is_order(number):
            return self._orders.of_session(number, session_id) is not None
        return self._book.owned_by(number, session_id)

    @staticmethod
    def _is_order(number: str) -> bool:
        return number.startswith(WORK_ORDER_NUMBERS.prefix)
