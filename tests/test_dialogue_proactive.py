"""服务找人 in the conversation: after an application the assistant offers what usually follows and the
benefits the citizen may be entitled to, each with why; "还有哪些可以办" and "我还能享受哪些政策" list
them all; a tap on one starts it. Real assistant, real router, real knowledge base and database.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from assistant.cases.applications import ApplicationDraft
from assistant.common.forms import form_for
from assistant.dialogue.states import State
from eval.citizen import Citizen, make_id_number
from knowledge.models import SubjectKind
from tests.test_dialogue import ID, PHONE, Chat

SIBLINGS = ["出生医学证明办理", "城乡居民基本医疗保险参保登记", "社会保障卡申领", "预防接种证办理"]
BECAUSE_BIRTH = "因为您刚办理了“出生登记（新生儿落户）”"
MORE = "还有哪些可以办"


@pytest.fixture
def chat(assistant) -> Chat:
    return Chat(assistant)


def complete(chat: Chat, subject_id: str, **citizen) -> None:
    """A simulated citizen completes the form, in this conversation."""
    spec = form_for(chat.assistant.kb, subject_id)
    conversation = Citizen(spec, chat.assistant.today(), **citizen).run(chat.say, f"我要办理{spec.subject_name}")
    assert chat.turn.state is State.submitted, conversation.transcript()


def offers_in(turn) -> list[str]:
    return [s for s in turn.suggestions if s not in (MORE, "继续")]


def test_after_birth_registration_the_reply_offers_what_follows_and_a_benefit_with_its_reason(chat):
    complete(chat, "birth-hukou")
    turn = chat.turn
    assert "办完“出生登记（新生儿落户）”，您可能还需要办：出生医学证明办理" in turn.reply
    assert f"{BECAUSE_BIRTH}，妈妈参加了生育保险的，可能可以申领产假期间的生育津贴。" in turn.reply
    offers = offers_in(turn)
    assert 1 <= len(offers) <= 3 and "生育津贴申领" in offers and offers[0] in SIBLINGS
    assert MORE in turn.suggestions  # the rest are a tap away


def test_what_else_lists_every_bundle_sibling_and_the_newborn_benefits_each_with_why(chat):
    complete(chat, "birth-hukou")
    turn = chat.say(MORE)
    assert turn.state is State.submitted
    for name in SIBLINGS:
        assert f"{name}：和“出生登记（新生儿落户）”同属“新生儿出生一件事”，可以接着办。" in turn.reply
    assert f"生育津贴：{BECAUSE_BIRTH}，" in turn.reply and "《女职工劳动保护特别规定》第八条" in turn.reply
    assert set([*SIBLINGS, "生育津贴申领"]) <= set(turn.suggestions)


def test_tapping_an_offer_starts_that_service(chat):
    complete(chat, "birth-hukou")
    turn = chat.say("生育津贴申领")
    assert turn.state is State.consent and turn.service.id == "maternity-allowance"
    chat.say("不同意")
    chat.say(MORE)
    turn = chat.say("预防接种证办理")
    assert turn.state is State.consent and turn.service.id == "vaccination-certificate"


def test_a_benefit_can_be_asked_about_at_any_time_from_what_the_citizen_says(chat):
    turn = chat.say("我是残疾人，我还能享受哪些政策")
    assert turn.state is State.idle
    assert "残疾人两项补贴：因为您提到“残疾”，持残疾人证的困难残疾人和重度残疾人，可能可以申领生活补贴和护理补贴。" in turn.reply
    assert "困难残疾人生活补贴和重度残疾人护理补贴" in turn.suggestions
    turn = chat.say("困难残疾人生活补贴和重度残疾人护理补贴")
    assert turn.state is State.consent and turn.service.id == "disability-subsidy"


def test_what_the_citizen_denies_is_not_held_against_them(chat):
    turn = chat.say("我不是残疾人，我可以办什么补贴")
    assert "残疾" not in turn.reply.replace("我是残疾人", "") and "暂时没有找到" in turn.reply
    assert turn.suggestions == []


def test_asking_about_benefits_in_the_middle_of_a_form_keeps_the_place(chat):
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    chat.say(f"我叫张三，身份证{ID}，电话{PHONE}")
    asked = chat.turn.reply
    turn = chat.say("我失业了，能领什么补贴吗")
    assert turn.state is State.filling
    assert "失业保险金：因为您提到“失业”" in turn.reply
    assert asked.splitlines()[-1] in turn.reply  # the question waiting is asked again
    assert {s.key for s in turn.slots} >= {"applicant_name", "applicant_id_number", "phone"}
    assert "失业保险金申领" not in turn.suggestions  # the form's own quick replies, not another service


def test_the_applicants_age_from_their_id_number_brings_the_benefits_of_older_people(chat):
    born_1940 = make_id_number(date(1940, 3, 7))
    chat.say("我想第一次办张社保卡")
    chat.say("同意")
    chat.say(f"我叫张三，身份证{born_1940}，电话{PHONE}")
    while chat.turn.state is State.filling:
        chat.say("都有了" if "材料" in chat.turn.reply else "1")
    chat.say("确认提交")
    turn = chat.say("我还能享受哪些政策")
    assert "高龄津贴：因为您已年满86周岁" in turn.reply and "老年人优待：因为您已年满86周岁" in turn.reply
    assert "高龄津贴申领" in turn.suggestions  # 老年人优待 has nothing to apply for: no quick reply


def test_what_many_people_did_next_is_offered_first_and_said_so(assistant, chat):
    for n in range(3):  # three earlier families did 出生登记 and then 生育津贴, linked by the mother's ID
        mother, first, later = make_id_number(date(1990 + n, 5, 6)), f"earlier-{n}", f"later-{n}"
        for session, subject in ((first, "birth-hukou"), (later, "maternity-allowance")):
            service = assistant.kb.services[subject]
            view = assistant.book.submit(ApplicationDraft(
                subject_id=subject, subject_name=service.name, kind=SubjectKind.service, dept=service.dept,
                session_id=session, form_id=uuid.uuid4().hex, values={}, display={}))
            assistant.ctx.links.record(view.number, mother)
    complete(chat, "birth-hukou")
    assert "办完“出生登记（新生儿落户）”，很多人接着办理：生育津贴申领" in chat.turn.reply
    assert offers_in(chat.turn)[0] == "生育津贴申领"


def test_the_facts_said_are_encrypted_in_the_stored_conversation(chat, dialogue_settings):
    chat.say("我是残疾人，我还能享受哪些政策")
    stored = chat.assistant.store.load(chat.assistant.key_of(chat.session)).state
    assert "disability" not in str(stored) and "残疾" not in str(stored)
    assert chat.assistant.state_of(chat.assistant.key_of(chat.session)).noted == {"disability": "残疾"}
