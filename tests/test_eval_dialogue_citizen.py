"""The simulated citizen's answers in each style (eval/citizen.py), from turns built by hand: no router.

The citizen hears which question waits from the turn (`asking`), or else from the question's words
in the reply, and says only what a person who knows their own details would say.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.common.forms import form_for
from assistant.dialogue.states import State
from assistant.dialogue.turn import SlotView, Turn
from assistant.privacy.masking import mask
from eval.citizen import CONFIRM, CONSENT, PHONE, Citizen, Conversation, answer_for, phrases, vague_date
from eval.styles import Style
from knowledge.base import load_knowledge_base
from knowledge.models import Slot, SlotType
from settings import REPO_ROOT

KB = load_knowledge_base(REPO_ROOT / "knowledge")
TODAY = date(2026, 11, 23)
SSCARD = form_for(KB, "sscard-apply")  # name, ID, phone, pickup (choice), address if by post, materials
ID_LOSS = form_for(KB, "id-card-loss")  # … a vague-friendly loss date and a yes/no
WRONG_PHONE = phrases()["correction"]["wrong_phone"]


def turn(state: State = State.filling, asking: str | None = None, reply: str = "", suggestions=(), slots=()) -> Turn:
    return Turn(session_id="s", reply=reply, state=state, asking=asking, suggestions=list(suggestions), slots=list(slots))


def citizen(style: Style, spec=SSCARD, variant: int = 0) -> Citizen:
    return Citizen(spec, TODAY, style=style, variant=variant)


def ask(c: Citizen, conversation: Conversation, key: str, **kw) -> str:
    return c.answer(turn(asking=key, **kw), conversation)


def value_of(spec, key: str, n: int = 0) -> str:
    return answer_for(spec.field(key).slot, TODAY, n)


# -- hearing the question ----------------------------------------------------------------------------------


def test_the_question_is_the_field_the_turn_says_it_is_asking_even_when_the_reply_quotes_another():
    phone_question = SSCARD.field("phone").slot.ask
    heard = citizen(Style.terse).asked(turn(asking="applicant_name", reply=f"好的。{phone_question}"))
    assert heard is not None and heard.key == "applicant_name"


def test_without_the_asking_key_the_citizen_finds_the_question_by_its_words_in_the_reply():
    heard = citizen(Style.terse).asked(turn(reply=f"已记下。{SSCARD.field('phone').slot.ask}"))
    assert heard is not None and heard.key == "phone"


# -- terse and chatty --------------------------------------------------------------------------------------


def test_terse_answers_with_the_bare_value_and_agrees_and_confirms_with_the_plain_words():
    c, conv = citizen(Style.terse), Conversation()
    assert c.answer(turn(State.consent), conv) == "同意"
    assert ask(c, conv, "phone") == PHONE
    assert c.answer(turn(State.confirming), conv) == "确认提交"


def test_chatty_puts_words_around_the_value_and_the_applicant_speaks_of_themselves():
    c, conv = citizen(Style.chatty), Conversation()
    name = ask(c, conv, "applicant_name")
    assert name == f"嗯，我叫{conv.given['applicant_name']}吧"
    phone = ask(c, conv, "phone")
    assert PHONE in phone and phone != PHONE
    assert c.answer(turn(State.consent), conv) not in ("同意", "")


def test_a_question_asked_again_gets_the_same_value_plainly_and_is_counted_as_asked_again():
    c, conv = citizen(Style.chatty), Conversation()
    first = ask(c, conv, "applicant_name")
    again = ask(c, conv, "applicant_name")
    assert again == conv.given["applicant_name"] and again in first
    assert conv.reasked == ["applicant_name"]


def test_consent_asked_a_second_time_gets_the_plain_word_even_in_dialect():
    c, conv = citizen(Style.dialect), Conversation()
    assert c.answer(turn(State.consent), conv) != "同意"
    assert c.answer(turn(State.consent), conv) == "同意"
    assert conv.reasked == [CONSENT]


# -- several facts and facts up front ----------------------------------------------------------------------


def test_several_facts_gives_every_answer_the_citizen_would_be_asked_in_the_first_message():
    c, conv = citizen(Style.several), Conversation()
    said = ask(c, conv, "applicant_name")
    for key in ("applicant_name", "applicant_id_number", "phone", "pickup_method"):
        assert conv.given[key] in said, key
    assert said.startswith(f"我叫{conv.given['applicant_name']}，")
    # the address is asked only of those who want the card posted; this citizen picks it up at the bank
    assert "address" not in conv.given and "材料" not in said
    assert ask(c, conv, "phone") == PHONE and conv.reasked == ["phone"]


def test_facts_about_another_person_carry_their_label():
    c, conv = citizen(Style.several, form_for(KB, "birth-hukou")), Conversation()
    said = c.answer(turn(asking="baby_name"), conv)
    assert f"新生儿姓名是{conv.given['baby_name']}" in said and f"母亲姓名是{conv.given['mother_name']}" in said


def test_up_front_opens_with_name_id_and_phone_and_the_request():
    c, conv = citizen(Style.up_front), Conversation()
    opening = c.opening(conv)
    assert opening.endswith(f"我要办理{SSCARD.subject_name}")
    assert set(conv.given) == {"applicant_name", "applicant_id_number", "phone"}
    assert all(v in opening for v in conv.given.values())


def test_the_other_styles_open_with_the_plain_request():
    for style in (Style.terse, Style.chatty, Style.correction, Style.chips):
        assert citizen(style).opening(Conversation()) == f"我要办理{SSCARD.subject_name}"


# -- a correction at the read-back -------------------------------------------------------------------------


def readback(phone: str) -> Turn:
    return turn(State.confirming, slots=[SlotView(key="phone", label="联系电话", value=mask(SlotType.phone, phone))])


def test_correction_gives_a_wrong_phone_then_corrects_it_at_the_read_back_and_confirms_once_it_is_read_back():
    c, conv = citizen(Style.correction), Conversation()
    assert ask(c, conv, "phone") == WRONG_PHONE
    assert c.answer(readback(WRONG_PHONE), conv) == f"电话说错了，是{PHONE}"
    assert c.answer(readback(PHONE), conv) == "确认提交"
    assert conv.corrected is True and conv.problems() == []


def test_a_correction_the_read_back_never_shows_is_tried_twice_then_reported():
    c, conv = citizen(Style.correction), Conversation()
    ask(c, conv, "phone")
    said = [c.answer(readback(WRONG_PHONE), conv) for _ in range(3)]
    assert said == [f"电话说错了，是{PHONE}"] * 2 + ["确认提交"]
    assert conv.problems() == ["correction of phone not read back", "phone read back as 139****5678, said 138****8000"]


def test_a_value_read_back_otherwise_than_it_was_said_is_reported():
    c, conv = citizen(Style.chatty), Conversation()
    ask(c, conv, "applicant_name")
    name = conv.given["applicant_name"]
    shown = SlotView(key="applicant_name", label="持卡人姓名", value=mask(SlotType.person_name, name + "吧"))
    c.answer(turn(State.confirming, slots=[shown]), conv)
    assert conv.problems() == [f"applicant_name read back as {name[0]}**, said {name[0]}*"]
    right = SlotView(key="applicant_name", label="持卡人姓名", value=mask(SlotType.person_name, name))
    c.answer(turn(State.confirming, slots=[right]), conv)
    assert conv.problems() == []


def test_without_a_phone_question_the_name_is_the_one_said_wrongly():
    spec = form_for(KB, "employer-hpf")
    assert Citizen(spec, TODAY, style=Style.correction)._corrected_type() is SlotType.phone
    no_phone = type(spec)(**{**spec.__dict__, "fields": tuple(f for f in spec.fields if f.key != "phone")})
    c, conv = Citizen(no_phone, TODAY, style=Style.correction), Conversation()
    assert c.answer(turn(asking="legal_rep_name"), conv) == phrases()["correction"]["wrong_name"]


# -- a question in the middle ------------------------------------------------------------------------------


def test_the_question_comes_once_in_the_middle_and_the_reply_is_checked_for_an_answer():
    c, conv = citizen(Style.question), Conversation()
    said = [ask(c, conv, key) for key in ("applicant_name", "applicant_id_number")]
    assert said == [value_of(SSCARD, "applicant_name"), value_of(SSCARD, "applicant_id_number", 1)]
    assert ask(c, conv, "phone") == "要带什么材料？"  # half of the 5 unconditional questions answered
    materials = SSCARD.materials[0].name
    assert ask(c, conv, "phone", reply=f"要准备：{materials}。留一个手机号码") == PHONE
    assert ask(c, conv, "pickup_method") == SSCARD.field("pickup_method").slot.choices[0].label
    assert conv.aside_answered is True and conv.problems() == []


def test_a_question_the_reply_does_not_answer_is_reported():
    c, conv = citizen(Style.question, variant=1), Conversation()
    ask(c, conv, "applicant_name"), ask(c, conv, "applicant_id_number")
    assert ask(c, conv, "phone") == "要多久？"
    ask(c, conv, "phone", reply="请再说一遍您的手机号码。")
    assert conv.problems() == ["question 要多久？ not answered"]


# -- dialect -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_dialect_wording_keeps_numbers_and_names_readable(variant):
    c, conv = citizen(Style.dialect, variant=variant), Conversation()
    opening = c.opening(conv)
    assert SSCARD.subject_name in opening and opening != f"我要办理{SSCARD.subject_name}"
    for key in ("applicant_name", "applicant_id_number", "phone"):
        said = ask(c, conv, key)
        assert conv.given[key] in said and said != conv.given[key], key


def test_the_three_dialects_sound_different():
    openings = {citizen(Style.dialect, variant=v).opening(Conversation()) for v in range(3)}
    assert len(openings) == 3
    assert any("冇" in o or "点搞" in o for o in openings) and any("俺" in o for o in openings)


# -- vague dates -------------------------------------------------------------------------------------------


def test_a_vague_date_first_then_the_exact_date_when_asked_again():
    c, conv = citizen(Style.vague_date, ID_LOSS), Conversation()
    assert ask(c, conv, "loss_date") == "前几天"
    assert ask(c, conv, "loss_date") == value_of(ID_LOSS, "loss_date")
    assert conv.vague == {"loss_date"}


def test_vague_wordings_fit_the_slots_range():
    past = Slot(name="d", label="日期", type="date", ask="哪天？", validation={"date_range": "past", "max_days_ago": 365})
    assert [vague_date(past, TODAY, v) for v in range(3)] == ["前几天", "上个月初", "大概七月份"]
    soon = Slot(name="d", label="日期", type="date", ask="哪天？", validation={"date_range": "future", "max_days_ahead": 14})
    assert [vague_date(soon, TODAY, v) for v in range(2)] == ["过几天吧", "下个星期吧"]
    narrow = Slot(name="d", label="日期", type="date", ask="哪天？", validation={"date_range": "past", "max_days_ago": 5})
    assert vague_date(narrow, TODAY) is None


def test_vague_date_style_answers_other_questions_tersely():
    c, conv = citizen(Style.vague_date, ID_LOSS), Conversation()
    assert ask(c, conv, "phone") == PHONE


# -- chips -------------------------------------------------------------------------------------------------


def test_chips_are_tapped_when_one_fits_and_the_rest_is_typed():
    c, conv = citizen(Style.chips), Conversation()
    assert c.answer(turn(State.consent, suggestions=["同意", "不同意"]), conv) == "同意"
    labels = [ch.label for ch in SSCARD.field("pickup_method").slot.choices]
    assert ask(c, conv, "pickup_method", suggestions=labels) == labels[0]
    assert ask(c, conv, "phone", suggestions=["转人工"]) == PHONE  # nothing fits: typed
    assert ask(c, conv, "materials_check", suggestions=["都有了"]) == "都有了"
    assert c.answer(turn(State.confirming, suggestions=["确认提交", "修改"]), conv) == "确认提交"
    assert conv.taps == 4


def test_chips_tap_yes_on_a_yes_no_question_and_skip_on_an_optional_one():
    c, conv = citizen(Style.chips, form_for(KB, "birth-hukou")), Conversation()
    assert ask(c, conv, "father_name", suggestions=["跳过"]) == "跳过"
    c, conv = citizen(Style.chips, ID_LOSS), Conversation()
    assert ask(c, conv, "need_temporary_id", suggestions=["是", "否"]) == "是"


def test_without_the_chip_the_chips_citizen_types_the_same_words():
    c, conv = citizen(Style.chips), Conversation()
    assert c.answer(turn(State.consent), conv) == "同意" and conv.taps == 0


# -- driving a conversation --------------------------------------------------------------------------------


def test_a_conversation_stuck_on_the_same_reply_stops_after_four_turns():
    stuck = turn(asking="phone", reply="请再说一遍。")
    conversation = citizen(Style.terse).run(lambda text: stuck)
    assert len(conversation.said) == 4 and conversation.said[0] == f"我要办理{SSCARD.subject_name}"


def test_confirmation_asked_again_is_counted():
    c, conv = citizen(Style.chatty), Conversation()
    c.answer(turn(State.confirming), conv)
    assert c.answer(turn(State.confirming), conv) == "确认提交" and conv.reasked == [CONFIRM]
