"""One analytics event per dialogue turn (the operator dashboard reads them; see assistant/insight/analytics.py).

The engine builds a TurnEvent after each turn and hands it to a recorder. Texts are masked while the
event is built, so raw personal data never reaches a recorder: first every value the form holds
(a name typed as "我叫张三" becomes "我叫张*"), then ID, mobile and card numbers anywhere.

The engine hands the recorder the transaction that saves the conversation, so a turn costs one commit
(one fsync), not two; the event sits in a savepoint there, so a failed analytics row never fails the turn.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.privacy.masking import mask_text
from assistant.storage.db import writing
from assistant.storage.personal_tables import TurnEventRow

if TYPE_CHECKING:
    from intents.router import RoutingResult

Channel = Literal["text", "voice", "copilot"]
CHANNELS: tuple[Channel, ...] = ("text", "voice", "copilot")
TOP_CANDIDATES = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnEvent:
    session_id: str
    at: datetime
    channel: Channel
    state_before: str
    state_after: str
    subject_id: str | None
    text_masked: str
    reply_masked: str
    latency_ms: float
    decision: str | None = None
    confidence: float | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    application_number: str | None = None


class TurnRecorder(Protocol):
    def record(self, event: TurnEvent, session: Session | None = None) -> None:
        """Keep event; `session`: an open transaction to write it in (else the recorder opens its own)."""


def mask_known(text: str, personal: Mapping[str, str]) -> str:
    """`text` with each known personal value (raw → masked) replaced, then free-text masking."""
    for raw in sorted(personal, key=len, reverse=True):  # longest first: an address contains its district
        if raw and personal[raw] != raw:
            text = text.replace(raw, personal[raw])
    return mask_text(text)


def routing_fields(result: RoutingResult | None) -> dict[str, Any]:
    """decision, confidence and the top candidates ({id, score}) of what the router said this turn."""
    if result is None:
        return {}
    return {
        "decision": result.decision.value,
        "confidence": round(result.confidence, 4),
        "candidates": [{"id": c.id, "score": round(c.score, 4)} for c in result.candidates[:TOP_CANDIDATES]],
    }


class TurnLog:
    """Writes each event as one row of turn_events, in the request that made the turn."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, event: TurnEvent, session: Session | None = None) -> None:
        try:
            if session is None:
                with writing(self._sessions) as own:
                    _insert(own, event)
            else:
                with session.begin_nested():  # a failed row rolls back to here; the conversation's save goes on
                    _insert(session, event)
        except SQLAlchemyError:
            # Losing one analytics row must not fail the citizen's request.
            log.exception("turn event for session %s not recorded", event.session_id[:8])


def _insert(session: Session, event: TurnEvent) -> None:
    # A bulk insert of one row: none of the ORM's unit of work; the fields as they are (asdict deep-copies).
    session.execute(insert(TurnEventRow), [{name: getattr(event, name) for name in _COLUMNS}])


_COLUMNS = tuple(TurnEvent.__dataclass_fields__)
