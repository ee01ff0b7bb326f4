"""Per-key request rate limiting (a sliding one-minute window), for sessions and client addresses.

In memory, per worker: enough to stop one client hammering one process. With N workers a client may
get up to N times the quota; several workers behind a proxy should also limit at the proxy
(docs/security-reliability.md). The quota is GOVASSIST_RATE_LIMIT_PER_MINUTE.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from starlette.requests import HTTPConnection

from web.errors import ApiException
from web.models import ApiError

WINDOW_S = 60.0


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        return self.wait(key) == 0

    def wait(self, key: str) -> int:
        """0 when a request under `key` may go ahead (it is counted), else whole seconds until one may."""
        now = self._clock()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] > WINDOW_S:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(WINDOW_S - (now - hits[0])))
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > WINDOW_S][:50_000]:
                    del self._hits[stale]
            return 0


def limit(request: HTTPConnection, session: str | None = None) -> None:
    """Count a request against its client address and, when it names one, its conversation; 429 over quota.

    Every public or citizen endpoint that costs work calls it (tests/test_rate_limit.py holds them to it).
    Requests without a session count against their address alone, so one noisy address never uses up
    another's quota. Behind a proxy the address is the one the proxy forwards (uvicorn's
    --forwarded-allow-ips / FORWARDED_ALLOW_IPS); the count is per worker process.
    """
    limiter: RateLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    for key in [f"ip:{client}"] + ([f"session:{session[:64]}"] if session else []):  # [:64]: bounded keys
        if wait := limiter.wait(key):
            raise ApiException(429, ApiError(code="rate_limited", message="请求太频繁了，请稍等一会儿再试。"),
                               headers={"Retry-After": str(wait)})
