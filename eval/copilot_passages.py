"""Tuning the copilot's passage floors (assistant/copilot/passages.py) on a routing file.

A passage answers a query when its policy names one of the query's expected services (or a member
of an expected bundle) among its `related_services`; a query expected out of scope should show none.
For each pair of floors (related, other): precision of the passages shown, the share of queries with
an answering policy that show at least one of its passages, and the share of out-of-scope queries
that show nothing. Tune on routing_tune.jsonl, never on the reported sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.copilot.passages import PassageFloor, answering, related_policies
from eval.dataset import OUT_OF_SCOPE, RoutingExample
from intents.router import Answer
from knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class Looked:
    answers: list[Answer]
    related: set[str]  # the policies related to the copilot's top service
    truth: set[str]  # the policies related to the expected services
    out_of_scope: bool


@dataclass(frozen=True)
class FloorScore:
    related: float
    other: float
    precision: float  # of the passages shown
    answered: float  # queries with an answering policy that show one of its passages
    quiet: float  # out-of-scope queries that show nothing
    shown: int

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def look(candidates: Callable[[str], tuple[list[Answer], set[str]]], kb: KnowledgeBase,
         rows: Sequence[RoutingExample]) -> list[Looked]:
    looked = []
    for row in rows:
        answers, related = candidates(row.query)
        expected = [e for e in row.expected if e != OUT_OF_SCOPE]
        looked.append(Looked(answers, related, related_policies(kb, expected), row.out_of_scope))
    return looked


def score(looked: Sequence[Looked], floor: PassageFloor, keep: int = 3) -> FloorScore:
    shown = right = answered = answerable = quiet = oos = 0
    for item in looked:
        kept = answering(item.answers, item.related, floor)[:keep]
        shown += len(kept)
        right += sum(a.target_id in item.truth for a in kept)
        if item.out_of_scope:
            oos += 1
            quiet += not kept
        elif item.truth:
            answerable += 1
            answered += any(a.target_id in item.truth for a in kept)
    return FloorScore(floor.related, floor.other, right / shown if shown else 1.0,
                      answered / answerable if answerable else 0.0, quiet / oos if oos else 1.0, shown)


def sweep(looked: Sequence[Looked], related: Iterable[float], other: Iterable[float]) -> list[FloorScore]:
    others = list(other)
    return [score(looked, PassageFloor(r, o)) for r in related for o in others]
