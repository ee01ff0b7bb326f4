"""`govassist kb show` prints a guide the way a citizen reads it."""

from __future__ import annotations

from knowledge.base import load_knowledge_base
from tests.conftest import KB_DIR


def test_a_service_guide_has_every_heading_a_citizen_looks_for(govassist):
    shown = govassist("kb", "show", "sscard-apply").output
    for heading in ("办理条件", "所需材料", "办理流程", "办理时限", "收费标准", "办理渠道", "设定依据", "常见问题"):
        assert f"【{heading}】" in shown
    assert "社会保障卡申领" in shown and "12333" in shown
    assert "可容缺" in shown  # a deferrable material says so


def test_a_bundle_lists_its_members_by_name_and_the_questions_asked_once(govassist):
    shown = govassist("kb", "show", "newborn").output
    kb = load_knowledge_base(KB_DIR)
    for member in kb.bundles["newborn"].services:
        assert kb.services[member].name in shown
    assert "【以下信息只需填写一次】" in shown


def test_a_policy_is_shown_with_its_issuer_and_sections(govassist):
    kb = load_knowledge_base(KB_DIR)
    policy = next(iter(kb.policies.values()))
    shown = govassist("kb", "show", policy.id).output
    assert policy.title in shown and policy.issuer in shown
    assert all(section.heading in shown for section in policy.sections)


def test_an_unknown_id_is_a_clear_error(govassist):
    result = govassist("kb", "show", "no-such-thing")
    assert result.exit_code != 0 and "未找到事项" in result.output
