"""HTTP load: simulated citizens in concurrent sessions, each a multi-turn dialogue through POST /api/chat.

`concurrency` citizens talk at once (a new one starts when one finishes) until `sessions` have each
said `turns` messages. Every reply is checked by its citizen (eval/load_citizen.py) and every
application a citizen receives is looked up with its session token. One shared connection pool
without cookies: consecutive turns of a session go out on whichever connection is free, so with
several workers a conversation moves between them, as behind a proxy.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from assistant.forms import FormSpec
from assistant.numbers import APPLICATION_NUMBERS
from assistant.turn import Turn
from eval.bench_stats import Latency
from eval.load_citizen import LoadCitizen, duplicated

TIMEOUT_S = 120.0
KEEPALIVE_S = 2.0  # under uvicorn's --timeout-keep-alive (5 s)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds per chat turn
    errors: list[str] = field(default_factory=list)  # a non-2xx answer or a transport error
    crosstalk: list[str] = field(default_factory=list)  # a reply or an application that is not the session's own
    numbers: list[str] = field(default_factory=list)  # every tracking number handed out


@dataclass(frozen=True)
class LoadReport:
    concurrency: int
    sessions: int
    turns: int
    seconds: float
    latency: Latency
    errors: list[str]
    crosstalk: list[str]
    submitted: int

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def to_dict(self, examples: int = 5) -> dict:
        return {
            "concurrency": self.concurrency, "sessions": self.sessions, "turns": self.turns,
            "seconds": round(self.seconds, 2), "turns_per_s": round(self.turns_per_s, 1),
            "latency_ms": self.latency.__dict__, "errors": len(self.errors), "crosstalk": len(self.crosstalk),
            "submitted": self.submitted, "error_examples": self.errors[:examples],
            "crosstalk_examples": self.crosstalk[:examples],
        }


def no_cookies() -> CookieJar:
    """A jar that keeps nothing: every turn names its session itself, so one client can speak for many
    citizens (with the session cookie kept, a new citizen would continue the last one's conversation)."""
    return CookieJar(DefaultCookiePolicy(allowed_domains=[]))


def client(base_url: str, connections: int) -> httpx.AsyncClient:
    # An idle connection is dropped well before uvicorn closes it (after 5 s): reusing one at the moment
    # the server closes it fails the request, which would be counted against the server (docs/deploy.md).
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections,
                          keepalive_expiry=KEEPALIVE_S)
    return httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S, limits=limits, cookies=no_cookies())


async def converse(http: httpx.AsyncClient, citizen: LoadCitizen, turns: int, tally: Tally) -> None:
    """One session: `turns` messages, stopping at the first error (its state is then unknown)."""
    who = f"citizen {citizen.identity.n}"
    for _ in range(turns):
        body = {"text": citizen.message} | ({"session_id": citizen.token} if citizen.token else {})
        begun = time.perf_counter()
        try:
            response = await http.post("/api/chat", json=body)
        except httpx.HTTPError as exc:
            tally.errors.append(f"{who}: {type(exc).__name__}: {exc}")
            return
        tally.latencies.append(time.perf_counter() - begun)
        if not response.is_success:
            tally.errors.append(f"{who}: HTTP {response.status_code} {response.text[:200]}")
            return
        before = len(citizen.submitted)
        tally.crosstalk += citizen.hear(Turn.model_validate(response.json()))
        for number in list(citizen.submitted)[before:]:
            tally.numbers.append(number)
            if number.startswith(APPLICATION_NUMBERS.prefix) and not await _check_application(http, citizen, number, tally):
                return


async def _check_application(http: httpx.AsyncClient, citizen: LoadCitizen, number: str, tally: Tally) -> bool:
    who = f"citizen {citizen.identity.n}"
    try:
        response = await http.get(f"/api/applications/{number}", headers={"X-Session-Token": citizen.token or ""})
    except httpx.HTTPError as exc:
        tally.errors.append(f"{who}: looking up {number}: {type(exc).__name__}: {exc}")
        return False
    if not response.is_success:
        tally.errors.append(f"{who}: looking up {number}: HTTP {response.status_code} {response.text[:200]}")
        return False
    tally.crosstalk += citizen.check_application(number, response.json().get("fields"))
    return True


async def drive(
    base_url: str, subjects: Sequence[FormSpec], concurrency: int, sessions: int, turns: int,
    today: date | None = None, first_citizen: int = 0,
) -> LoadReport:
    """Run `sessions` sessions of `turns` turns, `concurrency` at a time; citizens numbered from first_citizen."""
    today = today or date.today()
    tally = Tally()
    queue = iter(range(first_citizen, first_citizen + sessions))

    async def citizen_after_citizen(http: httpx.AsyncClient) -> None:
        for n in queue:  # shared: each task takes the next citizen number
            await converse(http, LoadCitizen(n, subjects, today), turns, tally)

    async with client(base_url, concurrency) as http:
        begun = time.perf_counter()
        await asyncio.gather(*(citizen_after_citizen(http) for _ in range(concurrency)))
        seconds = time.perf_counter() - begun
    crosstalk = tally.crosstalk + [f"{n} was handed to more than one form" for n in duplicated(tally.numbers)]
    return LoadReport(
        concurrency=concurrency, sessions=sessions, turns=len(tally.latencies), seconds=seconds,
        latency=Latency.of(tally.latencies), errors=tally.errors, crosstalk=crosstalk, submitted=len(tally.numbers),
    )


def run_load(base_url: str, subjects: Sequence[FormSpec], concurrency: int, sessions: int, turns: int,
             today: date | None = None, first_citizen: int = 0) -> LoadReport:
    return asyncio.run(drive(base_url, subjects, concurrency, sessions, turns, today, first_citizen))
