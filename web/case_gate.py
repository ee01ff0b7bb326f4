"""The door of every lookup by case number from outside its conversation: the owner's token, a signed-in
agent, or the last four digits of the phone given with the case (assistant/cases/case_access.py). Wrong
digits are also counted per client address, so one address cannot try many numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Query
from starlette.requests import Request

from assistant.cases.case_access import CaseAccess, CaseGate, Gate
from assistant.common.messages import Messages
from assistant.storage.hit_counter import HitCounter
from web.errors import ApiException
from web.limits import rate_limited
from web.models import ApiError
from web.runtime import services_of

# The second factor, as a query parameter of a lookup.
PhoneLast4 = Annotated[str | None, Query(pattern=r"^\d{4}$", description="the last four digits of the phone given with the case")]
_MESSAGES = Messages.load(Path(__file__).resolve().parent / "data" / "case_lookup.yaml")


def not_found() -> ApiException:
    code = "application_not_found"
    return ApiException(404, ApiError(code=code, message=_MESSAGES(code), field="number"))


def case_gate(request: Request, number: str, session: str | None, phone_last4: str | None) -> CaseGate:
    """The gate for `number`, or the refusal: 403 second_factor_required, 404 (no such number or wrong
    digits, one answer), 429 after too many wrong digits from this address or for this number."""
    cases: CaseAccess = services_of(request).cases
    if cases.owns(number, session):
        return CaseGate(Gate.owner)
    if not phone_last4:
        code = "second_factor_required"
        raise ApiException(403, ApiError(code=code, message=_MESSAGES(code), field="phone_last4"))
    failures: HitCounter = services_of(request).lookup_failures
    address = f"case-lookup:{request.client.host if request.client else 'unknown'}"
    if wait := failures.blocked(address):
        raise rate_limited(wait)
    gate = cases.check(number, None, phone_last4)  # the owner is ruled out above
    if gate.gate is Gate.wait:
        raise rate_limited(gate.retry_after)
    if gate.gate is Gate.refused:
        failures.wait(address)
        raise not_found()
    return gate
