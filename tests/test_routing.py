"""Routing decisions on the real knowledge base: route, clarify, answer with a citation, or none."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from cli import main
from intents.router import Decision


@pytest.mark.parametrize(
    ("message", "service"),
    [
        ("社保卡丢了怎么办", "sscard-loss"),
        ("我想第一次办张社保卡", "sscard-apply"),
        ("身份证快过期了要换新的", "id-card-renewal"),
        ("我在外面租房，想提取公积金交房租", "hpf-withdraw-rent"),
        ("俺想办护照咋整", "passport"),  # Northeastern
        ("點樣申請港澳通行證", "hk-macau-permit"),  # Cantonese, traditional script
        ("公 司 要 注 销", "company-deregistration"),  # ASR spacing
        ("孩子刚出生要办哪些手续", "newborn"),  # a bundle
    ],
)
def test_a_request_lands_on_its_service(router, message, service):
    result = router.route(message)
    assert result.decision in (Decision.route, Decision.answer, Decision.clarify)
    assert result.candidates[0].id == service, result.to_dict()


@pytest.mark.parametrize("message", ["你好", "今天天气怎么样", "asdfgh", "股票明天会涨吗", "", "   "])
def test_greetings_chit_chat_other_topics_and_garbage_are_out_of_scope(router, message):
    assert router.route(message).decision is Decision.none


def test_a_question_about_a_guide_is_answered_with_its_source(router):
    result = router.route("办护照要带什么材料")
    assert result.decision is Decision.answer
    assert result.candidates[0].id == "passport"
    assert result.answer is not None and "护照" in result.answer.source and result.answer.text


def test_close_candidates_make_the_router_ask_which(router):
    """With a wide clarify margin any message with a plausible runner-up is a clarification."""
    router.policy, saved = replace(router.policy, clarify_margin=1.0, clarify_min=0.0, answer_min=2.0), router.policy
    try:
        result = router.route("我想办社保卡")
    finally:
        router.policy = saved
    assert result.decision is Decision.clarify
    assert 2 <= len(result.candidates) <= 3


def test_confidence_is_a_probability_and_higher_for_clear_requests(router):
    clear, vague = router.route("社保卡丢了怎么补办"), router.route("我想问个事")
    assert 0.0 <= vague.confidence <= clear.confidence <= 1.0


def test_ask_prints_the_decision_candidates_and_normalised_text_as_json(routing_settings, router):
    result = CliRunner().invoke(
        main, ["--data-dir", str(routing_settings.data_dir), "ask", "社 保 卡 丢 了 咋 整", "--json"], catch_exceptions=False
    )
    body = json.loads(result.output)
    assert set(body) >= {"decision", "candidates", "answer", "normalised"}
    assert body["normalised"] == "社保卡丢了怎么办"
    assert body["candidates"][0]["id"] == "sscard-loss"
    assert set(body["candidates"][0]) >= {"id", "name", "score"}


def test_a_request_naming_a_service_whose_name_has_a_fact_word_is_routed_not_answered(router):
    # "费用" is in the service's name: "我要办理医疗费用…报销" asks to apply, not what it costs.
    result = router.route("我要办理医疗费用手工（零星）报销")
    assert result.decision is Decision.route and result.candidates[0].id == "medical-reimbursement"
