"""HTTP load: simulated citizens in concurrent sessions, each a multi-turn dialogue through POST /api/chat.

`concurrency` citizens talk at once (a new one starts when one finishes) until `sessions` have each
said `turns` messages. Every reply is checked by its citizen (eval/load_citizen.py) and every
application a citizen receives is looked up with its session token. One shared connection pool
without cookies: consecutive turns of a session go out on whichever connection is free, so with
several workers a conversation moves between them, as behind a proxy.

Closed loop by default (each session sends its next turn as soon as its reply is in: the most turns
the server can do); with an OpenLoop (eval/load_schedule.py) each session sends on a schedule at an
offered rate, and a turn's latency counts from when it was due.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from assistant.cases.numbers import APPLICATION_NUMBERS
from assistant.common.forms import FormSpec
from assistant.dialogue.turn import Turn
from eval.bench_stats import Latency
from eval.load_citizen import LoadCitizen, duplicated
from eval.load_schedule import OpenLoop

TIMEOUT_S = 120.0
KEEPALIVE_S = 2.0  # under uvicorn's --timeout-keep-alive (5 s)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds per chat turn
    errors: list[str] = field(default_factory=list)  # a non-2xx answer or a transport error
    crosstalk: list[str] = field(default_factory=list)  # a reply or an application that is not the session's own
    numbers: list[str] = field(default_factory=list)  # every tracking number handed out
    last_due: float = 0.0  # open loop: when the last turn was due (perf_counter seconds)


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
    offered_per_s: float | None = None  # open loop: the rate offered; None: closed loop
    # Open loop: from the start to when the last turn was due. A finite random schedule runs past
    # turns / rate; turns / scheduled_s is the rate this run offered, to compare turns_per_s with.
    scheduled_s: float | None = None

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def to_dict(self, examples: int = 5) -> dict:
        return {
            "concurrency": self.concurrency, "sessions": self.sessions, "turns": self.turns,
            "seconds": round(self.seconds, 2), "turns_per_s": round(self.turns_per_s, 1),
            "latency_ms": self.latency.__dict__, "errors": len(self.errors), "crosstalk": len(self.crosstalk),
            "submitted": self.submitted, "offered_per_s": self.offered_per_s,
            "scheduled_s": None if self.scheduled_s is None else round(self.scheduled_s, 2),
            "error_examples": self.errors[:examples],
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


async def converse(http: httpx.AsyncClient, citizen: LoadCitizen, turns: int, tally: Tally,
                   due: Iterator[float] | None = None) -> None:
    """One session: `turns` messages, stopping at the first error (its state is then unknown).

    `due`: when each message is due (perf_counter seconds; open loop). A message goes out then, or when
    the last reply comes if that is later, and its latency counts from when it was due."""
    who = f"citizen {citizen.identity.n}"
    for _ in range(turns):
        body = {"text": citizen.message} | ({"session_id": citizen.token} if citizen.token else {})
        begun = await _when_due(due)
        tally.last_due = max(tally.last_due, begun)
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


async def _when_due(due: Iterator[float] | None) -> float:
    """The moment a message counts from: now (closed loop), or when it was due, after waiting till then."""
    if due is None:
        return time.perf_counter()
    at = next(due)
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    return at


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
    today: date | None = None, first_citizen: int = 0, pace: OpenLoop | None = None,
) -> LoadReport:
    """Run `sessions` sessions of `turns` turns, `concurrency` at a time; citizens numbered from first_citizen.

    `pace`: an open loop (its slots must be `concurrency`); each slot keeps its schedule from one
    citizen to the next. None: closed loop."""
    if pace is not None and pace.slots != concurrency:
        raise ValueError("an open loop's slots are the concurrent sessions")
    today = today or date.today()
    tally = Tally()
    queue = iter(range(first_citizen, first_citizen + sessions))

    async def citizen_after_citizen(http: httpx.AsyncClient, slot: int, start: float) -> None:
        due = None if pace is None else (start + at for at in pace.send_times(slot))
        for n in queue:  # shared: each task takes the next citizen number
            await converse(http, LoadCitizen(n, subjects, today), turns, tally, due)

    async with client(base_url, concurrency) as http:
        begun = time.perf_counter()
        await asyncio.gather(*(citizen_after_citizen(http, slot, begun) for slot in range(concurrency)))
        seconds = time.perf_counter() - begun
    crosstalk = tally.crosstalk + [f"{n} was handed to more than one form" for n in duplicated(tally.numbers)]
    return LoadReport(
        concurrency=concurrency, sessions=sessions, turns=len(tally.latencies), seconds=seconds,
        latency=Latency.of(tally.latencies), errors=tally.errors, crosstalk=crosstalk, submitted=len(tally.numbers),
        offered_per_s=None if pace is None else pace.rate, scheduled_s=None if pace is None else tally.last_due - begun,
    )


def run_load(base_url: str, subjects: Sequence[FormSpec], concurrency: int, sessions: int, turns: int,
             today: date | None = None, first_citizen: int = 0, pace: OpenLoop | None = None) -> LoadReport:
    return asyncio.run(drive(base_url, subjects, concurrency, sessions, turns, today, first_citizen, pace))
