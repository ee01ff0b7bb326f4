"""转人工 over HTTP: the citizen's page polls its handoff for the agent's messages; staff see the queue,
take a case, write to the citizen, and hand back or turn the case into a work order or a 代办.

Turning a case into a work order or a 代办 calls the copilot's own routes (web/staff_api.py), with the
caller's details from the conversation: the same checks, audit and idempotency as from a call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from assistant.cases.handoff_queue import HandoffCase, NotYourCase
from assistant.cases.workorder_status import CallerField, Urgency, WorkOrderType
from assistant.dialogue.states import State
from assistant.privacy.audit import Action
from assistant.staff.handoff_desk import CaseView, HandoffDesk, Line
from web.access import Access, allow
from web.errors import ApiException, refuse
from web.limits import limit
from web.models import ApiError, CleanText, FilledText, StrictRequest
from web.routes import citizen_session
from web.runtime import runtime_of, services_of
from web.staff_api import OnBehalfRequest, WorkOrderRequest, apply_on_behalf, create_order
from web.staff_routes import StaffDep

MAX_AGENT_MESSAGE_CHARS = 2000

citizen = APIRouter(prefix="/api")
staff = APIRouter(prefix="/api/handoffs", dependencies=[allow(Access.staff)])  # every route here: staff only


class FeedMessage(BaseModel):
    id: int
    sender: str  # agent | assistant
    work_number: str | None  # the agent's 工号 (never their name)
    text: str
    at: datetime


class HandoffFeed(BaseModel):
    status: str  # none | waiting | taken
    position: int | None  # place in the queue while waiting
    work_number: str | None  # the agent who took it
    messages: list[FeedMessage]
    cursor: int  # ask with since=cursor next time
    # Nobody took it in the set time: what to tell the citizen (once), and the quick replies to offer.
    notice: str = ""
    suggestions: list[str] = []


class AgentMessage(StrictRequest):
    text: FilledText = Field(min_length=1, max_length=MAX_AGENT_MESSAGE_CHARS)


class CaseOrderRequest(StrictRequest):
    type: WorkOrderType = WorkOrderType.help
    summary: FilledText = Field(min_length=1, max_length=2000)
    category: CleanText = Field(default="", max_length=64)
    dept: CleanText = Field(default="", max_length=64)
    urgency: Urgency = Urgency.normal


class CaseApplyRequest(StrictRequest):
    service_id: str | None = Field(default=None, max_length=64)  # default: the service the conversation is about


def _desk(request: Request) -> HandoffDesk:
    return HandoffDesk(runtime_of(request).assistant)


def _work_number(request: Request, user) -> str:
    return services_of(request).work_numbers.of(user.id)


def line_json(line: Line) -> dict[str, Any]:
    return {"id": line.id, "sender": line.sender, "text": line.text, "at": line.at.isoformat(), "work_number": line.work_number}


def case_json(view: CaseView) -> dict[str, Any]:
    return {
        "id": view.id, "reason": view.reason, "status": view.status, "created_at": view.created_at.isoformat(),
        "waited_s": view.waited_s, "work_number": view.work_number, "mine": view.mine, "service_id": view.service_id,
        "service": view.service, "dept": view.dept, "state": view.state, "slots": [{"label": k, "value": v} for k, v in view.slots],
        "transcript": [line_json(line) for line in view.transcript],
    }


def _missing() -> ApiException:
    return refuse(404, "handoff_not_found")


def _not_yours() -> ApiException:
    return refuse(409, "handoff_not_yours")


def _held(request: Request, handoff_id: int, user) -> HandoffCase:
    try:
        return _desk(request).queue.held(handoff_id, user.username)
    except NotYourCase:
        raise _not_yours() from None


# -- the citizen ------------------------------------------------------------------------------------------


@citizen.get("/handoff", dependencies=[allow(Access.citizen)], response_model=HandoffFeed,
             responses={401: {"model": ApiError}, 404: {"model": ApiError}, 429: {"model": ApiError}})
def handoff_feed(request: Request, since: Annotated[int, Query(ge=0)] = 0,
                 session_id: Annotated[str | None, Query(max_length=64)] = None) -> HandoffFeed:
    """The conversation's handoff: its status and place in the queue, and the messages after `since` from
    the agent (marked with their 工号) or from the assistant once the agent handed back. The page polls it
    while the conversation is with a person."""
    desk = _desk(request)
    token = citizen_session(desk.assistant, session_id, request)
    limit(request, token)  # polled every 3 s: 20 of the minute's quota, the rest left for the chat
    key = desk.assistant.key_of(token)
    status = desk.queue.status(key)
    messages, cursor = desk.citizen_feed(key, since)
    case = status.case
    say = desk.assistant.ctx.say
    overdue = case is not None and status.overdue and status.open_now
    return HandoffFeed(
        notice=say("handoff_nobody", position=status.ahead + 1) if overdue else "",
        suggestions=[say("chip_callback"), say("chip_resume")] if overdue else [],
        status="none" if case is None else case.status, position=None if case is None or status.taken else status.ahead + 1,
        work_number=case.work_number if case else None, cursor=cursor,
        messages=[FeedMessage(id=m.id, sender=m.sender, work_number=m.work_number, text=m.text, at=m.at) for m in messages],
    )


# -- staff ------------------------------------------------------------------------------------------------


@staff.get("", responses={401: {"model": ApiError}})
def cases(request: Request, user: StaffDep) -> list[dict[str, Any]]:
    """Every conversation waiting for a person or with one, longest waiting first, masked."""
    return [case_json(view) for view in _desk(request).cases(user.username)]


@staff.post("/{handoff_id}/take", responses={401: {"model": ApiError}, 404: {"model": ApiError}, 409: {"model": ApiError}})
def take(handoff_id: int, request: Request, user: StaffDep) -> dict[str, Any]:
    """Take a waiting conversation: exactly one agent gets it (409 handoff_taken for the others)."""
    desk = _desk(request)
    if desk.queue.get(handoff_id) is None:
        raise _missing()
    if not desk.queue.take(handoff_id, user.username, _work_number(request, user)):
        raise refuse(409, "handoff_taken")
    case = desk.queue.get(handoff_id)
    assert case is not None
    view = desk.view(case, user.username)  # the form so far and the conversation, masked, on the agent's screen
    desk.assistant.orders.audit.record(user.username, Action.VIEW, f"handoff:{handoff_id}", {"form": [k for k, _ in view.slots]})
    return case_json(view)


@staff.get("/{handoff_id}/messages", responses={401: {"model": ApiError}, 404: {"model": ApiError}})
def messages(handoff_id: int, request: Request, user: StaffDep, since: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """The case's messages after `since` (masked) and its status: the agent's console polls it."""
    desk = _desk(request)
    case = desk.queue.get(handoff_id)
    if case is None:
        raise _missing()
    lines = desk.lines(case, since)
    return {"status": case.status, "outcome": case.outcome, "messages": [line_json(line) for line in lines],
            "cursor": lines[-1].id if lines else since}


@staff.post("/{handoff_id}/messages", status_code=201, responses={401: {"model": ApiError}, 409: {"model": ApiError}})
def send(handoff_id: int, body: AgentMessage, request: Request, user: StaffDep) -> dict[str, Any]:
    """A message to the citizen, in their chat, marked with the agent's 工号."""
    try:
        message = _desk(request).queue.post(handoff_id, user.username, body.text)
    except NotYourCase:
        raise _not_yours() from None
    return {"id": message.id, "sender": message.sender, "work_number": message.work_number, "at": message.at.isoformat()}


def _end(request: Request, case: HandoffCase, outcome: str, number: str | None = None, name: str = "") -> dict[str, Any]:
    assistant = _desk(request).assistant
    state = assistant.state_of(case.session_id)
    if state is None or state.state is not State.handoff:
        raise _not_yours()
    turn = assistant.end_handoff(case.session_id, outcome, case.work_number or "", number, name)
    return {"reply": turn.reply, "state": turn.state.value}


@staff.post("/{handoff_id}/return", responses={401: {"model": ApiError}, 409: {"model": ApiError}})
def hand_back(handoff_id: int, request: Request, user: StaffDep) -> dict[str, Any]:
    """Back to the assistant, the form kept: the conversation resumes where it was."""
    return _end(request, _held(request, handoff_id, user), "returned")


@staff.post("/{handoff_id}/workorder", status_code=201, responses={401: {"model": ApiError}, 409: {"model": ApiError}})
def to_work_order(handoff_id: int, body: CaseOrderRequest, request: Request, user: StaffDep) -> dict[str, Any]:
    """A work order from the case (the copilot's own POST /api/workorders, with the citizen's details from
    the conversation); the citizen is given its number and the conversation goes back to the assistant."""
    case = _held(request, handoff_id, user)
    desk = _desk(request)
    caller = {CallerField(k): v for k, v in desk.caller(case).items()}
    order = create_order(WorkOrderRequest(type=body.type, summary=body.summary, category=body.category, dept=body.dept,
                                          urgency=body.urgency, subject_id=desk.view(case, user.username).service_id,
                                          caller=caller), request, user)
    return {"order": order, **_end(request, case, "workorder", number=order["number"])}


@staff.post("/{handoff_id}/apply", status_code=201, responses={401: {"model": ApiError}, 404: {"model": ApiError}, 409: {"model": ApiError}})
def to_on_behalf(handoff_id: int, body: CaseApplyRequest, request: Request, user: StaffDep) -> dict[str, Any]:
    """代办 from the case (the copilot's own POST /api/copilot/apply, with the citizen's details from the
    conversation): the agent goes on with the returned session; the citizen is told."""
    case = _held(request, handoff_id, user)
    desk = _desk(request)
    view = desk.view(case, user.username)
    service_id = body.service_id or view.service_id
    if not service_id:
        raise refuse(422, "service_required", field="service_id")
    turn = apply_on_behalf(OnBehalfRequest(service_id=service_id, caller={CallerField(k): v for k, v in desk.caller(case).items()}),
                           request, user)
    name = desk.assistant.ctx.name_of(service_id)
    return {"turn": turn, **_end(request, case, "on_behalf", name=name)}
