"""From the facts about a citizen to the policies and benefits they may be entitled to, each with its reason.

The rules are knowledge/eligibility.yaml; this only applies them: offers of facts with stronger
evidence first, then in the file's order, one per service (the first reason given is the one kept),
and none for a service already applied for in this session.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from assistant.common.forms import is_form_subject
from assistant.proactive.facts import Fact
from assistant.proactive.recommendation import Recommendation, RecommendationKind
from knowledge.base import KnowledgeBase
from knowledge.eligibility import EligibilityRules, Offer


def match_policies(kb: KnowledgeBase, facts: Sequence[Fact], done: Collection[str]) -> list[Recommendation]:
    rules = kb.eligibility
    if rules is None:
        return []
    holding = {f.id: f for f in facts}
    ranked = sorted(((holding[o.fact].strength, i, o) for i, o in enumerate(rules.offers) if o.fact in holding),
                    key=lambda t: t[:2])
    items: list[Recommendation] = []
    seen: set[str] = set()
    for _, _, offer in ranked:
        key = offer.service or offer.name
        if offer.service in done or key in seen:
            continue
        seen.add(key)
        items.append(_recommendation(kb, rules, offer, holding[offer.fact]))
    return items


def _recommendation(kb: KnowledgeBase, rules: EligibilityRules, offer: Offer, fact: Fact) -> Recommendation:
    basis = None
    if offer.policy is not None:
        policy = kb.policies[offer.policy]
        heading = next((s.heading for s in policy.sections if s.id == offer.section), "")
        basis = f"《{policy.title}》{heading}"
    can_apply = offer.service is not None and is_form_subject(kb, offer.service)
    return Recommendation(
        id=offer.policy or offer.service or offer.name,
        name=offer.name,
        kind=RecommendationKind.policy if offer.policy else RecommendationKind.service,
        reason=rules.reason.format(because=fact.because, offer=offer.offer),
        can_apply=can_apply,
        start=offer.service if can_apply else None,
        basis=basis,
    )
