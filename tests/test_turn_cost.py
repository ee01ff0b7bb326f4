"""What a turn costs: the pretrained encoder (tens of milliseconds a message, the rest of a turn a few)
runs at most once a turn on a message, and inside a form only when the message might be a switch of
service or a question. An answer the question's slot accepts goes without it.

Each test talks to the real Assistant over the real index, through a router whose pretrained encoder
counts what it is asked to encode (a fresh router: nothing kept from other tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest

from assistant.dialogue.states import State
from eval.citizen import make_id_number
from intents.router import Router

ID = "110101199003074514"
PHONE = "13800138000"


class CountingEncoder:
    """The pretrained encoder, counting the texts it encodes as queries."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.identity = inner.name, inner.identity
        self.queries: list[str] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries += list(texts)
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


@pytest.fixture
def counting(router) -> tuple[Router, CountingEncoder]:
    assert router.pretrained is not None, "these tests are about the pretrained encoder"
    encoder = CountingEncoder(router.pretrained)
    return Router(router.index, router.encoder, router.normalise, router.names, router.policy, encoder), encoder


@pytest.fixture
def encoder(counting) -> CountingEncoder:
    return counting[1]


@pytest.fixture
def chat(counting, dialogue_settings, knowledge_base):
    from assistant.factory import build_assistant
    from tests.conftest import DIALOGUE_NOW

    assistant = build_assistant(dialogue_settings, knowledge_base, counting[0], clock=lambda: DIALOGUE_NOW)
    return Chat(assistant)


class Chat:
    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.session = assistant.new_session()

    def say(self, text: str):
        return self.assistant.handle(self.session, text)


def encodings_of(encoder: CountingEncoder, chat: Chat, text: str):
    """The turn for text and the texts the pretrained encoder ran on during it."""
    before = len(encoder.queries)
    turn = chat.say(text)
    return turn, encoder.queries[before:]


def test_a_routed_message_is_encoded_once_though_the_turn_scores_it_and_looks_for_its_answer(chat, encoder):
    turn, encoded = encodings_of(encoder, chat, "结婚登记要多少钱")
    assert "免费" in turn.reply  # answered from the fee passage: routed, then its passages read
    assert len(encoded) == 1


def test_the_same_message_again_is_not_encoded_again(chat, encoder):
    encodings_of(encoder, chat, "护照怎么办理")
    _, encoded = encodings_of(encoder, Chat(chat.assistant), "护照怎么办理")
    assert encoded == []


def test_answers_the_slot_accepts_go_without_the_pretrained_encoder(chat, encoder):
    """A whole form: names, a choice, dates, free text, an ID number, skips, an address, a phone, a
    question the guide answers, the read-back and the submission. Only the first request is routed."""
    turn, encoded = encodings_of(encoder, chat, "刚生了孩子怎么上户口")
    assert turn.service.id == "birth-hukou" and len(encoded) == 1
    mother_id = make_id_number(date(1992, 5, 6))
    answers = ("同意", "李小宝", "男孩", "2026年11月1日", "广州市妇女儿童医疗中心", "要带什么材料？", "王芳", mother_id,
               "跳过", "跳过", "随父落户", "广东省广州市越秀区东风中路305号", PHONE)
    for answer in answers:
        turn, encoded = encodings_of(encoder, chat, answer)
        assert encoded == [], f"{answer!r} was encoded"
    while turn.state is State.filling:  # materials and whatever the form asks last
        turn, encoded = encodings_of(encoder, chat, "都有了")
        assert encoded == []
    assert turn.state is State.confirming
    turn, encoded = encodings_of(encoder, chat, "确认提交")
    assert turn.state is State.submitted and encoded == []


@pytest.mark.parametrize("answer", ["张三", ID, PHONE, f"我叫张三，身份证{ID}，电话{PHONE}"])
def test_a_name_an_id_number_or_a_phone_goes_without_it(chat, encoder, answer):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    turn, encoded = encodings_of(encoder, chat, answer)
    assert turn.state is State.filling and turn.slots and encoded == []


def test_a_switch_naming_the_service_needs_no_encoder(chat, encoder):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    turn, encoded = encodings_of(encoder, chat, "我还想问一下结婚登记")  # asked the name: not one
    assert turn.state is State.consent and turn.service.id == "marriage-registration"
    assert encoded == []
    assert "社会保障卡申领" in turn.reply  # kept aside, to resume


def test_long_free_text_the_slot_rejects_is_routed_and_a_confident_request_switches(chat, encoder):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    turn, encoded = encodings_of(encoder, chat, "我的驾驶证过期了需要换证")
    assert turn.service.id == "driving-licence-renewal" and turn.state is State.consent
    assert len(encoded) == 1


def test_free_text_that_only_resembles_a_request_keeps_the_form(chat, encoder):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    turn, encoded = encodings_of(encoder, chat, "我在外地打工不方便")  # routed, but not with confidence
    assert turn.service.id == "sscard-apply" and turn.state is State.filling and turn.asking == "applicant_name"
    assert len(encoded) == 1


def test_short_text_the_slot_rejects_is_not_routed(chat, encoder):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    chat.say("张三")
    turn, encoded = encodings_of(encoder, chat, "不记得了")
    assert turn.state is State.filling and turn.asking == "applicant_id_number"
    assert encoded == []


def test_a_question_inside_a_form_is_routed_once(chat, encoder):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    turn, encoded = encodings_of(encoder, chat, "社保卡丢了能补办吗？")
    assert turn.state is State.filling and len(encoded) == 1


def test_the_copilot_encodes_each_text_it_looks_at_once(counting, encoder, knowledge_base):
    from assistant.copilot.suggestions import Copilot
    from intents.dispatch import DispatchModel

    copilot = Copilot(counting[0], DispatchModel.train(knowledge_base), knowledge_base)
    suggestion = copilot.suggest("您好，我想问一下，孩子刚出生，上户口要带什么材料？")
    assert suggestion.candidates
    assert 1 <= len(encoder.queries) == len(set(encoder.queries)) <= 3  # the latest words, wider ones, the question
