"""服务找人, the rules: facts from what a conversation shows, the policies they match, and the checks
that keep knowledge/eligibility.yaml true to the rest of the knowledge base.

Fact derivation and matching run on the real knowledge base and its real rules.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant.privacy.crypto import FieldCipher
from assistant.proactive.facts import Evidence, age_on, applicant_id, derive_facts, said_facts
from assistant.proactive.policy_match import match_policies
from assistant.proactive.recommendation import RecommendationKind
from eval.citizen import make_id_number
from knowledge.base import load_knowledge_base
from knowledge.faults import KnowledgeBaseError
from tests.conftest import KB_DIR

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(KB_DIR)


def facts_of(kb, **evidence) -> dict[str, str]:
    return {f.id: f.because for f in derive_facts(kb, Evidence(**evidence), TODAY)}


# -- facts ------------------------------------------------------------------------------------------


def test_what_a_citizen_says_of_themselves_is_a_fact_but_not_when_they_deny_it(kb):
    rules = kb.eligibility
    assert said_facts(rules, "我是残疾人，能领什么") == {"disability": "残疾"}
    assert said_facts(rules, "我不是残疾人") == {}
    assert said_facts(rules, "家里没有残疾人，我刚生了孩子") == {"newborn": "刚生了孩子"}
    assert set(said_facts(rules, "刚生完孩子就失业了")) == {"newborn", "unemployed"}


def test_an_application_made_in_the_session_is_the_strongest_evidence(kb):
    facts = derive_facts(kb, Evidence(applied=["birth-hukou"], said={"newborn": "新生儿"}), TODAY)
    newborn = next(f for f in facts if f.id == "newborn")
    assert newborn.because == "您刚办理了“出生登记（新生儿落户）”" and newborn.strength == 0


def test_a_choice_made_in_a_form_is_a_fact_in_the_words_the_citizen_saw(kb):
    assert facts_of(kb, values=[{"insured_category": "student"}]) == {"student": "您选择了“中小学生和在校大学生”"}
    assert "low_income" in facts_of(kb, values=[{"assistance_status": "low_income"}])
    assert facts_of(kb, values=[{"insured_category": "adult"}]) == {}


def test_age_comes_from_the_applicants_id_number(kb):
    born_1950 = make_id_number(date(1950, 3, 1))
    assert age_on(born_1950, TODAY) == 76
    assert facts_of(kb, values=[{"applicant_id_number": born_1950}]) == {"elderly": "您已年满76周岁"}
    older = facts_of(kb, values=[{"applicant_id_number": make_id_number(date(1941, 1, 1))}])
    assert set(older) == {"elderly", "aged_80"}
    assert facts_of(kb, values=[{"applicant_id_number": make_id_number(date(1990, 3, 7))}]) == {}
    # The baby's ID number in a bundle is not the applicant's: the mother's is, when no applicant slot is given.
    values = {"baby_id_number": make_id_number(date(2026, 11, 1)), "mother_id_number": born_1950}
    assert applicant_id(kb.eligibility, values) == born_1950


def test_without_evidence_there_are_no_facts(kb):
    assert derive_facts(kb, Evidence(), TODAY) == []


# -- matching -----------------------------------------------------------------------------------------


def test_a_newborn_matches_the_maternity_allowance_with_its_reason_and_the_service_that_applies(kb):
    facts = derive_facts(kb, Evidence(applied=["birth-hukou"]), TODAY)
    items = match_policies(kb, facts, done={"birth-hukou"})
    allowance = next(i for i in items if i.name == "生育津贴")
    assert allowance.kind is RecommendationKind.policy and allowance.id == "female-employee-labour-protection"
    assert allowance.reason.startswith("因为您刚办理了“出生登记（新生儿落户）”，") and "生育津贴" in allowance.reason
    assert allowance.can_apply and allowance.start == "maternity-allowance"
    assert allowance.basis == "《女职工劳动保护特别规定》第八条"


def test_a_service_already_applied_for_is_not_offered_again(kb):
    facts = derive_facts(kb, Evidence(applied=["maternity-allowance"]), TODAY)
    assert all(i.start != "maternity-allowance" for i in match_policies(kb, facts, done={"maternity-allowance"}))


def test_a_benefit_without_an_application_is_listed_but_cannot_be_started(kb):
    facts = derive_facts(kb, Evidence(values=[{"applicant_id_number": make_id_number(date(1950, 3, 1))}]), TODAY)
    perks = next(i for i in match_policies(kb, facts, done=set()) if i.name == "老年人优待")
    assert not perks.can_apply and perks.start is None and "您已年满76周岁" in perks.reason


def test_one_offer_per_service_with_the_reason_of_the_strongest_evidence_first(kb):
    evidence = Evidence(applied=["veteran-card"], said={"disability": "残疾"})
    items = match_policies(kb, derive_facts(kb, evidence, TODAY), done={"veteran-card"})
    legal_aid = [i for i in items if i.start == "legal-aid"]
    assert len(legal_aid) == 1 and "退役军人优待证" in legal_aid[0].reason  # applied for beats said
    strengths = [i.reason.startswith("因为您刚办理了") for i in items]
    assert strengths == sorted(strengths, reverse=True)  # applied-for evidence before what was said


# -- the keyed digest that links one applicant's applications ------------------------------------------


def test_the_applicant_digest_is_keyed_never_a_plain_hash_and_changes_with_the_key():
    number = make_id_number(date(1990, 3, 7))
    one, other = FieldCipher([b"k" * 32]), FieldCipher([b"j" * 32])
    assert one.keyed_digest(number, "applicant") == one.keyed_digest(number, "applicant")
    assert one.keyed_digest(number, "applicant") != other.keyed_digest(number, "applicant")
    assert one.keyed_digest(number, "applicant") != hashlib.sha256(number.encode()).hexdigest()
    assert number not in one.keyed_digest(number, "applicant")


# -- the checks ----------------------------------------------------------------------------------------


@pytest.fixture
def rules_copy(kb_copy: Path) -> Path:
    shutil.copy(KB_DIR / "eligibility.yaml", kb_copy / "eligibility.yaml")
    return kb_copy


def edit_rules(kb_dir: Path, change) -> None:
    path = kb_dir / "eligibility.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_shipped_rules_pass_the_check(govassist, rules_copy):
    assert govassist("--kb-dir", str(rules_copy), "kb", "check").exit_code == 0


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["offers"][0].update(service="no-such-service"), "offers[0].service", "unknown service"),
        (lambda d: d["offers"][0].update(policy="no-such-policy"), "offers[0].policy", "unknown policy"),
        (lambda d: d["offers"][0].update(section="art-999"), "offers[0].section", "has no section 'art-999'"),
        (lambda d: d["offers"][0].update(fact="pregnant"), "offers[0].fact", "unknown fact 'pregnant'"),
        (lambda d: d["facts"]["newborn"].update(services=["birth-hukou", "no-such-service"]),
         "facts.newborn.services[1]", "unknown service"),
        (lambda d: d["facts"]["student"]["choices"].update(insured_category=["pupil"]),
         "facts.student.choices.insured_category", "['pupil'] are not choices"),
        (lambda d: d["identity_slots"].append("phone"), "identity_slots[6]", "not an id_number slot"),
        (lambda d: d.update(reason="因为{because}。"), "reason", "exactly {because} and {offer}"),
    ],
)
def test_a_broken_rule_is_named_by_kb_check_with_its_field(govassist, rules_copy, change, field, words):
    edit_rules(rules_copy, change)
    result = govassist("--kb-dir", str(rules_copy), "kb", "check")
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if "eligibility.yaml" in line and f": {field}:" in line]
    assert any(words in line for line in lines), result.output


def test_a_rule_naming_an_unknown_service_stops_the_knowledge_base_from_loading(rules_copy):
    edit_rules(rules_copy, lambda d: d["offers"][0].update(service="no-such-service"))
    with pytest.raises(KnowledgeBaseError, match=r"eligibility.yaml: offers\[0\].service: unknown service"):
        load_knowledge_base(rules_copy)
