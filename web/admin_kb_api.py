"""The operator API behind the dashboard's improvement loop: the labelling queue, knowledge-base
edits with their history and rollback, the background rebuild, and follow-ups of bad ratings.

Every endpoint is admin-only (AdminDep).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from assistant.common.messages import Messages
from assistant.insight.followups import MAX_NOTE_CHARS, FollowUp, FollowUpNotFound, FollowUps
from assistant.insight.kb_edits import EditRecord, KbEditLog
from assistant.insight.labelling import LabelQueue, QueuedQuery, QueueReason
from assistant.insight.rebuild_jobs import RebuildJob, RebuildRunning
from assistant.privacy.audit import Action
from knowledge.base import KnowledgeBase
from knowledge.overlay import MAX_ANSWER_CHARS, MAX_EDIT_CHARS, EditAction, EditKind, EditRefused, KbEdit
from web.access import Access, allow
from web.errors import ApiException
from web.models import ApiError, StrictRequest
from web.rebuild import Rebuilder
from web.runtime import runtime_of, services_of
from web.staff_routes import AdminDep

ERRORS_FILE = Path(__file__).resolve().parent / "data" / "admin_errors.yaml"
_CONFLICTS = {"already_present", "already_rolled_back", "rebuild_running"}
_MISSING = {"edit_not_found", "query_not_found", "followup_not_found", "unknown_service"}

router = APIRouter(prefix="/api/admin", dependencies=[allow(Access.admin)],  # every route here: admins only
                   responses={401: {"model": ApiError}, 403: {"model": ApiError}})


@cache
def _messages() -> Messages:
    return Messages.load(ERRORS_FILE)


def refused(code: str) -> ApiException:
    status = 409 if code in _CONFLICTS else 404 if code in _MISSING else 400
    return ApiException(status, ApiError(code=code, message=_messages()(code)))


# --- response and request models -------------------------------------------------------------------

class Candidate(BaseModel):
    id: str
    name: str


class QueueItem(BaseModel):
    id: int
    text: str
    reason: str
    decision: str | None
    confidence: float | None
    candidates: list[Candidate] = Field(description="the router's guesses, best first; none below the guess floor")
    guess: Candidate | None = Field(description="what the labelling form is pre-filled with: the best guess, if any")
    at: datetime
    labelled: str | None


class LabelRequest(StrictRequest):
    target: str = Field(min_length=1, max_length=64, description='a service or bundle id, or "out_of_scope"')


class FaqEntry(BaseModel):
    question: str
    answer: str


class EditableService(BaseModel):
    id: str
    name: str
    aliases: list[str]
    utterances: list[str]
    faq: list[FaqEntry]


class EditRequest(StrictRequest):
    service_id: str = Field(default="", max_length=64)
    kind: EditKind
    action: EditAction
    value: str = Field(default="", max_length=MAX_EDIT_CHARS, description="alias, utterance, or the FAQ question")
    question: str = Field(default="", max_length=MAX_EDIT_CHARS)
    answer: str = Field(default="", max_length=MAX_ANSWER_CHARS)


class EditView(BaseModel):
    id: int
    actor: str
    at: datetime
    service_id: str
    kind: str
    action: str
    summary: str
    rolled_back: bool


class RebuildView(BaseModel):
    state: Literal["idle", "running", "done", "failed"]
    stage: str = ""
    progress: float = 0.0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    kb_version: int  # the version the rebuild includes (idle: the latest edit)
    served_version: int  # the version this worker serves now
    pending_edits: bool  # edits made since the version served
    error: str | None = None


class TranscriptLine(BaseModel):
    role: Literal["user", "assistant"]
    text: str


class FollowUpView(BaseModel):
    id: int
    rating: int
    comment: str
    subject_name: str | None
    application_number: str | None
    at: datetime
    status: Literal["open", "closed"]
    note: str
    closed_by: str | None
    transcript: list[TranscriptLine]


class CloseRequest(StrictRequest):
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


# --- dependencies ------------------------------------------------------------------------------------

def _edits(request: Request) -> KbEditLog:
    return services_of(request).kb_edits


def _queue(request: Request) -> LabelQueue:
    return services_of(request).label_queue


def _rebuilder(request: Request) -> Rebuilder:
    return request.app.state.rebuilder


def _followups(request: Request) -> FollowUps:
    return services_of(request).followups


def _kb(request: Request) -> KnowledgeBase:
    return runtime_of(request).kb


EditsDep = Annotated[KbEditLog, Depends(_edits)]
QueueDep = Annotated[LabelQueue, Depends(_queue)]
RebuilderDep = Annotated[Rebuilder, Depends(_rebuilder)]
FollowUpsDep = Annotated[FollowUps, Depends(_followups)]
KbDep = Annotated[KnowledgeBase, Depends(_kb)]


def _name(kb: KnowledgeBase, item_id: str | None) -> str | None:
    item = kb.find(item_id) if item_id else None
    return None if item is None else getattr(item, "name", None) or getattr(item, "title", item_id)


def _queue_item(kb: KnowledgeBase, q: QueuedQuery) -> QueueItem:
    candidates = [Candidate(id=c, name=_name(kb, c) or c) for c in q.candidates if kb.find(c) is not None]
    return QueueItem(id=q.id, text=q.text, reason=q.reason.value, decision=q.decision, confidence=q.confidence,
                     candidates=candidates, guess=candidates[0] if candidates else None, at=q.at, labelled=q.labelled)


def _edit_view(record: EditRecord) -> EditView:
    e = record.edit
    return EditView(id=record.id, actor=record.actor, at=record.at, service_id=e.service_id, kind=e.kind.value,
                    action=e.action.value, summary=record.summary, rolled_back=record.rolled_back)


# --- the labelling queue ------------------------------------------------------------------------------

@router.get("/queue", response_model=list[QueueItem])
def queue(_: AdminDep, items: QueueDep, kb: KbDep, reason: QueueReason = QueueReason.all,
          include_labelled: bool = True) -> list[QueueItem]:
    """Messages not routed, routed with low confidence, or from a badly rated conversation; newest first."""
    return [_queue_item(kb, q) for q in items.items(reason, include_labelled)]


@router.post("/queue/{item_id}/label", response_model=QueueItem, responses={404: {"model": ApiError}})
def label(item_id: int, body: LabelRequest, user: AdminDep, items: QueueDep, kb: KbDep) -> QueueItem:
    """Say which service a message meant (or `out_of_scope`); it becomes a training example."""
    try:
        return _queue_item(kb, items.label(item_id, body.target, user.username, kb))
    except EditRefused as refusal:
        raise refused(refusal.code) from None


# --- knowledge-base edits -----------------------------------------------------------------------------

@router.get("/kb/services/{service_id}", response_model=EditableService, responses={404: {"model": ApiError}})
def editable_service(service_id: str, _: AdminDep, kb: KbDep) -> EditableService:
    """A guide's aliases, example utterances and FAQ as the assistant serves them now."""
    item = kb.services.get(service_id) or kb.bundles.get(service_id)
    if item is None:
        raise refused("unknown_service")
    return EditableService(id=item.id, name=item.name, aliases=item.aliases, utterances=item.utterances,
                           faq=[FaqEntry(question=f.q, answer=f.a) for f in item.faq])


@router.post("/kb/edits", response_model=EditView, status_code=201,
             responses={400: {"model": ApiError}, 404: {"model": ApiError}, 409: {"model": ApiError}})
def add_edit(body: EditRequest, user: AdminDep, edits: EditsDep, kb: KbDep) -> EditView:
    """Add or remove an alias, an example utterance, a FAQ entry or an out-of-scope example.

    It is recorded at once and goes live with the next rebuild.
    """
    value = body.question if body.kind is EditKind.faq else body.value
    if body.kind is EditKind.out_of_scope and body.service_id:
        raise refused("unknown_service")
    edit = KbEdit(kind=body.kind, action=body.action, service_id=body.service_id, value=value, answer=body.answer)
    try:
        return _edit_view(edits.add(user.username, edit, kb))
    except EditRefused as refusal:
        raise refused(refusal.code) from None


@router.get("/kb/edits", response_model=list[EditView])
def edit_history(_: AdminDep, edits: EditsDep) -> list[EditView]:
    """Every edit, newest first: who, when, what, and whether it was rolled back."""
    return [_edit_view(r) for r in edits.history()]


@router.post("/kb/edits/{edit_id}/rollback", response_model=EditView,
             responses={404: {"model": ApiError}, 409: {"model": ApiError}})
def rollback(edit_id: int, user: AdminDep, edits: EditsDep) -> EditView:
    try:
        return _edit_view(edits.rollback(user.username, edit_id))
    except EditRefused as refusal:
        raise refused(refusal.code) from None


# --- rebuild ------------------------------------------------------------------------------------------

def _rebuild_view(job: RebuildJob | None, request: Request, edits: KbEditLog) -> RebuildView:
    served = runtime_of(request).kb_version
    latest = edits.version()
    if job is None:
        return RebuildView(state="idle", kb_version=latest, served_version=served, pending_edits=latest > served)
    return RebuildView(state=job.state, stage=job.stage, progress=job.progress, started_at=job.started_at,  # type: ignore[arg-type]
                       finished_at=job.finished_at, kb_version=job.kb_version, served_version=served,
                       pending_edits=latest > served, error=job.error)


@router.post("/rebuild", response_model=RebuildView, status_code=202, responses={409: {"model": ApiError}})
def rebuild(request: Request, user: AdminDep, rebuilder: RebuilderDep, edits: EditsDep) -> RebuildView:
    """Rebuild the index with the edits in the background; the new one is swapped in when ready."""
    try:
        job = rebuilder.start(user.username)
    except RebuildRunning:
        raise refused("rebuild_running") from None
    return _rebuild_view(job, request, edits)


@router.get("/rebuild", response_model=RebuildView)
def rebuild_status(request: Request, _: AdminDep, rebuilder: RebuilderDep, edits: EditsDep) -> RebuildView:
    return _rebuild_view(rebuilder.latest(), request, edits)


# --- follow-ups of bad ratings ------------------------------------------------------------------------

def _follow_up_view(kb: KnowledgeBase, f: FollowUp) -> FollowUpView:
    return FollowUpView(id=f.id, rating=f.rating, comment=f.comment, subject_name=_name(kb, f.subject_id),
                        application_number=f.application_number, at=f.at, status=f.status, note=f.note,
                        closed_by=f.closed_by, transcript=[TranscriptLine(role=line.role, text=line.text) for line in f.transcript])


@router.get("/followups", response_model=list[FollowUpView])
def followups(request: Request, user: AdminDep, book: FollowUpsDep, kb: KbDep,
              status: Literal["open", "closed"] | None = None) -> list[FollowUpView]:
    """Ratings of 2 or less, newest first, each with the conversation (masked)."""
    items = [_follow_up_view(kb, f) for f in book.list(status)]
    # Conversations are masked, but reading them is still an access to citizens' data: audited.
    services_of(request).audit.record(user.username, Action.VIEW, "followups", {"count": len(items)})
    return items


@router.post("/followups/{follow_up_id}/close", response_model=FollowUpView, responses={404: {"model": ApiError}})
def close_followup(follow_up_id: int, body: CloseRequest, user: AdminDep, book: FollowUpsDep, kb: KbDep) -> FollowUpView:
    try:
        return _follow_up_view(kb, book.close(follow_up_id, user.username, body.note))
    except FollowUpNotFound:
        raise refused("followup_not_found") from None
