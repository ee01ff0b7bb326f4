"""Who may be entitled to what (服务找人): the facts about a citizen and the rules from facts to offers.

`knowledge/eligibility.yaml` is data, not code: a fact holds when the citizen applied for one of its
services, chose one of its choice values in a form, is of its age (from the ID number's birth date)
or said one of its phrases; each rule names what a fact may entitle them to (a policy, the service
that applies for it) and the words that say why. Every id, slot, choice and section named is checked
against the rest of the knowledge base, by `govassist kb check` and on every load.
"""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import Field, model_validator

from knowledge.faults import Fault
from knowledge.models import Bundle, Policy, Service, ServiceId, SlotName, SlotType, Strict, Text

ELIGIBILITY_FILE = "eligibility.yaml"
FactId = SlotName  # lower_snake_case, like slot names


class Because(Strict):
    """How each kind of evidence is put into words; {placeholders} are filled per fact."""

    service: Text  # {name}: the service or bundle applied for
    choice: Text  # {label}: the choice made in a form
    age: Text  # {age}: whole years, from the ID number
    said: Text  # {phrase}: what the citizen said


class FactRule(Strict):
    services: list[ServiceId] = []  # services or bundles whose application shows the fact
    choices: dict[SlotName, list[SlotName]] = {}  # slot -> choice values that show it
    min_age: int | None = Field(default=None, ge=0, le=150)
    max_age: int | None = Field(default=None, ge=0, le=150)
    phrases: list[Text] = []

    @model_validator(mode="after")
    def _has_evidence(self) -> FactRule:
        if not (self.services or self.choices or self.phrases or self.min_age is not None or self.max_age is not None):
            raise ValueError("a fact needs at least one of services, choices, min_age/max_age, phrases")
        return self


class Offer(Strict):
    """One thing a fact may entitle the citizen to: a policy's benefit, and the service that applies for it."""

    fact: FactId
    name: Text  # what the citizen would get, in a few words: 生育津贴
    offer: Text  # the second half of the reason: 可能可以申领生育津贴
    policy: ServiceId | None = None
    section: str | None = None  # the policy section it rests on
    service: ServiceId | None = None  # what one tap starts

    @model_validator(mode="after")
    def _names_something(self) -> Offer:
        if self.policy is None and self.service is None:
            raise ValueError("an offer names a policy, a service, or both")
        if self.section is not None and self.policy is None:
            raise ValueError("a section needs its policy")
        return self


class EligibilityRules(Strict):
    identity_slots: list[SlotName] = Field(min_length=1)  # whose ID number is the applicant's, in order
    because: Because
    reason: Text  # {because} and {offer}
    negations: list[Text] = []  # a phrase right after one of these is not said of oneself
    facts: dict[FactId, FactRule] = Field(min_length=1)
    offers: list[Offer] = Field(min_length=1)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def check_eligibility(path: Path, rules: EligibilityRules, services: dict[str, Service], bundles: dict[str, Bundle],
                      policies: dict[str, Policy], broken: set[str]) -> list[Fault]:
    """Every id, slot, choice value, section and placeholder the rules name exists."""
    faults: list[Fault] = []
    subjects = set(services) | set(bundles) | broken
    slot_types: dict[str, set[SlotType]] = {}
    choice_values: dict[str, set[str]] = {}
    for service in services.values():
        for slot in service.slots:
            slot_types.setdefault(slot.name, set()).add(slot.type)
            choice_values.setdefault(slot.name, set()).update(c.value for c in slot.choices)
    for bundle in bundles.values():  # a bundle asks its shared slots under their own names
        for shared in bundle.shared_slots:
            member_types = set().union(*(slot_types.get(shared.name_in(m), set()) for m in bundle.services))
            slot_types.setdefault(shared.name, set()).update(member_types)

    for i, name in enumerate(rules.identity_slots):
        if SlotType.id_number not in slot_types.get(name, set()):
            faults.append(Fault(path, f"identity_slots[{i}]", f"'{name}' is not an id_number slot of any service"))
    expected = {"service": {"name"}, "choice": {"label"}, "age": {"age"}, "said": {"phrase"}}
    for kind, names in expected.items():
        if (used := placeholders(getattr(rules.because, kind))) - names:
            faults.append(Fault(path, f"because.{kind}", f"unknown placeholder(s) {sorted(used - names)}; use {sorted(names)}"))
    if placeholders(rules.reason) != {"because", "offer"}:
        faults.append(Fault(path, "reason", "must use exactly {because} and {offer}"))

    for fact_id, fact in rules.facts.items():
        where = f"facts.{fact_id}"
        for i, ref in enumerate(fact.services):
            if ref not in subjects:
                faults.append(Fault(path, f"{where}.services[{i}]", f"unknown service or bundle '{ref}'"))
        for slot_name, values in fact.choices.items():
            if slot_name not in choice_values or not choice_values[slot_name]:
                faults.append(Fault(path, f"{where}.choices.{slot_name}", f"'{slot_name}' is not a choice slot of any service"))
            elif unknown := sorted(set(values) - choice_values[slot_name]):
                faults.append(Fault(path, f"{where}.choices.{slot_name}", f"{unknown} are not choices of '{slot_name}'"))
        if fact.min_age is not None and fact.max_age is not None and fact.min_age > fact.max_age:
            faults.append(Fault(path, f"{where}.min_age", "min_age is above max_age"))

    used_facts = set()
    for i, offer in enumerate(rules.offers):
        where = f"offers[{i}]"
        used_facts.add(offer.fact)
        if offer.fact not in rules.facts:
            faults.append(Fault(path, f"{where}.fact", f"unknown fact '{offer.fact}'"))
        if offer.service is not None and offer.service not in subjects:
            faults.append(Fault(path, f"{where}.service", f"unknown service or bundle '{offer.service}'"))
        if offer.policy is not None and offer.policy not in policies and offer.policy not in broken:
            faults.append(Fault(path, f"{where}.policy", f"unknown policy '{offer.policy}'"))
        elif offer.policy in policies and offer.section is not None:
            if offer.section not in {s.id for s in policies[offer.policy].sections}:
                faults.append(Fault(path, f"{where}.section", f"'{offer.policy}' has no section '{offer.section}'"))
    for fact_id in sorted(set(rules.facts) - used_facts):
        faults.append(Fault(path, f"facts.{fact_id}", "no offer uses this fact"))
    return faults
