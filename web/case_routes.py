"""A citizen follows their own cases and conversation: GET /api/cases/{number} (an application GA… or a
12345 work order WO…, one view for both) and GET /api/conversation (the conversation so far, for a
reloaded page, with the longest message the chat takes)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field

from assistant.cases.numbers import WORK_ORDER_NUMBERS
from web.access import Access, allow
from web.case_gate import PhoneLast4, case_gate, not_found
from web.limits import limit
from web.models import MAX_MESSAGE_CHARS, ApiError, ApplicationStatusView, ChatTurn, SessionToken
from web.routes import AssistantDep, KbDep, application_view, card_for, owner_key
from web.session_token import SESSION_HEADER, CarriedToken
from web.staff_routes import staff_of

router = APIRouter(prefix="/api", dependencies=[allow(Access.public)])


class CaseStatusView(ApplicationStatusView):
    """An application's progress, or a work order's: `service` is the order's category, `expected_date`
    the day it is due to be resolved, `fields` its caller's details (masked, for the conversation that
    filed it only); a work order has no members or materials to bring."""

    kind: Literal["application", "work_order"]
    type_label: str | None = Field(default=None, description="a work order's type: 咨询, 求助, 投诉, 举报, 建议")


class ConversationLine(BaseModel):
    role: Literal["user", "assistant"]
    text: str


class ConversationSoFar(BaseModel):
    max_message_chars: int = Field(description="the longest message POST /api/chat takes (the page holds its input to it)")
    lines: list[ConversationLine] = Field(description="the conversation as its owner saw it, oldest first; empty without one")
    turn: ChatTurn | None = Field(description="where it stands: the last reply with its quick replies, the form, the read-back")


@router.get("/cases/{number}", response_model=CaseStatusView,
            responses={403: {"model": ApiError}, 404: {"model": ApiError}, 429: {"model": ApiError}})
def case(number: str, request: Request, assistant: AssistantDep, token: CarriedToken,
         phone_last4: PhoneLast4 = None) -> CaseStatusView:
    """Progress of an application (GA…) or a 12345 work order (WO…). The conversation that filed it sees
    its personal fields (masked) too; anyone else needs `phone_last4`, the last four digits of the phone
    given with it (403 second_factor_required without them; 404 for a wrong one or an unknown number,
    alike; 429 after too many wrong ones), and sees the status without personal fields. Staff see all."""
    user = staff_of(request)
    if user is None:  # signed-in agents share their office's address; they are not counted
        limit(request)
    number, session = number.strip().upper(), owner_key(assistant, token)
    if user is None:
        case_gate(request, number, session, phone_last4)
    if not number.startswith(WORK_ORDER_NUMBERS.prefix):
        view = assistant.book.get(number, session, staff=user.username if user else None)
        if view is None:
            raise not_found()
        return CaseStatusView(kind="application", **application_view(view).model_dump())
    order = assistant.orders.public(number)
    if order is None:
        raise not_found()
    own = assistant.orders.of_session(number, session)
    labels = assistant.orders.labels.caller_fields
    return CaseStatusView(
        kind="work_order", number=order.number, service=order.category or order.type_label, type_label=order.type_label,
        dept=order.dept, status=order.status.value, status_label=order.status_label, created_at=order.created_at,
        expected_date=order.resolve_due.date(), deferred_materials=[], members=[],
        fields=None if own is None else {labels[f]: v for f, v in own.caller.items()},
    )


@router.get("/conversation", response_model=ConversationSoFar, responses={429: {"model": ApiError}})
def conversation(request: Request, assistant: AssistantDep, kb: KbDep,
                 token: Annotated[SessionToken | None, Header(alias=SESSION_HEADER)] = None) -> ConversationSoFar:
    """The conversation so far and where it stands, for the page to show again after a reload; with or
    without one, the longest message the chat takes. Only the X-Session-Token header names it, never the
    cookie: the tab that held the conversation shows it again, a new window on a shared computer does
    not show the last person's."""
    limit(request, token)
    kept = assistant.conversation(token) if token else None
    if kept is None:
        return ConversationSoFar(max_message_chars=MAX_MESSAGE_CHARS, lines=[], turn=None)
    return ConversationSoFar(
        max_message_chars=MAX_MESSAGE_CHARS,
        lines=[ConversationLine(role=line.role, text=line.text) for line in kept.lines],
        turn=ChatTurn(**dict(kept.turn), card=card_for(kb, kept.turn)),
    )
