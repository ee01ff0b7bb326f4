"""Request rate limiting over a sliding one-minute window, per client address and per conversation.

The hits are counted in the database (assistant/storage/hit_counter.py), so every worker process sees every
other's: N workers allow the quota once, not N times. The quota is GOVASSIST_RATE_LIMIT_PER_MINUTE.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import HTTPConnection

from assistant.storage.hit_counter import HitCounter
from web.errors import ApiException
from web.request_errors import refusal
from web.runtime import services_of


def rate_limited(wait: int) -> ApiException:
    return ApiException(429, refusal("rate_limited"), headers={"Retry-After": str(wait)})


def limit(request: HTTPConnection, session: str | None = None) -> None:
    """Count a request against its client address and, when it names one, its conversation; 429 over quota.

    Every public or citizen endpoint that costs work calls it (tests/test_rate_limit.py holds them to it).
    Requests without a session count against their address alone, so one noisy address never uses up
    another's quota. Behind a proxy the address is the one the proxy forwards (uvicorn's
    --forwarded-allow-ips / FORWARDED_ALLOW_IPS).
    """
    limiter: HitCounter = services_of(request).limiter
    client = request.client.host if request.client else "unknown"
    keys: Sequence[str] = [f"ip:{client}"] + ([f"session:{session}"] if session else [])
    if wait := limiter.wait(*keys):
        raise rate_limited(wait)
