"""The versioned log of operators' knowledge-base edits: who changed what and when, and rollbacks.

Rows are only ever appended; a rollback is a row of its own naming the edit it cancels. The largest
row id is the knowledge-base version every worker compares with the one it serves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.common.messages import Messages
from assistant.storage.db import reading, writing
from assistant.insight.tables import KbEditRow
from knowledge.base import KnowledgeBase
from knowledge.overlay import EditAction, EditKind, EditRefused, KbEdit, apply_edits, check_edit

ROLLBACK = "rollback"
WORDING_FILE = Path(__file__).resolve().parents[1] / "data" / "kb_edits.yaml"


@lru_cache(maxsize=1)
def _wording() -> Messages:
    return Messages.load(WORDING_FILE)


class Auditor(Protocol):
    def record(self, actor: str, action: str, object: str, detail: str) -> object: ...  # (the result is unused)


@dataclass(frozen=True)
class EditRecord:
    id: int
    actor: str
    at: datetime
    edit: KbEdit
    rolled_back: bool

    @property
    def summary(self) -> str:
        e, say = self.edit, _wording()
        return say(e.action.value, kind=say(e.kind.value), value=e.value)


class KbEditLog:
    def __init__(self, sessions: sessionmaker[Session], audit: Auditor | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._audit = audit
        self._clock = clock

    def add(self, actor: str, edit: KbEdit, base: KnowledgeBase) -> EditRecord:
        """Record an edit after checking it against base with the edits already in force applied."""
        check_edit(apply_edits(base, self.in_force()), edit)
        with writing(self._sessions) as session:
            row = KbEditRow(actor=actor, at=self._clock(), kind=edit.kind.value, action=edit.action.value,
                            service_id=edit.service_id, value=edit.value.strip(), answer=edit.answer.strip())
            session.add(row)
            session.flush()
            record = EditRecord(row.id, actor, row.at, edit, False)
        self._audited(actor, "kb_edit", record)
        return record

    def rollback(self, actor: str, edit_id: int) -> EditRecord:
        with writing(self._sessions) as session:
            target = session.get(KbEditRow, edit_id)
            if target is None or target.kind == ROLLBACK:
                raise EditRefused("edit_not_found")
            if session.scalar(select(KbEditRow.id).where(KbEditRow.rolls_back == edit_id)) is not None:
                raise EditRefused("already_rolled_back")
            session.add(KbEditRow(actor=actor, at=self._clock(), kind=ROLLBACK, action="", rolls_back=edit_id))
            record = EditRecord(target.id, target.actor, target.at, _edit_of(target), True)
        self._audited(actor, "kb_rollback", record)
        return record

    def history(self, upto: int | None = None) -> list[EditRecord]:
        """Every edit (up to version `upto`), newest first, with whether it was rolled back by then."""
        query = select(KbEditRow).order_by(KbEditRow.id.desc())
        if upto is not None:
            query = query.where(KbEditRow.id <= upto)
        with reading(self._sessions) as session:
            rows = session.scalars(query).all()
        cancelled = {r.rolls_back for r in rows if r.kind == ROLLBACK}
        return [EditRecord(r.id, r.actor, r.at, _edit_of(r), r.id in cancelled) for r in rows if r.kind != ROLLBACK]

    def in_force(self, upto: int | None = None) -> list[KbEdit]:
        """The edits to apply at version `upto` (default: the latest), oldest first."""
        return [r.edit for r in reversed(self.history(upto)) if not r.rolled_back]

    def version(self) -> int:
        with reading(self._sessions) as session:
            return session.scalar(select(func.max(KbEditRow.id))) or 0

    def _audited(self, actor: str, action: str, record: EditRecord) -> None:
        if self._audit is not None:
            self._audit.record(actor, action, f"kb:{record.edit.service_id or 'out_of_scope'}", f"#{record.id} {record.summary}")


def _edit_of(row: KbEditRow) -> KbEdit:
    return KbEdit(kind=EditKind(row.kind), action=EditAction(row.action), service_id=row.service_id,
                  value=row.value, answer=row.answer)
