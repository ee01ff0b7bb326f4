"""What usually follows a finished application: ranked, each with why (服务找人).

Three sources, weighted: what people who applied for it also applied for (from the application
history), the other members of the "一件事" bundles it belongs to, and the guide's related services.
Only services and bundles that start a form are offered, never one already applied for in this
session, nor a bundle that would apply for one of those again.

What fits this person and this case (assistant/data/next_services.yaml): nothing that is another way of
getting the card just applied for (补办社保卡 is not followed by 首次申领), no report (投诉、举报) offered
unasked, and after a report only what that data file says truly follows it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.common.forms import is_form_subject
from assistant.common.messages import Messages
from assistant.proactive.cooccurrence import AppliedTogether
from assistant.proactive.recommendation import Recommendation, RecommendationKind
from knowledge.base import KnowledgeBase
from knowledge.models import ServiceKind

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "next_services.yaml"

# What people do outweighs what the guides say: a service most (over 60%) of them applied for next
# outranks a bundle sibling that is also a related service (2 + 1).
TOGETHER_WEIGHT = 5.0  # times the share of people who applied for both
BUNDLE_WEIGHT = 2.0
RELATED_WEIGHT = 1.0
MIN_PEOPLE = 2  # people who applied for both before it is said that "many people" do


@dataclass(frozen=True)
class FollowUpRules:
    alternatives: tuple[frozenset[str], ...]  # each: services that are other ways of getting one thing
    after_report: dict[str, tuple[str, ...]]  # report id -> what may follow it; a report not here: nothing

    def alternatives_to(self, subject_id: str) -> set[str]:
        return {other for group in self.alternatives if subject_id in group for other in group} - {subject_id}

    def after(self, report_id: str) -> tuple[str, ...]:
        return self.after_report.get(report_id, ())


@lru_cache(maxsize=1)
def follow_up_rules(path: Path = RULES_FILE) -> FollowUpRules:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return FollowUpRules(
        alternatives=tuple(frozenset(group) for group in raw.get("alternatives") or []),
        after_report={k: tuple(v or ()) for k, v in (raw.get("after_report") or {}).items()},
    )


def _is_report(kb: KnowledgeBase, subject_id: str) -> bool:
    service = kb.services.get(subject_id)
    return service is not None and service.kind is ServiceKind.report


@dataclass
class _Candidate:
    order: int
    score: float = 0.0
    reasons: list[tuple[float, str]] = field(default_factory=list)

    def add(self, weight: float, reason: str) -> None:
        self.score += weight
        self.reasons.append((weight, reason))


def rank_next(kb: KnowledgeBase, finished: str, done: Collection[str], together: AppliedTogether,
              say: Messages, rules: FollowUpRules | None = None) -> list[Recommendation]:
    """Services and bundles to offer after `finished`, best first; `done`: applied for in this session."""
    rules = rules or follow_up_rules()
    item = kb.find(finished)
    name = getattr(item, "name", finished)
    members = list(kb.bundles[finished].services) if finished in kb.bundles else [finished]
    candidates: dict[str, _Candidate] = {}

    def add(subject_id: str, weight: float, reason: str) -> None:
        candidates.setdefault(subject_id, _Candidate(len(candidates))).add(weight, reason)

    if _is_report(kb, finished):  # only what truly follows this report, whatever else people did
        for subject_id in rules.after(finished):
            add(subject_id, RELATED_WEIGHT, say("why_related", done=name))
        return _ranked(kb, candidates, {finished, *done})
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

    alternatives = {alt for member in members for alt in rules.alternatives_to(member)}
    return _ranked(kb, candidates, {finished, *members, *done}, alternatives)


def _ranked(kb: KnowledgeBase, candidates: dict[str, _Candidate], excluded: set[str],
            alternatives: Collection[str] = ()) -> list[Recommendation]:
    offered = [(sid, c) for sid, c in candidates.items()
               if sid not in excluded and sid not in alternatives and _offerable(kb, sid, excluded)]
    offered.sort(key=lambda pair: (-pair[1].score, pair[1].order))
    return [
        Recommendation(id=sid, name=getattr(kb.find(sid), "name", sid), kind=RecommendationKind.service,
                       reason=max(c.reasons, key=lambda r: r[0])[1], can_apply=True, start=sid)
        for sid, c in offered
    ]


def _offerable(kb: KnowledgeBase, subject_id: str, excluded: set[str]) -> bool:
    """A form to start, not a report, and not a bundle that would apply for one of `excluded` again."""
    if not is_form_subject(kb, subject_id) or _is_report(kb, subject_id):
        return False
    bundle = kb.bundles.get(subject_id)
    return bundle is None or not excluded & set(bundle.services)
