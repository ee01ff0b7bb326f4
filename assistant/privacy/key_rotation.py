"""Key rotation: re-encrypt every stored personal value under the current field key.

After a new key is made current (GOVASSIST_ENCRYPTION_KEY) with the old one still readable
(GOVASSIST_PREVIOUS_ENCRYPTION_KEYS), `rotate` walks every column that holds field tokens, in primary
key order and in batches of one transaction each, and rewrites each token not under the current key.
A row already under the current key is left alone, so an interrupted rotation is simply run again.
`census` counts the tokens under each key: once the old key's count is 0 it can be removed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from assistant.privacy.crypto import FieldCipher, FieldCipherError, is_token, token_key_id
from assistant.storage.db import reading, writing
from assistant.storage.personal_tables import ApplicationRow, SessionRow, WorkOrderEventRow, WorkOrderRow

BATCH = 200


@dataclass(frozen=True)
class EncryptedColumn:
    """A column whose values hold field tokens: a JSON document (stored as JSON or as JSON text)."""

    name: str
    key: InstrumentedAttribute[Any]
    column: InstrumentedAttribute[Any]
    as_text: bool  # the document is stored as JSON text (sessions.state_json), not a JSON column


# Every place a FieldCipher token is written (assistant/dialogue/session.py, assistant/cases/applications.py, assistant/cases/workorders.py).
ENCRYPTED_COLUMNS = (
    EncryptedColumn("sessions.state_json", SessionRow.id, SessionRow.state_json, as_text=True),
    EncryptedColumn("applications.values_json", ApplicationRow.id, ApplicationRow.values_json, as_text=False),
    EncryptedColumn("work_orders.caller_json", WorkOrderRow.id, WorkOrderRow.caller_json, as_text=False),
    # A bare token (or "", or a plain note written before notes were encrypted): walked as a string.
    EncryptedColumn("work_order_events.note", WorkOrderEventRow.id, WorkOrderEventRow.note, as_text=False),
)


@dataclass
class ColumnReport:
    rows: int = 0  # rows read
    rewritten: int = 0  # rows written back
    values: int = 0  # tokens re-encrypted
    unreadable: int = 0  # tokens no configured key opens (left as they are)


@dataclass
class RotationReport:
    key_id: str  # the current key every value is now under
    columns: dict[str, ColumnReport] = field(default_factory=dict)

    @property
    def unreadable(self) -> int:
        return sum(c.unreadable for c in self.columns.values())


def _walk(value: Any, change: Callable[[str], str]) -> Any:
    """The JSON value with every token string replaced by change(token)."""
    if isinstance(value, str):
        return change(value) if is_token(value) else value
    if isinstance(value, dict):
        return {k: _walk(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    return value


def _batch(session: Session, col: EncryptedColumn, after: Any, size: int, lock: bool) -> list[Any]:
    """The next `size` (key, value) rows after key `after`, in key order."""
    query = select(col.key, col.column).order_by(col.key).limit(size)
    if after is not None:
        query = query.where(col.key > after)
    return list(session.execute(query.with_for_update() if lock else query))


def rotate(factory: sessionmaker[Session], cipher: FieldCipher, batch: int = BATCH,
           progress: Callable[[str, ColumnReport], None] | None = None) -> RotationReport:
    """`progress` is called after each committed batch."""
    report = RotationReport(cipher.current_key_id)
    for col in ENCRYPTED_COLUMNS:
        counts = report.columns[col.name] = ColumnReport()

        def change(token: str) -> str:
            try:
                new = cipher.reencrypt(token)
            except FieldCipherError:
                counts.unreadable += 1  # noqa: B023 -- called only within this iteration
                return token
            counts.values += new is not token  # noqa: B023 -- called only within this iteration
            return new

        after = None
        while True:
            with writing(factory) as session:
                rows = _batch(session, col, after, batch, lock=True)
                for key, stored in rows:
                    counts.rows += 1
                    before = counts.values
                    updated = _walk(json.loads(stored) if col.as_text else stored, change)
                    if counts.values == before:
                        continue
                    # Readable JSON, as the session store writes it.
                    value = json.dumps(updated, ensure_ascii=False) if col.as_text else updated
                    session.execute(update(col.column.class_).where(col.key == key).values({col.column: value}))
                    counts.rewritten += 1
            if not rows:
                break
            after = rows[-1][0]
            if progress is not None:
                progress(col.name, counts)
    return report


def census(factory: sessionmaker[Session], batch: int = 1000) -> dict[str, Counter[str]]:
    """Per column, how many tokens each key id wrote."""
    found: dict[str, Counter[str]] = {}
    for col in ENCRYPTED_COLUMNS:
        counts = found[col.name] = Counter()

        def count(token: str) -> str:
            counts[token_key_id(token) or "?"] += 1  # noqa: B023 -- called only within this iteration
            return token

        after = None
        while True:
            with reading(factory) as session:
                rows = _batch(session, col, after, batch, lock=False)
            if not rows:
                break
            for _, stored in rows:
                _walk(json.loads(stored) if col.as_text else stored, count)
            after = rows[-1][0]
    return found
