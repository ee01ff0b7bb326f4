"""Counting hits per key over a sliding window, in the database, so every worker process sees every
other's: request rate limits (web/limits.py) and failed second-factor guesses (assistant/cases/case_access.py).

Keys are stored as hashes: a key may hold a conversation's token or a client address.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.db import reading, writing
from assistant.storage.tables import RateHitRow


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class HitCounter:
    def __init__(self, database: sessionmaker[Session], quota: int, window_s: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.quota = quota
        self.window_s = window_s
        self._database = database
        self._clock = clock  # wall-clock time: every process must agree on it
        self._pruned = -math.inf

    def allow(self, key: str) -> bool:
        return self.wait(key) == 0

    def wait(self, *keys: str) -> int:
        """0 when a hit under every key may go ahead (it is counted under each), else whole seconds
        until one may (and nothing is counted)."""
        now = self._clock()
        hashes = sorted({_key_hash(k) for k in keys})  # sorted: two requests lock shared keys in one order
        with writing(self._database) as session:
            waits = [self._wait_for(session, h, now, lock=True) for h in hashes]
            if any(waits):
                return max(waits)
            session.execute(insert(RateHitRow), [{"key_hash": h, "at": now} for h in hashes])
            if now - self._pruned > self.window_s:
                # Hits of every counter sharing the table: only those older than this window go.
                session.execute(delete(RateHitRow).where(RateHitRow.at <= now - max(self.window_s, 3600.0)))
                self._pruned = now
        return 0

    def blocked(self, *keys: str) -> int:
        """Like `wait`, without counting: whole seconds until a hit under every key may go ahead, or 0."""
        now = self._clock()
        with reading(self._database) as session:
            return max((self._wait_for(session, _key_hash(k), now, lock=False) for k in keys), default=0)

    def _wait_for(self, session: Session, key_hash: str, now: float, lock: bool) -> int:
        if lock and session.get_bind().dialect.name == "postgresql":
            # Rows are locked, not the database: two workers counting one key at once take turns here.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(key_hash[:15], 16)})
        recent = RateHitRow.key_hash == key_hash, RateHitRow.at > now - self.window_s
        if (session.scalar(select(func.count()).where(*recent)) or 0) < self.quota:  # (a count is never None)
            return 0
        # A hit may go ahead once fewer than `quota` are left: when the quota-th newest leaves the window.
        edge = session.scalars(select(RateHitRow.at).where(*recent).order_by(RateHitRow.at.desc())
                               .offset(self.quota - 1).limit(1)).one()
        return max(1, math.ceil(self.window_s - (now - edge)))
