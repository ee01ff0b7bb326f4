"""The JSON API: chat, guides, search, application progress and feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.requests import HTTPConnection

from assistant.cases.applications import ApplicationView
from assistant.dialogue.engine import Assistant
from assistant.dialogue.turn import Turn
from assistant.insight.feedback import FeedbackBook
from assistant.privacy.session_keys import SessionKey
from intents.router import Router
from knowledge.base import KnowledgeBase
from knowledge.models import Service
from knowledge.render import render_guide
from web.access import Access, allow
from web.case_gate import PhoneLast4, case_gate, not_found
from web.cookies import set_private_cookie
from web.errors import ApiException, refuse
from web.limits import limit
from web.models import (
    ApiError,
    ApplicationMember,
    ApplicationStatusView,
    ChatRequest,
    ChatTurn,
    FeedbackRequest,
    FeedbackSaved,
    Health,
    Passage,
    SearchCandidate,
    SearchResult,
    ServiceCard,
    ServiceGuide,
    ServiceSummary,
)
from web.runtime import runtime_of, services_of
from web.session_token import SESSION_COOKIE, CarriedToken, session_token
from web.staff_routes import staff_of

MAX_QUERY_CHARS = 200

router = APIRouter(prefix="/api")


def _kb(request: Request) -> KnowledgeBase:
    return runtime_of(request).kb


def _assistant(request: Request) -> Assistant:
    return runtime_of(request).assistant


def _router(request: Request) -> Router:
    return runtime_of(request).router


def _feedback(request: Request) -> FeedbackBook:
    return services_of(request).feedback


KbDep = Annotated[KnowledgeBase, Depends(_kb)]
AssistantDep = Annotated[Assistant, Depends(_assistant)]
RouterDep = Annotated[Router, Depends(_router)]
FeedbackDep = Annotated[FeedbackBook, Depends(_feedback)]


def resolve_session(assistant: Assistant, given: str | None, conn: HTTPConnection) -> str:
    """The conversation a request belongs to: the token it names (`given`, else the X-Session-Token
    header), else its cookie, else a new one.

    An unknown token named explicitly is refused (never adopted: a client cannot choose its token); an
    unknown cookie (a conversation since removed) starts a new conversation.
    """
    named = session_token(conn, given, cookie=False)
    if named is not None:
        if not assistant.has_session(named):
            raise refuse(404, "session_not_found", field="session_id")
        return named
    cookie = session_token(conn)
    if cookie and assistant.has_session(cookie):
        return cookie
    return assistant.new_session()


def session_required() -> ApiException:
    """The answer of an Access.citizen route to a request that carries no session token at all."""
    return refuse(401, "session_required")


def citizen_session(assistant: Assistant, given: str | None, request: Request) -> str:
    """The conversation a citizen-only request acts for: the token it names (body or query), else the
    X-Session-Token header, else the cookie. No token at all: 401; a token with no conversation: 404."""
    token = session_token(request, given)
    if not token:
        raise session_required()
    if not assistant.has_session(token):
        raise refuse(404, "session_not_found", field="session_id")
    return token


def owner_key(assistant: Assistant, token: str | None) -> SessionKey | None:
    """The stored key of the conversation a lookup names (None: it names none), for the books' owner checks."""
    return assistant.key_of(token) if token else None


def card_for(kb: KnowledgeBase, turn: Turn) -> ServiceCard | None:
    service = kb.services.get(turn.service.id) if turn.service else None
    if not isinstance(service, Service):
        return None
    return ServiceCard(id=service.id, name=service.name, dept=service.dept, materials=[m.name for m in service.materials],
                       time_limit=service.time_limit.text, fee=service.fee.text)


@router.post("/chat", dependencies=[allow(Access.public)], response_model=ChatTurn,
             responses={400: {"model": ApiError}, 404: {"model": ApiError}, 409: {"model": ApiError}, 429: {"model": ApiError}})
def chat(body: ChatRequest, request: Request, assistant: AssistantDep, kb: KbDep) -> Response:
    """One message in, one Turn out. Without a session_id (or cookie) a new conversation starts.

    409 conversation_busy (with Retry-After): other messages of this conversation kept it busy; this
    one was not applied. Send it again after Retry-After seconds under the same message_id."""
    if not body.text.strip():
        raise refuse(400, "empty_message", field="text")
    session_id = resolve_session(assistant, body.session_id, request)
    agent = staff_of(request)
    if agent is None:  # signed-in agents share their office's address; they are not counted
        limit(request, session_id)
    # A signed-in agent going on with a caller's session (代办 from /copilot) counts as the copilot channel.
    turn = assistant.handle(session_id, body.text, "copilot" if agent else "text", message_id=body.message_id,
                            elder=body.elder)
    reply = ChatTurn(**dict(turn), card=card_for(kb, turn))
    # Serialised once, here: a returned model would be validated against ChatTurn again, then dumped.
    response = Response(reply.model_dump_json(), media_type="application/json")
    set_private_cookie(request, response, SESSION_COOKIE, session_id, max_age=7 * 24 * 3600)
    return response


@router.get("/health", dependencies=[allow(Access.public)], response_model=Health)
def health(kb: KbDep, routes: RouterDep, request: Request) -> Health:
    return Health(status="ok", services=len(kb.services), bundles=len(kb.bundles), policies=len(kb.policies),
                  voice=services_of(request).recogniser.available, signals=routes.signals)


@router.get("/services", dependencies=[allow(Access.public)], response_model=list[ServiceSummary])
def services(kb: KbDep) -> list[ServiceSummary]:
    own = [ServiceSummary(id=s.id, name=s.name, kind=s.kind.value, dept=s.dept) for s in kb.services.values()]
    imported = [ServiceSummary(id=i.id, name=i.name, kind=i.kind, dept=i.dept) for i in kb.imported.values()]
    return own + imported


@router.get("/services/{service_id}", dependencies=[allow(Access.public)], response_model=ServiceGuide, responses={404: {"model": ApiError}})
def service(service_id: str, kb: KbDep) -> ServiceGuide:
    item = kb.services.get(service_id) or kb.imported.get(service_id)
    if item is None:
        raise refuse(404, "service_not_found")
    kind = getattr(item.kind, "value", item.kind)  # ServiceKind for our guides, a plain str when imported
    return ServiceGuide(id=item.id, name=item.name, kind=kind, dept=item.dept, guide=render_guide(kb, item))


@router.get("/search", dependencies=[allow(Access.public)], response_model=SearchResult, responses={400: {"model": ApiError}})
def search(q: str, request: Request, routes: RouterDep) -> SearchResult:
    """Routing candidates for a query and the policy passages that answer it."""
    if not q.strip() or len(q) > MAX_QUERY_CHARS:
        raise refuse(400, "bad_query", field="q", max_chars=MAX_QUERY_CHARS)
    limit(request)
    result = routes.route(q)
    return SearchResult(
        query=q, decision=result.decision.value,
        candidates=[SearchCandidate(id=c.id, name=c.name, type=c.type, score=round(c.score, 4)) for c in result.candidates],
        passages=[Passage(id=p.target_id, text=p.text, source=p.source, score=round(p.score, 4)) for p in routes.passages(q)],
    )


@router.get("/applications/{number}", dependencies=[allow(Access.public)], response_model=ApplicationStatusView,
            responses={403: {"model": ApiError}, 404: {"model": ApiError}, 429: {"model": ApiError}})
def application(number: str, request: Request, assistant: AssistantDep, token: CarriedToken,
                phone_last4: PhoneLast4 = None) -> ApplicationStatusView:
    """Progress of an application; its (masked) personal fields only for the session that applied, or staff.
    Anyone else needs `phone_last4` (see GET /api/cases/{number}, which answers for 12345 work orders too)."""
    user = staff_of(request)  # a staff member's view is recorded in the audit log
    number = number.strip().upper()
    key = owner_key(assistant, token)
    if user is None:  # signed-in agents share their office's address; they are not counted
        limit(request)
        case_gate(request, number, key, phone_last4)
    view = assistant.book.get(number, key, staff=user.username if user else None)
    if view is None:
        raise not_found()
    return application_view(view)


def application_view(view: ApplicationView) -> ApplicationStatusView:
    members = [ApplicationMember(number=m.number, service=m.subject_name, dept=m.dept, status=m.status.value,
                                 status_label=m.status_label, expected_date=m.expected_date) for m in view.members]
    return ApplicationStatusView(
        number=view.number, service=view.subject_name, dept=view.dept, status=view.status.value,
        status_label=view.status_label, created_at=view.created_at, expected_date=view.expected_date,
        deferred_materials=list(view.deferred_materials), members=members, fields=view.fields,
    )


@router.post("/feedback", dependencies=[allow(Access.citizen)], response_model=FeedbackSaved, status_code=201,
             responses={401: {"model": ApiError}, 403: {"model": ApiError}, 404: {"model": ApiError}, 429: {"model": ApiError}})
def feedback(body: FeedbackRequest, request: Request, assistant: AssistantDep, book: FeedbackDep) -> FeedbackSaved:
    """好差评: a 1–5 rating with an optional comment, for the conversation it rates."""
    session_id = citizen_session(assistant, body.session_id, request)
    limit(request, session_id)
    key = assistant.key_of(session_id)
    if body.application:  # only the case's own conversation, or someone who knows its phone, rates it
        case_gate(request, body.application, key, body.phone_last4)
    return FeedbackSaved(id=book.rate(key, body.rating, body.comment, body.application))
