"""Which policy passages answer the call: those of a policy related to the call's top service (its
`related_services`) above a low floor, any other only above a high one. A greeting or "我想反映个事情"
matches no service and scores low, so it shows none; a lost social-security card shows the card's
measures, not a medical-insurance notice that happens to say 补办. Floors in assistant/data/copilot.yaml,
tuned on eval/data/routing_tune.jsonl."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.base import KnowledgeBase
from intents.router import Answer


@dataclass(frozen=True)
class PassageFloor:
    related: float  # a passage of a policy related to the call's service
    other: float  # any other passage

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PassageFloor:
        return cls(float(data["passages"]["related_floor"]), float(data["passages"]["other_floor"]))


def related_policies(kb: KnowledgeBase, service_ids: Iterable[str]) -> set[str]:
    """The policies that name one of these services (a bundle by its members) as related."""
    ids = set(service_ids)
    for bundle_id in list(ids):
        if bundle_id in kb.bundles:
            ids.update(kb.bundles[bundle_id].services)
    return {p.id for p in kb.policies.values() if ids & set(p.related_services)}


def answering(passages: Sequence[Answer], related: set[str], floor: PassageFloor) -> list[Answer]:
    """The passages that answer the call, in their order."""
    return [p for p in passages if p.score >= (floor.related if p.target_id in related else floor.other)]
