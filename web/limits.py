"""Request rate limiting over a sliding one-minute window, per client address and per conversation.

The hits are counted in the database, so every worker process sees every other's: N workers allow
the quota once, not N times. The quota is GOVASSIST_RATE_LIMIT_PER_MINUTE.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from assistant.db import writing
from assistant.records import RateHitRow
from web.errors import ApiException
from web.models import ApiError

WINDOW_S = 60.0
_PRUNE_EVERY_S = WINDOW_S  # hits older than the window are deleted at most this often per process


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class RateLimiter:
    def __init__(self, database: sessionmaker[Session], per_minute: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.per_minute = per_minute
        self._database = database
        self._clock = clock  # wall-clock time: every process must agree on it
        self._pruned = -math.inf

    def allow(self, key: str) -> bool:
        return self.wait(key) == 0

    def wait(self, *keys: str) -> int:
        """0 when a request under every key may go ahead (it is counted under each), else whole seconds
        until one may (and nothing is counted)."""
        now = self._clock()
        hashes = sorted({_key_hash(k) for k in keys})  # sorted: two requests lock shared keys in one order
        with writing(self._database) as session:
            waits = [self._wait_for(session, h, now) for h in hashes]
            if any(waits):
                return max(waits)
            session.execute(insert(RateHitRow), [{"key_hash": h, "at": now} for h in hashes])
            if now - self._pruned > _PRUNE_EVERY_S:
                session.execute(delete(RateHitRow).where(RateHitRow.at <= now - WINDOW_S))
                self._pruned = now
        return 0

    def _wait_for(self, session: Session, key_hash: str, now: float) -> int:
        if session.get_bind().dialect.name == "postgresql":
            # Rows are locked, not the database: two workers counting one key at once take turns here.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(key_hash[:15], 16)})
        recent = RateHitRow.key_hash == key_hash, RateHitRow.at > now - WINDOW_S
        if session.scalar(select(func.count()).where(*recent)) < self.per_minute:
            return 0
        # A request may go ahead once fewer than per_minute hits are left: when the per_minute-th newest leaves.
        edge = session.scalars(select(RateHitRow.at).where(*recent).order_by(RateHitRow.at.desc())
                               .offset(self.per_minute - 1).limit(1)).one()
        return max(1, math.ceil(WINDOW_S - (now - edge)))


def limit(request: HTTPConnection, session: str | None = None) -> None:
    """Count a request against its client address and, when it names one, its conversation; 429 over quota.

    Every public or citizen endpoint that costs work calls it (tests/test_rate_limit.py holds them to it).
    Requests without a session count against their address alone, so one noisy address never uses up
    another's quota. Behind a proxy the address is the one the proxy forwards (uvicorn's
    --forwarded-allow-ips / FORWARDED_ALLOW_IPS).
    """
    limiter: RateLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    keys: Sequence[str] = [f"ip:{client}"] + ([f"session:{session}"] if session else [])
    if wait := limiter.wait(*keys):
        raise ApiException(429, ApiError(code="rate_limited", message="请求太频繁了，请稍等一会儿再试。"),
                           headers={"Retry-After": str(wait)})
