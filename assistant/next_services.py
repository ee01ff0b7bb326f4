"""What usually follows a finished application: ranked, each with why (服务找人).

Three sources, weighted: what people who applied for it also applied for (from the application
history), the other members of the "一件事" bundles it belongs to, and the guide's related services.
Only services and bundles that start a form are offered, never one already applied for in this
session, nor a bundle that would apply for one of those again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from assistant.cooccurrence import AppliedTogether
from assistant.forms import is_form_subject
from assistant.messages import Messages
from assistant.recommendation import Recommendation, RecommendationKind
from knowledge.base import KnowledgeBase

# What people do outweighs what the guides say: a service most (over 60%) of them applied for next
# outranks a bundle sibling that is also a related service (2 + 1).
TOGETHER_WEIGHT = 5.0  # times the share of people who applied for both
BUNDLE_WEIGHT = 2.0
RELATED_WEIGHT = 1.0
MIN_PEOPLE = 2  # people who applied for both before it is said that "many people" do


@dataclass
class _Candidate:
    order: int
    score: float = 0.0
    reasons: list[tuple[float, str]] = field(default_factory=list)

    def add(self, weight: float, reason: str) -> None:
        self.score += weight
        self.reasons.append((weight, reason))


def rank_next(kb: KnowledgeBase, finished: str, done: Collection[str], together: AppliedTogether,
              say: Messages) -> list[Recommendation]:
    """Services and bundles to offer after `finished`, best first; `done`: applied for in this session."""
    item = kb.find(finished)
    name = getattr(item, "name", finished)
    members = list(kb.bundles[finished].services) if finished in kb.bundles else [finished]
    candidates: dict[str, _Candidate] = {}

    def add(subject_id: str, weight: float, reason: str) -> None:
        candidates.setdefault(subject_id, _Candidate(len(candidates))).add(weight, reason)

    if together.people:
        for subject_id, count in together.also.items():
            if count >= MIN_PEOPLE:
                add(subject_id, TOGETHER_WEIGHT * count / together.people, say("why_together", done=name))
    for member in members:
        for bundle in kb.bundles_with(member):
            for sibling in bundle.services:
                add(sibling, BUNDLE_WEIGHT, say("why_bundle", done=name, bundle=bundle.name))
    related = list(getattr(item, "related", []))
    if finished in kb.bundles:  # a bundle's members bring their own related services
        related += [r for m in members for r in kb.services[m].related]
    for subject_id in dict.fromkeys(related):
        add(subject_id, RELATED_WEIGHT, say("why_related", done=name))

    excluded = {finished, *members, *done}
    offered = [(sid, c) for sid, c in candidates.items() if sid not in excluded and _offerable(kb, sid, excluded)]
    offered.sort(key=lambda pair: (-pair[1].score, pair[1].order))
    return [
        Recommendation(id=sid, name=getattr(kb.find(sid), "name", sid), kind=RecommendationKind.service,
                       reason=max(c.reasons, key=lambda r: r[0])[1], can_apply=True, start=sid)
        for sid, c in offered
    ]


def _offerable(kb: KnowledgeBase, subject_id: str, excluded: set[str]) -> bool:
    if not is_form_subject(kb, subject_id):
        return False
    bundle = kb.bundles.get(subject_id)
    return bundle is None or not excluded & set(bundle.services)
