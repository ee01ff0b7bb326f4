"""A citizen's conversation token and the key it is stored under.

The token (`session_id`, the `govassist_session` cookie) is a bearer secret that only the client holds.
Every table names the conversation by its key instead: HMAC-SHA256 of the token under a secret of its
own, so a key read from the database (or a backup of it) cannot be turned back into a token that works.
The secret is the same for every worker (GOVASSIST_SESSION_KEY, or a key file made on first run beside
the field-encryption key) and is never rotated with the field key: a new secret would end every
conversation and cut every application from the conversation that filed it.

Tokens stop at the Assistant's door and at the web routes that take one; everything beneath takes a
SessionKey. Rows written before keys were introduced are re-keyed once, at start-up (`rekey_stored`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NewType

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from assistant.privacy.crypto import decode_key, load_or_create_key
from assistant.storage.db import checkpoint, reading, writing
from assistant.storage.personal_tables import (
    ApplicationRow,
    ConsentRow,
    FeedbackRow,
    HandoffMessageRow,
    HandoffRow,
    SessionRow,
    TurnEventRow,
    WorkOrderRow,
)
from settings import Settings

SessionKey = NewType("SessionKey", str)

KEY_CHARS = 64  # hex of HMAC-SHA256; a token (secrets.token_urlsafe(24)) has 32 characters, never 64
_KEY = re.compile(r"[0-9a-f]{64}")
_PURPOSE = b"govassist session key v1\0"

# Every column that names a conversation. rate_hits holds a hash of the token too, but only for a minute.
SESSION_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    SessionRow.id, ConsentRow.session_id, ApplicationRow.session_id, WorkOrderRow.session_id, FeedbackRow.session_id,
    TurnEventRow.session_id, HandoffRow.session_id, HandoffMessageRow.session_id,
)


def is_key(value: str) -> bool:
    return _KEY.fullmatch(value) is not None


@dataclass(frozen=True)
class SessionKeys:
    secret: bytes

    def key_of(self, token: str) -> SessionKey:
        """The key a conversation is stored under: the same for the same token in every worker."""
        return SessionKey(hmac.new(self.secret, _PURPOSE + token.encode("utf-8"), hashlib.sha256).hexdigest())


def session_key_path(settings: Settings) -> Path:
    return settings.data_dir / "keys" / "session.key"


def session_keys_from_settings(settings: Settings) -> SessionKeys:
    if settings.session_key is not None:
        return SessionKeys(decode_key(settings.session_key.get_secret_value(), "GOVASSIST_SESSION_KEY"))
    return SessionKeys(load_or_create_key(session_key_path(settings)))


def rekey_stored(database: sessionmaker[Session], keys: SessionKeys) -> int:
    """Replace every raw token that older versions stored by its key; returns how many values changed.

    A stored value that is not a key (of another length) can only be a token written before keys: the
    conversation goes on under the same token, and the raw one is gone from the file (secure_delete
    overwrites the old bytes; the write-ahead log is checkpointed). Safe to run by several workers at
    once: a value already re-keyed by another matches nothing.
    """
    changed = 0
    with reading(database) as session:
        old = {column: list(session.scalars(select(column).distinct().where(func.length(column) != KEY_CHARS)))
               for column in SESSION_COLUMNS}
    for column, tokens in old.items():
        if not tokens:
            continue
        with writing(database) as session:
            for token in tokens:
                result = session.execute(update(column.class_).where(column == token)
                                         .values({column.key: keys.key_of(token)})
                                         .execution_options(synchronize_session=False))
                changed += result.rowcount  # type: ignore[attr-defined]
    if changed:
        checkpoint(database)
    return changed
