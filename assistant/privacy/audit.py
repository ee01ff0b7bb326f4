"""The audit log: who did what to which object, and when, in a hash chain that shows tampering.

Every event carries the hash of the event before it (`prev_hash`) and its own `hash`, the SHA-256 of
a canonical serialisation of its fields and prev_hash. Changing, deleting or reordering stored
events breaks the chain, and `verify()` names the first event where it breaks. (Cutting events off
the end leaves a shorter chain that is still valid: compare the head `verify()` reports with one
kept elsewhere — `govassist audit verify --head HASH`.)

Writers never fork the chain: the head is read inside the writing transaction, after taking the
write lock (SQLite: BEGIN IMMEDIATE, see assistant/storage/db.py; PostgreSQL: a transaction-scoped advisory
lock), and `seq` is unique, so a writer that somehow read a stale head fails instead of forking.

What goes in: every staff or admin access to personal data (reveals, views of masked personal
fields, copilot caller details), every change to applications and work orders, knowledge-base
edits, staff account changes, citizens' erasures and retention purges. Never personal values: strings in `detail` are
masked (assistant/privacy/masking.mask_text) before they are stored, and objects name records by number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.privacy.masking import mask_text
from assistant.storage.db import reading, writing
from assistant.privacy.tables import AuditEventRow, AuditLogRow

GENESIS = "0" * 64  # the prev_hash of the first event
_DOMAIN = b"govassist audit v1\0"
# pg_advisory_xact_lock key for "the audit chain's head" (any constant; the same in every process).
PG_LOCK_KEY = 0x6A5D17
VERIFY_BATCH = 1000

Detail = str | Mapping[str, Any]


class Action:
    """The actions this project records (any short string is accepted; these are the common ones)."""

    VIEW = "view"  # staff saw masked personal fields (an application, a work order, a call's details)
    LIST = "list"  # staff saw a list of work orders with masked caller details
    REVEAL = "reveal"  # staff read one personal value in plain text
    SUBMIT = "submit"  # an application was submitted
    STATUS_CHANGE = "status_change"  # an application moved to another status
    CREATE = "create"  # a work order was created
    TRANSITION = "transition"  # a work order moved (派单, 办理, 退回, 办结…)
    APPLY_ON_BEHALF = "apply_on_behalf"  # an agent started an application with a caller's details
    ERASE = "erase"  # a citizen erased their data (删除权)
    PURGE = "purge"  # the retention purge removed or scrubbed old data
    KB_EDIT = "kb_edit"  # an operator's knowledge-base edit (assistant/insight/kb_edits.py)
    KB_ROLLBACK = "kb_rollback"
    STAFF_ADD = "staff_add"  # an account made (`govassist staff add`)
    STAFF_LIST = "staff_list"  # the accounts listed
    STAFF_DISABLE = "staff_disable"  # an account disabled: it cannot sign in, its sessions end
    STAFF_ENABLE = "staff_enable"
    STAFF_PASSWORD_RESET = "staff_password_reset"  # a new password set; its sessions end


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime  # UTC
    actor: str
    action: str
    object: str
    detail: str | dict[str, Any]  # as recorded (masked): a short text or a JSON object
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at.isoformat(), "actor": self.actor, "action": self.action,
                "object": self.object, "detail": self.detail, "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True)
class BrokenLink:
    seq: int  # the stored seq of the first event that does not fit (or the one expected, if missing)
    id: int  # its row id
    reason: str


@dataclass(frozen=True)
class ChainReport:
    count: int  # events checked before the break (all of them when intact)
    head: str  # the hash of the last good event (GENESIS for an empty log)
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def utc_now() -> datetime:
    return datetime.now(UTC)


def session_object(key: str) -> str:
    """How a conversation is named in the log: a digest of the key it is stored under
    (assistant/privacy/session_keys.py). Callers never hold the token (a bearer secret) here."""
    return "session:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


def _detail_json(detail: Detail) -> str:
    return json.dumps(_masked(detail), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC)


def event_hash(seq: int, at: datetime, actor: str, action: str, object_: str, detail_json: str, prev_hash: str) -> str:
    """SHA-256 over the canonical form: a JSON array of the fields in a fixed order, UTC microseconds."""
    canonical = json.dumps(
        [seq, _utc(at).isoformat(timespec="microseconds"), actor, action, object_, detail_json, prev_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(_DOMAIN + canonical.encode("utf-8")).hexdigest()


def _row_hash(row: AuditLogRow) -> str:
    return event_hash(row.seq, row.at, row.actor, row.action, row.object, row.detail, row.prev_hash)


def _entry(row: AuditLogRow) -> AuditEntry:
    detail = json.loads(row.detail)
    return AuditEntry(row.seq, row.at, row.actor, row.action, row.object, detail, row.prev_hash, row.hash)


def _lock_head(session: Session) -> None:
    # SQLite needs nothing here: a writing transaction already holds the database's one write lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def append(session: Session, actor: str, action: str, object_: str, detail: Detail, at: datetime) -> AuditEntry:
    """Add one event to the chain inside `session`'s transaction (which must be a writing one)."""
    _lock_head(session)
    head = session.execute(select(AuditLogRow.seq, AuditLogRow.hash).order_by(AuditLogRow.seq.desc()).limit(1)).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = _utc(at)
    detail_json = _detail_json(detail)
    row = AuditLogRow(seq=seq, at=at, actor=actor, action=action, object=object_, detail=detail_json, prev_hash=prev,
                      hash=event_hash(seq, at, actor, action, object_, detail_json, prev))
    session.add(row)
    session.flush()  # now, while the lock is held: a conflicting seq fails here, not at some later flush
    return _entry(row)


class AuditLog:
    """`record(actor, action, object, detail)` appends an event; `verify()` checks the whole chain.

    actor: a staff username, "applicant"/"citizen" for the public, "cli", "system:retention"…
    action: a short verb (see Action); object: what it was done to — an application or work-order
    number, "call:<id>", "kb:<service id>", session_object(key). detail: a short text or a JSON
    object of facts (field names, statuses, numbers) — masked before it is stored, but pass no
    personal values. `session`: record inside the caller's writing transaction, so the event is
    committed (or rolled back) together with the change it describes.
    """

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def record(self, actor: str, action: str, object: str, detail: Detail = "",
               *, session: Session | None = None) -> AuditEntry:
        if session is not None:
            return append(session, actor, action, object, detail, self._clock())
        with writing(self._sessions) as own:
            return append(own, actor, action, object, detail, self._clock())

    def entries(self, object: str | None = None, actor: str | None = None, action: str | None = None,
                limit: int = 200, newest_first: bool = False) -> list[AuditEntry]:
        query = select(AuditLogRow)
        if object is not None:
            query = query.where(AuditLogRow.object == object)
        if actor is not None:
            query = query.where(AuditLogRow.actor == actor)
        if action is not None:
            query = query.where(AuditLogRow.action == action)
        order = AuditLogRow.seq.desc() if newest_first else AuditLogRow.seq
        with reading(self._sessions) as session:
            return [_entry(r) for r in session.scalars(query.order_by(order).limit(limit))]

    def find(self, hash_: str) -> AuditEntry | None:
        """The event with this hash (to check that a head noted down earlier is still in the chain)."""
        with reading(self._sessions) as session:
            row = session.scalars(select(AuditLogRow).where(AuditLogRow.hash == hash_).limit(1)).first()
            return None if row is None else _entry(row)

    def verify(self, batch: int = VERIFY_BATCH) -> ChainReport:
        """Walk the chain in seq order; the first event whose seq, prev_hash or hash does not fit breaks it."""
        count, prev = 0, GENESIS
        for row in self._rows(batch):
            expected = count + 1
            if row.seq != expected:
                reason = f"event {expected} is missing" if row.seq > expected else f"event {row.seq} is out of order"
                return ChainReport(count, prev, BrokenLink(row.seq, row.id, reason))
            if row.prev_hash != prev:
                reason = "prev_hash does not match the event before (an event was removed, inserted or reordered)"
                return ChainReport(count, prev, BrokenLink(row.seq, row.id, reason))
            if _row_hash(row) != row.hash:
                return ChainReport(count, prev, BrokenLink(row.seq, row.id, "hash does not match its contents (altered)"))
            count, prev = count + 1, row.hash
        return ChainReport(count, prev, None)

    def _rows(self, batch: int) -> Iterator[AuditLogRow]:
        after = 0
        while True:
            query = select(AuditLogRow).where(AuditLogRow.seq > after).order_by(AuditLogRow.seq).limit(batch)
            with reading(self._sessions) as session:
                rows = session.scalars(query).all()
            if not rows:
                return
            yield from rows
            after = rows[-1].seq

    def import_legacy(self) -> int:
        """Move the reveals recorded before the chain (table audit_events) into it; returns how many."""
        with writing(self._sessions) as session:
            rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id)).all()
            for r in rows:
                append(session, r.actor, r.action, r.object, {"field": r.field, "legacy_id": r.id}, r.at)
            if rows:
                session.execute(delete(AuditEventRow).where(AuditEventRow.id <= rows[-1].id))
            return len(rows)
