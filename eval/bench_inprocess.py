"""In-process latency: each stage of understanding a message, and a whole dialogue turn.

The turns are load citizens (eval/load_citizen.py) filling forms one after another through
`Assistant.handle` on a real database, so they mix first requests, consent, slot answers (names, ID
numbers, dates, choices, several values in one message), a question in the middle of a form and
confirmations. The stages are timed on those messages and on the routing queries given (the dev set's
plain, dialect, ASR-like and out-of-scope questions).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar
from dataclasses import dataclass
from datetime import date

from assistant.engine import Assistant
from assistant.forms import FormSpec
from eval.bench_stats import Latency
from eval.load_citizen import LoadCitizen
from intents.router import Router

STAGES = ("normalise", "encode", "search", "route", "turn")
SESSION_TURNS = 20
WARM_UP = 30  # turns run before timing starts: first calls load lazy parts (jieba, torch)
T = TypeVar("T")


@dataclass(frozen=True)
class InProcessReport:
    latency: dict[str, Latency]  # by stage, in STAGES order
    turns: int
    turns_per_s: float  # one thread, back to back
    cpu_ms_per_turn: float  # this process's CPU time: steadier than wall time on a shared machine
    messages: int  # distinct messages the understanding stages were timed on

    def to_dict(self) -> dict:
        return {"latency_ms": {k: v.__dict__ for k, v in self.latency.items()}, "turns": self.turns,
                "turns_per_s": round(self.turns_per_s, 1), "cpu_ms_per_turn": round(self.cpu_ms_per_turn, 2),
                "messages": self.messages}


def dialogue_turns(assistant: Assistant, subjects: Sequence[FormSpec], turns: int, today: date) -> tuple[list[float], list[str]]:
    """Seconds of each of `turns` turns (citizens of SESSION_TURNS turns each) and the messages said."""
    seconds: list[float] = []
    said: list[str] = []
    n = 0
    while len(seconds) < turns:
        citizen = LoadCitizen(n, subjects, today)
        for _ in range(min(SESSION_TURNS, turns - len(seconds))):
            said.append(citizen.message)
            begun = time.perf_counter()
            turn = assistant.handle(citizen.token, citizen.message)
            seconds.append(time.perf_counter() - begun)
            if problems := citizen.hear(turn):
                raise AssertionError(f"a reply that is not this citizen's: {problems}")
        n += 1
    return seconds, said


def stage_seconds(router: Router, messages: Sequence[str]) -> dict[str, list[float]]:
    """Seconds of each stage on messages it has not seen. Normalising caches the readings of the spans it
    has met, so the same message twice is cheaper: alternate messages go through the stages one by one
    (normalise, then encode its result, then search with both) or through the whole route."""
    seconds: dict[str, list[float]] = {stage: [] for stage in STAGES if stage != "turn"}
    depth = router.policy.dense_depth

    def timed(stage: str, function: Callable[[], T]) -> T:
        begun = time.perf_counter()
        result = function()
        seconds[stage].append(time.perf_counter() - begun)
        return result

    for position, text in enumerate(messages):
        if position % 2:
            timed("route", lambda: router.route(text))
            continue
        normalised = timed("normalise", lambda: router.normalise(text))
        vector = timed("encode", lambda: router.encoder.encode_one(normalised))
        timed("search", lambda: (router.index.dense.search(vector, depth), router.index.lexical.scores(normalised)))
    return seconds


def bench_inprocess(
    assistant: Assistant, router: Router, subjects: Sequence[FormSpec], queries: Sequence[str], turns: int = 1000,
) -> InProcessReport:
    """Stages on `queries` (never seen before) and on the citizens' messages (seen once, in their dialogue)."""
    today = assistant.today()
    dialogue_turns(assistant, subjects, WARM_UP, today)
    begun, cpu = time.perf_counter(), time.process_time()
    turn_seconds, said = dialogue_turns(assistant, subjects, turns, today)
    elapsed, cpu = time.perf_counter() - begun, time.process_time() - cpu
    messages = list(dict.fromkeys([*queries, *said]))
    latency = {stage: Latency.of(s) for stage, s in stage_seconds(router, messages).items()}
    latency["turn"] = Latency.of(turn_seconds)
    return InProcessReport(latency=latency, turns=len(turn_seconds), turns_per_s=len(turn_seconds) / elapsed,
                           cpu_ms_per_turn=1000 * cpu / len(turn_seconds), messages=len(messages))
