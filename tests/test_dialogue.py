"""The dialogue, turn by turn: consent, filling, corrections, switching, questions, pre-check, submit.

Every test talks to the real Assistant (real router, real SQLite database) the way a citizen would.
"""

from __future__ import annotations

import re

import pytest

from assistant.dialogue.states import State
from eval.citizen import make_id_number

ID = "110101199003074514"
ID_2 = make_id_number(__import__("datetime").date(1988, 5, 6))
PHONE = "13800138000"


class Chat:
    """One conversation: say() returns the Turn; the last turn is kept for assertions."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.session = assistant.new_session()
        self.turn = None

    def say(self, text: str):
        self.turn = self.assistant.handle(self.session, text)
        return self.turn

    def slots(self) -> dict[str, str]:
        return {s.key: s.value for s in self.turn.slots}


@pytest.fixture
def chat(assistant) -> Chat:
    return Chat(assistant)


def start_sscard(chat: Chat) -> None:
    assert chat.say("我想第一次办张社保卡").state is State.consent
    assert chat.say("同意").state is State.filling


def test_routing_to_an_apply_service_asks_consent_naming_what_will_be_collected(chat, assistant):
    turn = chat.say("我想第一次办张社保卡")
    assert turn.state is State.consent
    assert turn.service.id == "sscard-apply"
    assert "同意" in turn.reply and "身份证号码" in turn.reply
    assert "同意" in turn.suggestions and "不同意" in turn.suggestions
    assert turn.slots == [] and turn.missing  # nothing is collected before consent


def test_consent_is_recorded_and_declining_collects_nothing(chat, assistant):
    chat.say("我想第一次办张社保卡")
    turn = chat.say("不同意")
    assert turn.state is State.idle and "不收集" in turn.reply
    chat.say("我想第一次办张社保卡")
    chat.say("好的")
    rows = assistant.store.consents(assistant.key_of(chat.session))
    assert [r.granted for r in rows] == [False, True]
    assert "公民身份号码" in rows[1].fields or any("身份证" in f for f in rows[1].fields)
    assert all(r.subject_id == "sscard-apply" for r in rows)


def test_several_values_in_one_message_fill_several_slots(chat):
    start_sscard(chat)
    turn = chat.say(f"我叫张三，身份证{ID}，电话{PHONE}")
    slots = chat.slots()
    assert slots["applicant_name"] == "张*"
    assert slots["applicant_id_number"] == "110101********4514"
    assert slots["phone"] == "138****8000"
    assert "姓名" not in " ".join(turn.missing)


def test_a_wrong_value_gets_one_plain_sentence_and_the_question_again(chat):
    start_sscard(chat)
    chat.say("张三")
    turn = chat.say("110101199003074515")  # checksum wrong
    assert turn.state is State.filling
    assert "校验" in turn.reply and "身份证" in turn.reply
    assert "Traceback" not in turn.reply and "applicant_id_number" not in chat.slots()


def test_a_value_refused_twice_comes_with_an_example_and_a_human_then_an_optional_one_can_be_skipped(chat):
    start_sscard(chat)
    chat.say(f"我叫张三，身份证{ID}，电话{PHONE}")
    first = chat.say("12345")
    second = chat.say("abc")
    assert "转人工" not in first.reply
    assert "转人工" in second.reply and "转人工" in second.suggestions
    assert "比如" in second.reply or "可以这样说" in second.reply or "可以选" in second.reply


def test_corrections_change_a_field_by_naming_it(chat):
    start_sscard(chat)
    chat.say(f"我叫张三，身份证{ID}，电话{PHONE}")
    chat.say("电话说错了，是13900139000")
    assert chat.slots()["phone"] == "139****9000"
    turn = chat.say("名字不对")
    assert "applicant_name" not in chat.slots()
    assert "名字" in turn.reply or "姓名" in turn.reply
    chat.say("李四")
    assert chat.slots()["applicant_name"] == "李*"


def test_back_restart_and_cancel(chat):
    start_sscard(chat)
    chat.say("张三")
    assert "applicant_name" in chat.slots()
    chat.say("上一步")
    assert "applicant_name" not in chat.slots()
    chat.say("张三")
    chat.say(ID)
    turn = chat.say("重新开始")
    assert turn.state is State.filling and chat.slots() == {}
    turn = chat.say("取消")
    assert turn.state is State.idle and turn.slots == []


def test_switching_service_keeps_the_old_form_and_going_back_resumes_it(chat):
    start_sscard(chat)
    chat.say(f"我叫张三，身份证{ID}")
    turn = chat.say("算了，先办身份证换领")
    assert turn.service.id in ("id-card-renewal",)
    chat.say("取消")
    turn = chat.say("继续")
    assert turn.service.id == "sscard-apply"
    assert chat.slots()["applicant_name"] == "张*" and "applicant_id_number" in chat.slots()


def test_questions_while_filling_are_answered_from_the_guide_without_losing_the_place(chat):
    start_sscard(chat)
    chat.say("张三")
    turn = chat.say("要带什么材料？")
    assert turn.state is State.filling
    assert ("身份证" in turn.reply and "我们接着办" not in turn.reply) or "身份证号码" in turn.reply
    turn = chat.say("要多久？")
    assert "工作日" in turn.reply or "当场" in turn.reply or "即时" in turn.reply
    assert chat.slots()["applicant_name"] == "张*"
    chat.say(ID)
    assert "applicant_id_number" in chat.slots()


def test_follow_up_questions_after_routing_are_about_the_current_service(chat, knowledge_base):
    chat.say("护照怎么办理")
    passport = knowledge_base.services["passport"]
    turn = chat.say("那要多少钱？")
    assert passport.fee.text in turn.reply
    turn = chat.say("在哪办？")
    assert passport.channels.counter in turn.reply


def test_materials_precheck_blocks_on_required_and_lets_deferrable_wait(chat, knowledge_base):
    turn = chat.say("刚生了孩子怎么上户口")
    assert turn.service.id == "birth-hukou"
    chat.say("同意")
    for answer in ("李小宝", "男孩", "2026年11月1日", "广州市妇女儿童医疗中心", "王芳", make_id_number(__import__("datetime").date(1992, 5, 6)),
                   "跳过", "跳过", "随父落户", "广东省广州市越秀区东风中路305号", PHONE):
        turn = chat.say(answer)
    assert "材料" in turn.reply and "1." in turn.reply
    turn = chat.say("没有户口簿")
    assert turn.state is State.filling and "户口簿" in turn.reply and "还缺" in turn.reply
    turn = chat.say("没有结婚证，别的都有")
    assert turn.state is State.confirming
    assert "结婚证" in turn.reply  # read back as to bring later
    turn = chat.say("确认提交")
    assert turn.state is State.submitted
    assert "补交" in turn.reply and "结婚证" in turn.reply


def test_confirmation_reads_back_the_citizens_own_answers_and_submission_gives_a_tracking_number(chat, assistant):
    start_sscard(chat)
    chat.say(f"我叫张三，身份证{ID}，电话{PHONE}")
    turn = chat.turn
    while turn.state is State.filling:
        question = turn.reply
        turn = chat.say("都有了" if "材料" in question else "1")
    assert turn.state is State.confirming
    # Their own conversation: the citizen checks what they gave; only the ID number's middle digits are masked.
    assert "张三" in turn.reply and "110101********4514" in turn.reply and PHONE in turn.reply
    assert ID not in turn.reply
    turn = chat.say("确认提交")
    assert turn.state is State.submitted
    assert re.fullmatch(r"GA20261123-\d{6}", turn.application.number)
    assert turn.application.status == "submitted"
    assert "人力资源和社会保障" in turn.reply or "社保" in turn.reply


def test_a_repeated_confirmation_creates_no_second_application(chat, assistant):
    test_confirmation_reads_back_the_citizens_own_answers_and_submission_gives_a_tracking_number(chat, assistant)
    number = chat.turn.application.number
    turn = chat.say("确认提交")
    assert number in turn.reply and turn.application.number == number
    assert len(assistant.book.for_session(assistant.key_of(chat.session))) == 1


def test_progress_lookup_shows_personal_data_only_to_the_session_that_applied(chat, assistant):
    test_confirmation_reads_back_the_citizens_own_answers_and_submission_gives_a_tracking_number(chat, assistant)
    number = chat.turn.application.number
    own = chat.say(f"查一下{number}")
    assert "已提交" in own.reply and "张*" in own.reply
    # Another conversation is asked for the phone's last four digits first: numbers cannot be walked.
    stranger = Chat(assistant)
    asked = stranger.say(f"查询办件进度 {number}")
    assert "后四位" in asked.reply and "已提交" not in asked.reply
    assert "对不上" in stranger.say("1234").reply
    stranger.say(f"查询办件进度 {number}")
    other = stranger.say(f"后四位是{PHONE[-4:]}")
    assert "已提交" in other.reply and "张*" not in other.reply


def test_after_a_service_completes_the_related_services_are_offered(chat):
    test_materials_precheck_blocks_on_required_and_lets_deferrable_wait(chat, None)
    offered = " ".join(chat.turn.suggestions)
    assert "医疗保险" in offered or "社会保障卡" in offered  # its "一件事" siblings (tests/test_dialogue_proactive.py)


def test_handoff_at_any_point_and_back(chat):
    start_sscard(chat)
    chat.say("张三")
    turn = chat.say("我要转人工")
    assert turn.state is State.handoff
    turn = chat.say("继续")
    assert turn.state is State.filling and chat.slots()["applicant_name"] == "张*"


def test_a_conversation_resumes_after_a_restart(dialogue_settings, knowledge_base, router):
    from conftest import DIALOGUE_NOW

    from assistant.factory import build_assistant

    first = build_assistant(dialogue_settings, knowledge_base, router, clock=lambda: DIALOGUE_NOW)
    chat = Chat(first)
    start_sscard(chat)
    chat.say(f"我叫张三，身份证{ID}")
    second = build_assistant(dialogue_settings, knowledge_base, router, clock=lambda: DIALOGUE_NOW)  # a new process
    turn = second.handle(chat.session, PHONE)
    assert turn.state is State.filling
    assert {s.key for s in turn.slots} >= {"applicant_name", "applicant_id_number", "phone"}


def test_personal_data_is_not_stored_in_plaintext(chat, dialogue_settings):
    test_confirmation_reads_back_the_citizens_own_answers_and_submission_gives_a_tracking_number(chat, chat.assistant)
    raw = b"".join(p.read_bytes() for p in dialogue_settings.data_dir.glob("govassist.db*"))
    assert ID.encode() not in raw and PHONE.encode() not in raw and "张三".encode() not in raw
