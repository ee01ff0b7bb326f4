"""Staff-only API: copilot suggestions for a call, audited reveals, and 12345 work orders.

Every staff access to personal data here is recorded in the audit log (assistant/privacy/audit.py): caller
details shown by the copilot, work orders viewed or listed (caller details masked), and reveals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from assistant.cases.case_book import IllegalStatusChange
from assistant.cases.workorder_status import BadDispatch, CallerField, Urgency, WorkOrderStatus, WorkOrderType
from assistant.cases.workorders import UnknownWorkOrder, WorkOrderBook, WorkOrderDraft, WorkOrderView
from assistant.copilot.suggestions import Copilot
from assistant.privacy.audit import Action
from web.access import Access, allow
from web.errors import ApiException, refuse
from web.models import ApiError, CleanText, FilledText, StrictRequest
from web.runtime import runtime_of, services_of
from web.staff_routes import StaffDep

MAX_TRANSCRIPT_CHARS = 20_000
CALL_ID = r"^[A-Za-z0-9_-]{1,64}$"
CallerValue = Annotated[CleanText, Field(max_length=200)]  # a name, a number, an address

router = APIRouter(prefix="/api", dependencies=[allow(Access.staff)])  # every route here: staff only


class SuggestRequest(StrictRequest):
    transcript: FilledText = Field(min_length=1, max_length=MAX_TRANSCRIPT_CHARS)
    call_id: str | None = Field(default=None, pattern=CALL_ID)  # names the call in the audit log


class RevealDetailRequest(StrictRequest):
    call_id: str = Field(pattern=CALL_ID)
    transcript: FilledText = Field(min_length=1, max_length=MAX_TRANSCRIPT_CHARS)
    field: str = Field(max_length=32)


class Revealed(BaseModel):
    field: str
    value: str


class WorkOrderRequest(StrictRequest):
    type: WorkOrderType
    summary: FilledText = Field(min_length=1, max_length=2000)
    category: CleanText = Field(default="", max_length=64)
    dept: CleanText = Field(default="", max_length=64)
    urgency: Urgency = Urgency.normal
    subject_id: CleanText | None = Field(default=None, max_length=64)
    # The caller's details: typed by the agent, or left out and read from the call's transcript.
    caller: dict[CallerField, CallerValue] = {}
    transcript: CleanText = Field(default="", max_length=MAX_TRANSCRIPT_CHARS)


class OnBehalfRequest(StrictRequest):
    service_id: str = Field(max_length=64)
    transcript: CleanText = Field(default="", max_length=MAX_TRANSCRIPT_CHARS)
    caller: dict[CallerField, CallerValue] = {}


class TransitionRequest(StrictRequest):
    to: WorkOrderStatus
    note: CleanText = Field(default="", max_length=500)
    dept: CleanText | None = Field(default=None, max_length=64)


class RevealRequest(StrictRequest):
    field: CallerField


def _copilot(request: Request) -> Copilot:
    return runtime_of(request).copilot


def _orders(request: Request) -> WorkOrderBook:
    return services_of(request).work_orders


def order_json(view: WorkOrderView) -> dict[str, Any]:
    data = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in view.__dict__.items()}
    data["caller"] = {k.value if hasattr(k, "value") else k: v for k, v in view.caller.items()}
    data["overdue"] = view.overdue
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


def call_object(call_id: str | None) -> str:
    """How the audit log names a call (the agent's console gives each call an id)."""
    return f"call:{call_id or 'unnamed'}"


def _dept_required(copilot: Copilot) -> ApiException:
    return ApiException(422, ApiError(code="dept_required", message=copilot.dispatch_rules.reasons("dept_required"), field="dept"))


def _not_found() -> ApiException:
    return refuse(404, "workorder_not_found")


@router.post("/copilot/suggest", responses={401: {"model": ApiError}})
async def suggest(body: SuggestRequest, request: Request, user: StaffDep) -> dict[str, Any]:
    """Top services with key facts, policy passages, a reply script, caller details (masked), dispatch."""
    suggestion = await run_in_threadpool(_copilot(request).suggest, body.transcript)
    if suggestion.fields:  # the caller's details (masked) are on the agent's screen
        await run_in_threadpool(_orders(request).audit.record, user.username, Action.VIEW, call_object(body.call_id),
                                {"fields": [f.name for f in suggestion.fields]})
    return suggestion.to_dict()


@router.post("/copilot/reveal", response_model=Revealed, responses={401: {"model": ApiError}, 404: {"model": ApiError}})
def reveal_detail(body: RevealDetailRequest, request: Request, user: StaffDep) -> Revealed:
    """One caller detail of a live call in plain text; every reveal is written to the audit log."""
    details = {d.name: d for d in _copilot(request).caller_details(body.transcript)}
    if body.field not in details:
        raise refuse(404, "detail_not_found.summary", field="field")
    _orders(request).record_reveal(call_object(body.call_id), body.field, user.username)
    return Revealed(field=body.field, value=details[body.field].display)


@router.post("/workorders", status_code=201, responses={401: {"model": ApiError}})
def create_order(body: WorkOrderRequest, request: Request, user: StaffDep) -> dict[str, Any]:
    caller = dict(body.caller)
    if body.transcript:
        found = {d.name: d.value for d in _copilot(request).caller_details(body.transcript)}
        for field in CallerField:
            if field not in caller and field.value in found:
                caller[field] = found[field.value]
    copilot = _copilot(request)
    if not copilot.dispatch_rules.is_department(body.dept):  # never "nobody", never the hotline itself
        raise _dept_required(copilot)
    # The caller's details live in the encrypted caller fields; a summary (read on every staff screen)
    # keeps all it says about the call, with the name, number or address after a detail cue masked.
    summary = copilot.details.mask_details(body.summary).strip() or body.summary
    draft = WorkOrderDraft(type=body.type, summary=summary, created_by=user.username, category=body.category,
                           dept=body.dept, urgency=body.urgency, caller=caller, subject_id=body.subject_id)
    return order_json(_orders(request).create(draft))


@router.get("/workorders", responses={401: {"model": ApiError}})
def list_orders(request: Request, user: StaffDep, status: WorkOrderStatus | None = None,
                dept: Annotated[str | None, Query(max_length=64)] = None, overdue: bool | None = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    views = _orders(request).list(status=status, dept=dept, overdue=overdue, limit=limit, offset=offset, viewer=user.username)
    return [order_json(v) for v in views]


@router.get("/workorders/{number}", responses={401: {"model": ApiError}, 404: {"model": ApiError}})
def get_order(number: str, request: Request, user: StaffDep) -> dict[str, Any]:
    view = _orders(request).view(number.upper(), user.username)
    if view is None:
        raise _not_found()
    return order_json(view)


@router.post("/workorders/{number}/transitions", responses={404: {"model": ApiError}, 409: {"model": ApiError}})
def transition(number: str, body: TransitionRequest, request: Request, user: StaffDep) -> dict[str, Any]:
    current = _orders(request).get(number.upper())
    if current is not None and body.to is WorkOrderStatus.dispatched:  # 派单 to the hotline is no dispatch
        if not _copilot(request).dispatch_rules.is_department(body.dept or current.dept):
            raise _dept_required(_copilot(request))
    try:
        view = _orders(request).transition(number.upper(), body.to, user.username, body.note, dept=body.dept)
    except UnknownWorkOrder:
        raise _not_found() from None
    except IllegalStatusChange:
        raise refuse(409, "illegal_transition", field="to") from None
    except BadDispatch:
        raise refuse(422, "dept_required", field="dept") from None
    return order_json(view)


@router.get("/workorders/{number}/history", responses={404: {"model": ApiError}})
def order_history(number: str, request: Request, user: StaffDep) -> list[dict[str, Any]]:
    orders = _orders(request)
    if orders.get(number.upper()) is None:
        raise _not_found()
    return [{**e.__dict__, "from_status": e.from_status.value if e.from_status else None, "to_status": e.to_status.value,
             "at": e.at.isoformat()} for e in orders.history(number.upper())]


@router.post("/workorders/{number}/reveal", response_model=Revealed, responses={404: {"model": ApiError}})
def reveal(number: str, body: RevealRequest, request: Request, user: StaffDep) -> Revealed:
    """One caller field in plain text; audited (who, when, which field of which order)."""
    try:
        value = _orders(request).reveal(number.upper(), body.field, user.username)
    except UnknownWorkOrder:
        raise _not_found() from None
    if value is None:
        raise refuse(404, "detail_not_found.caller", field="field")
    return Revealed(field=body.field.value, value=value)


@router.get("/workorders/{number}/audit", responses={404: {"model": ApiError}})
def order_audit(number: str, request: Request, user: StaffDep) -> list[dict[str, Any]]:
    """The audit log's events about this order, oldest first: creation, transitions, views, reveals."""
    return [e.to_dict() for e in _orders(request).audit_trail(number.upper())]


@router.post("/copilot/apply", status_code=201, responses={401: {"model": ApiError}, 404: {"model": ApiError}})
def apply_on_behalf(body: OnBehalfRequest, request: Request, user: StaffDep) -> dict[str, Any]:
    """代办: start the caller's application with the details from the call filled in; the agent goes on
    with the returned session (POST /api/chat with its session_id)."""
    from assistant.common.forms import is_form_subject

    assistant = runtime_of(request).assistant
    if not is_form_subject(assistant.kb, body.service_id):
        raise refuse(404, "service_not_found.on_behalf", field="service_id")
    caller = {k.value: v for k, v in body.caller.items()}
    if body.transcript:
        caller = {d.name: d.value for d in _copilot(request).caller_details(body.transcript)} | caller
    turn = assistant.start_on_behalf(body.service_id, caller, user.username)
    _orders(request).audit.record(user.username, Action.APPLY_ON_BEHALF, call_object(None),
                                  {"service": body.service_id, "fields": sorted(caller)})
    return turn.model_dump(mode="json")
