"""Rate limiting: a key gets its quota per minute, then is refused, then allowed again."""

from __future__ import annotations

from web.limits import RateLimiter


def test_a_key_is_refused_over_its_quota_and_allowed_again_a_minute_later():
    now = [0.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # other keys are not affected
    now[0] = 61.0
    assert limiter.allow("a")
