"""In-process latency: each stage of understanding a message, and a whole dialogue turn.

The turns are load citizens (eval/load_citizen.py) filling forms one after another through
`Assistant.handle` on a real database, so they mix first requests, consent, slot answers (names, ID
numbers, dates, choices, several values in one message), a question in the middle of a form and
confirmations. The stages are timed on those messages and on the routing queries given (the dev set's
plain, dialect, ASR-like and out-of-scope questions). The pretrained encoder's stage encodes each message
afresh (the router keeps the vectors of messages it has seen); turns are also split by whether the
pretrained encoder ran in them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from assistant.common.forms import FormSpec
from assistant.dialogue.engine import Assistant
from eval.bench_stats import Latency
from eval.load_citizen import LoadCitizen
from intents.router import Router

STAGES = ("normalise", "encode", "pretrained", "search", "route", "turn", "turn, pretrained encoder ran", "turn, it did not")
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


@dataclass(frozen=True)
class TimedTurns:
    seconds: list[float]
    said: list[str]
    encoded: list[bool]  # whether the pretrained encoder ran in the turn


def dialogue_turns(
    assistant: Assistant, subjects: Sequence[FormSpec], turns: int, today: date, encodings: Callable[[], int] = lambda: 0,
) -> TimedTurns:
    """Each of `turns` turns (citizens of SESSION_TURNS turns each) timed; `encodings` counts the pretrained
    encoder's runs so far."""
    timed = TimedTurns([], [], [])
    n = 0
    while len(timed.seconds) < turns:
        citizen = LoadCitizen(n, subjects, today)
        for _ in range(min(SESSION_TURNS, turns - len(timed.seconds))):
            timed.said.append(citizen.message)
            before = encodings()
            begun = time.perf_counter()
            turn = assistant.handle(citizen.token, citizen.message)
            timed.seconds.append(time.perf_counter() - begun)
            timed.encoded.append(encodings() > before)
            if problems := citizen.hear(turn):
                raise AssertionError(f"a reply that is not this citizen's: {problems}")
        n += 1
    return timed


def stage_seconds(router: Router, messages: Sequence[str]) -> dict[str, list[float]]:
    """Seconds of each stage on messages it has not seen. Normalising caches the readings of the spans it
    has met, so the same message twice is cheaper: alternate messages go through the stages one by one
    (normalise, then encode its result, then search with both) or through the whole route."""
    seconds: dict[str, list[float]] = {stage: [] for stage in STAGES if not stage.startswith("turn")}
    depth = router.policy.dense_depth
    pretrained = router.pretrained

    def timed(stage: str, function: Callable[[], T]) -> T:
        begun = time.perf_counter()
        result = function()
        seconds[stage].append(time.perf_counter() - begun)
        return result

    for position, text in enumerate(messages):
        if position % 2:
            timed("route", lambda: router.route(text))  # noqa: B023 -- timed() calls it at once
            continue
        normalised = timed("normalise", lambda: router.normalise(text))  # noqa: B023 -- timed() calls it at once
        vector = timed("encode", lambda: router.encoder.encode_one(normalised))  # noqa: B023 -- timed() calls it at once
        if pretrained is not None:
            timed("pretrained", lambda: pretrained.encode_queries([normalised]))  # noqa: B023 -- timed() calls it at once
        timed("search", lambda: (router.index.dense.search(vector, depth), router.index.lexical.scores(normalised)))  # noqa: B023 -- timed() calls it at once
    return seconds


def bench_inprocess(
    assistant: Assistant, router: Router, subjects: Sequence[FormSpec], queries: Sequence[str], turns: int = 1000,
) -> InProcessReport:
    """Stages on `queries` (never seen before) and on the citizens' messages (seen once, in their dialogue)."""
    today = assistant.today()
    dialogue_turns(assistant, subjects, WARM_UP, today)
    begun, cpu = time.perf_counter(), time.process_time()
    timed = dialogue_turns(assistant, subjects, turns, today, lambda: router.pretrained_encoded)
    elapsed, cpu = time.perf_counter() - begun, time.process_time() - cpu
    messages = list(dict.fromkeys([*queries, *timed.said]))
    latency = {stage: Latency.of(s) for stage, s in stage_seconds(router, messages).items()}
    latency["turn"] = Latency.of(timed.seconds)
    latency["turn, pretrained encoder ran"] = Latency.of([s for s, e in zip(timed.seconds, timed.encoded) if e])
    latency["turn, it did not"] = Latency.of([s for s, e in zip(timed.seconds, timed.encoded) if not e])
    turns_timed = len(timed.seconds)
    return InProcessReport(latency=latency, turns=turns_timed, turns_per_s=turns_timed / elapsed,
                           cpu_ms_per_turn=1000 * cpu / turns_timed, messages=len(messages))
