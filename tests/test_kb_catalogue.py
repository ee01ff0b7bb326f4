"""The shipped knowledge base is complete and valid: every catalogue id, with a full guide."""

from __future__ import annotations

import json
import re

import pytest

from knowledge.base import load_knowledge_base
from knowledge.catalogue import load_catalogue
from knowledge.models import ServiceKind
from tests.conftest import CATALOGUE, KB_DIR, need


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(KB_DIR)


def test_kb_check_passes_against_the_shared_catalogue(govassist):
    result = govassist("kb", "check", "--catalogue", str(need(CATALOGUE)))
    assert result.exit_code == 0, result.output
    assert "all catalogue ids present" in result.output


def test_every_catalogue_service_and_bundle_is_listed(govassist):
    catalogue = load_catalogue(need(CATALOGUE))
    listing = json.loads(govassist("kb", "list", "--json").output)
    listed = {s["id"]: s for s in listing["services"]}
    for entry in catalogue.services:
        assert listed[entry.id] == {"id": entry.id, "name": entry.name, "kind": entry.kind, "dept": entry.dept}
    assert {b["id"] for b in listing["bundles"]} == {b.id for b in catalogue.bundles}
    assert len(catalogue.services) == 68 and len(catalogue.bundles) == 5


def test_apply_and_report_services_have_a_slot_schema_with_plain_questions(kb):
    for service in kb.services.values():
        if service.kind in (ServiceKind.apply, ServiceKind.report):
            assert service.slots, service.id
            for slot in service.slots:
                assert slot.ask.endswith(("？", "?", "。")), (service.id, slot.name, slot.ask)


def test_every_guide_has_the_facts_a_citizen_needs(kb):
    for service in kb.services.values():
        assert len(service.utterances) >= 15, service.id
        assert len(service.faq) >= 3, service.id
        assert service.aliases and service.conditions and service.steps and service.legal_basis, service.id
        if service.kind is ServiceKind.apply:
            assert service.materials, service.id


DIALECT_MARKERS = ("唔", "冇", "咗", "嘅", "點", "点样", "边度", "攞", "咋个", "啷个", "啥子", "要得", "俺", "咋整", "啥",
                   "阿拉", "侬", "哪能", "勿", "伐")


def test_every_item_has_utterances_in_dialect_traditional_script_and_asr_spacing(kb):
    """Example utterances are written as real people talk, for every service and bundle."""
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    for item in [*kb.services.values(), *kb.bundles.values()]:
        said = item.utterances
        assert any(to_simplified.convert(u) != u for u in said), f"{item.id}: no traditional characters"
        assert any(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff] [\u4e00-\u9fff]", u) for u in said), f"{item.id}: no ASR spacing"
        dialect = [u for u in said if any(m in u for m in DIALECT_MARKERS)]
        assert len(dialect) >= 2, f"{item.id}: fewer than 2 dialect utterances"


def test_the_policy_library_has_citable_sections(kb):
    assert len(kb.policies) >= 30
    for policy in kb.policies.values():
        assert policy.issuer and policy.date and len(policy.sections) >= 2, policy.id
        assert all(s.heading and s.text for s in policy.sections), policy.id


def test_bundles_share_questions_across_their_members(kb):
    for bundle in kb.bundles.values():
        assert all(member in kb.services for member in bundle.services), bundle.id
        assert len(bundle.shared_slots) >= 2, bundle.id
