"""What the conversation tells us about the citizen, as the facts of knowledge/eligibility.yaml.

A fact holds on evidence, strongest first: an application made in this session, a choice made in
a form, the applicant's age (from the birth date in their ID number), or a phrase they said. Each
fact carries that evidence in words ("您刚办理了“出生登记（新生儿落户）”"), to say why an offer is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from knowledge.base import KnowledgeBase
from knowledge.eligibility import EligibilityRules, FactRule

NEGATION_REACH = 2  # characters before a phrase looked at for 不/没/不是…


@dataclass(frozen=True)
class Evidence:
    applied: Sequence[str] = ()  # subject ids applied for in this session, members of bundles too, newest first
    values: Sequence[Mapping[str, str]] = ()  # slot -> value, per form or application, newest first
    said: Mapping[str, str] = field(default_factory=dict)  # fact -> the phrase said


@dataclass(frozen=True)
class Fact:
    id: str
    because: str  # the evidence in words
    strength: int  # 0 applied for, 1 chose in a form, 2 age, 3 said: offers on stronger evidence come first


def said_facts(rules: EligibilityRules, text: str) -> dict[str, str]:
    """The facts a message states of the speaker: "我是残疾人" yes, "我不是残疾人" no."""
    found: dict[str, str] = {}
    for fact_id, fact in rules.facts.items():
        for phrase in fact.phrases:
            if _stated(text, phrase, rules.negations):
                found[fact_id] = phrase
                break
    return found


def _stated(text: str, phrase: str, negations: Sequence[str]) -> bool:
    start = text.find(phrase)
    while start != -1:
        before = text[max(0, start - NEGATION_REACH):start]
        if not any(before.endswith(n) for n in negations):
            return True
        start = text.find(phrase, start + 1)
    return False


def applicant_id(rules: EligibilityRules, values: Mapping[str, str]) -> str | None:
    """The ID number of whoever applied: the first identity slot answered, in the rules' order."""
    return first_answered(rules.identity_slots, values)


def first_answered(slots: Sequence[str], values: Mapping[str, str]) -> str | None:
    """The value of the first of `slots` that `values` holds (plain or encrypted alike)."""
    return next((values[s] for s in slots if values.get(s)), None)


def age_on(id_number: str, today: date) -> int | None:
    try:
        born = ric.get_birth_date(id_number)
    except (ValidationError, ValueError):
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def derive_facts(kb: KnowledgeBase, evidence: Evidence, today: date) -> list[Fact]:
    """Every fact of the rules that the evidence shows, in the rules' order, each with its strongest evidence."""
    rules = kb.eligibility
    if rules is None:
        return []
    age = next((a for values in evidence.values if (n := applicant_id(rules, values)) and (a := age_on(n, today)) is not None),
               None)
    labels = _choice_labels(kb)
    facts = []
    for fact_id, rule in rules.facts.items():
        found = [_by_service(kb, rules, rule, evidence), _by_choice(rules, rule, evidence, labels),
                 _by_age(rules, rule, age), _by_said(rules, fact_id, evidence)]
        strength = next((i for i, because in enumerate(found) if because is not None), None)
        if strength is not None:
            facts.append(Fact(fact_id, found[strength], strength))  # type: ignore[arg-type]  # the first not None
    return facts


def _by_service(kb: KnowledgeBase, rules: EligibilityRules, rule: FactRule, evidence: Evidence) -> str | None:
    done = next((sid for sid in evidence.applied if sid in rule.services), None)
    if done is None:
        return None
    item = kb.find(done)
    return rules.because.service.format(name=getattr(item, "name", done))


def _by_choice(rules: EligibilityRules, rule: FactRule, evidence: Evidence, labels: Mapping[tuple[str, str], str]) -> str | None:
    for values in evidence.values:
        for slot, wanted in rule.choices.items():
            if values.get(slot) in wanted:
                return rules.because.choice.format(label=labels.get((slot, values[slot]), values[slot]))
    return None


def _by_age(rules: EligibilityRules, rule: FactRule, age: int | None) -> str | None:
    if age is None or (rule.min_age is None and rule.max_age is None):
        return None
    if (rule.min_age is not None and age < rule.min_age) or (rule.max_age is not None and age > rule.max_age):
        return None
    return rules.because.age.format(age=age)


def _by_said(rules: EligibilityRules, fact_id: str, evidence: Evidence) -> str | None:
    phrase = evidence.said.get(fact_id)
    return None if phrase is None else rules.because.said.format(phrase=phrase)


def _choice_labels(kb: KnowledgeBase) -> dict[tuple[str, str], str]:
    """(slot, choice value) -> the label a citizen saw; the first service that has the slot wins."""
    labels: dict[tuple[str, str], str] = {}
    for service in kb.services.values():
        for slot in service.slots:
            for choice in slot.choices:
                labels.setdefault((slot.name, choice.value), choice.label)
    return labels
