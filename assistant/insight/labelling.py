"""The queue of messages the assistant handled badly, and operators' labels for them.

A message is queued when the router found nothing (out of scope), was unsure (asked to clarify, or
routed below the confidence floor), or when its conversation got a bad rating. A label names the
service it meant, or says it is not ours; either becomes a training example — an example utterance of
that service, or an out-of-scope example — through the versioned edit log, live after a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.insight.followups import BAD_RATING
from assistant.insight.kb_edits import KbEditLog
from assistant.storage.db import reading, writing
from assistant.insight.tables import QueryLabelRow
from assistant.storage.personal_tables import FeedbackRow, TurnEventRow
from knowledge.base import KnowledgeBase
from knowledge.overlay import EditAction, EditKind, EditRefused, KbEdit

OUT_OF_SCOPE = "out_of_scope"
LOW_CONFIDENCE = 0.6  # routed, but below this the operators should look
# Below this confidence the router's candidates are not offered as a guess: one click on a pre-filled
# wrong guess teaches the router the mistake. The confidence is calibrated (P(top candidate right)); on
# routing_dev + routing_tune (825 messages) the top candidate was right 2 times in 127 below 0.5 and
# 4 in 7 from 0.5 to 0.6 (`python -m eval.guess_floor`, docs/improving.md).
GUESS_FLOOR = 0.5
QUEUE_LIMIT = 200


class QueueReason(str, Enum):
    unrouted = "unrouted"
    low_confidence = "low_confidence"
    bad_rating = "bad_rating"
    all = "all"


@dataclass(frozen=True)
class QueuedQuery:
    id: int  # the turn event's id
    text: str  # masked
    reason: QueueReason
    decision: str | None
    confidence: float | None
    candidates: list[str]  # ids, best first: the router's guesses, empty when it was below GUESS_FLOOR
    at: datetime
    labelled: str | None


class LabelQueue:
    def __init__(self, sessions: sessionmaker[Session], edits: KbEditLog,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._edits = edits
        self._clock = clock

    def items(self, reason: QueueReason = QueueReason.all, include_labelled: bool = True,
              limit: int = QUEUE_LIMIT) -> list[QueuedQuery]:
        query = self._query(reason)
        if not include_labelled:
            query = query.where(QueryLabelRow.target.is_(None))
        with reading(self._sessions) as session:
            rows = session.execute(query.order_by(TurnEventRow.id.desc()).limit(limit)).all()
        return [self._item(event, target, bad) for event, target, bad in rows]

    def label(self, turn_event_id: int, target: str, actor: str, kb: KnowledgeBase) -> QueuedQuery:
        """Label a queued message; relabelling cancels the example the earlier label added."""
        if target != OUT_OF_SCOPE and target not in kb.services and target not in kb.bundles:
            raise EditRefused("unknown_service")
        with reading(self._sessions) as session:
            event = session.get(TurnEventRow, turn_event_id)
            earlier = session.get(QueryLabelRow, turn_event_id)
            if event is None or not event.text_masked.strip():
                raise EditRefused("query_not_found")
            text = event.text_masked
        if earlier is not None and earlier.kb_edit_id is not None:
            with suppress(EditRefused):  # an operator already rolled it back from the edit history
                self._edits.rollback(actor, earlier.kb_edit_id)
        edit = (KbEdit(kind=EditKind.out_of_scope, action=EditAction.add, value=text) if target == OUT_OF_SCOPE
                else KbEdit(kind=EditKind.utterance, action=EditAction.add, service_id=target, value=text))
        try:
            edit_id: int | None = self._edits.add(actor, edit, kb).id
        except EditRefused as refused:
            if refused.code != "already_present":
                raise
            edit_id = None  # the example is already there (another message said the same)
        with writing(self._sessions) as session:
            row = session.get(QueryLabelRow, turn_event_id)
            if row is None:
                row = QueryLabelRow(turn_event_id=turn_event_id)
                session.add(row)
            row.target, row.actor, row.at, row.kb_edit_id = target, actor, self._clock(), edit_id
        with reading(self._sessions) as session:
            event, target, bad = session.execute(self._query(QueueReason.all, with_any=True)
                                                 .where(TurnEventRow.id == turn_event_id)).one()
        return self._item(event, target, bad)

    def _query(self, reason: QueueReason, with_any: bool = False) -> Select:
        """The queue's rows for reason; with_any: every message, queued or not (to read one back)."""
        bad_session = select(FeedbackRow.session_id).where(FeedbackRow.rating <= BAD_RATING)
        unrouted = TurnEventRow.decision == "none"
        unsure = or_(TurnEventRow.decision == "clarify",
                     and_(TurnEventRow.decision.in_(("route", "answer")), TurnEventRow.confidence < LOW_CONFIDENCE))
        bad = and_(TurnEventRow.decision.is_not(None), TurnEventRow.session_id.in_(bad_session))
        wanted = {QueueReason.unrouted: unrouted, QueueReason.low_confidence: unsure, QueueReason.bad_rating: bad,
                  QueueReason.all: or_(unrouted, unsure, bad)}[reason]
        return (select(TurnEventRow, QueryLabelRow.target, bad.label("bad"))
                .outerjoin(QueryLabelRow, QueryLabelRow.turn_event_id == TurnEventRow.id)
                .where(TurnEventRow.text_masked != "", *([] if with_any else [wanted])))

    @staticmethod
    def _item(event: TurnEventRow, target: str | None, bad: bool) -> QueuedQuery:
        if event.decision == "none":
            reason = QueueReason.unrouted
        elif bad:
            reason = QueueReason.bad_rating
        else:
            reason = QueueReason.low_confidence
        sure_enough = event.confidence is not None and event.confidence >= GUESS_FLOOR
        return QueuedQuery(id=event.id, text=event.text_masked, reason=reason, decision=event.decision,
                           confidence=event.confidence,
                           candidates=[c["id"] for c in event.candidates] if sure_enough else [],
                           at=event.at, labelled=target)
