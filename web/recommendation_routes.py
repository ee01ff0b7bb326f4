"""GET /api/recommendations (服务找人): what this conversation may do next and the policies the citizen
may be entitled to, each with its reason; the token is taken as /api/applications takes it (the
`X-Session-Token` header, else the session cookie).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from assistant.proactive.recommendation import RecommendationKind
from web.access import Access, allow
from web.errors import refuse
from web.models import ApiError
from web.routes import AssistantDep, limit, session_required
from web.session_token import CarriedToken

router = APIRouter(prefix="/api")


class RecommendationItem(BaseModel):
    id: str  # the service's or bundle's id (kind service), the policy's id (kind policy)
    name: str
    kind: RecommendationKind
    reason: str  # why, in a sentence
    can_apply: bool
    quick_reply: str | None  # send it to /api/chat to start the application (when can_apply)
    basis: str | None  # the policy and section it rests on


class Recommendations(BaseModel):
    items: list[RecommendationItem]  # services that usually follow first, then policies


@router.get("/recommendations", dependencies=[allow(Access.citizen)], response_model=Recommendations,
            responses={401: {"model": ApiError}, 404: {"model": ApiError}, 429: {"model": ApiError}})
def recommendations(request: Request, assistant: AssistantDep, token: CarriedToken) -> Recommendations:
    """Follow-ups of what this session applied for, and policies matched to what it said and applied for."""
    session_id = token
    if not session_id:
        raise session_required()  # 401: no credentials at all (web/access.py, Access.citizen)
    key = assistant.key_of(session_id)
    state = assistant.state_of(key)
    if state is None:
        raise refuse(404, "session_not_found")
    limit(request, session_id)
    proactive = assistant.dialogue.proactive
    found = proactive.suggestions(state, key)
    return Recommendations(items=[
        RecommendationItem(id=r.id, name=r.name, kind=r.kind, reason=r.reason, can_apply=r.can_apply,
                           quick_reply=proactive.quick_reply(r), basis=r.basis)
        for r in found.all
    ])
