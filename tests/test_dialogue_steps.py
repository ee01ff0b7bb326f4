"""Dialogue steps as a specification: a state and an understood message in, the exact events out.

No trained router: the message is given as understood (`Understood.of`), with the router's answer
where the step needs one. The knowledge base, wording and a SQLite database are the real ones.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.dialogue.commands import Command
from assistant.dialogue.events import (
    Asked,
    ChoicesOffered,
    ConsentRecorded,
    FormClosed,
    FormOpened,
    FormResumed,
    HandedOff,
    KeptMessagesUsed,
    MessageKept,
    Misunderstood,
    Moved,
    Offered,
    QuestionAnswered,
    Said,
    SlotRejected,
    SlotSet,
    SlotSkipped,
    StepRepeated,
    TopicSet,
    apply_turn,
    said_keys,
)
from assistant.dialogue.session import FormState, SessionState
from assistant.dialogue.states import State
from assistant.dialogue.understanding import Understood
from assistant.factory import build_assistant
from intents.router import Candidate, Decision, RoutingResult
from settings import Settings
from tests.conftest import KB_DIR

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REPORT = "city-issue-report"
REPORT_FIELDS = ("问题类型", "问题描述", "发生地点", "发生时间", "是否需要回复", "联系人姓名", "联系电话")


class StubRouter:
    """Counts the calls: understanding may ask the router at most once a turn."""

    def __init__(self) -> None:
        self.calls = 0
        self.result = RoutingResult(decision=Decision.none, confidence=0.0, candidates=[], answer=None, normalised="")

    def route(self, text: str) -> RoutingResult:
        self.calls += 1
        return self.result

    def normalise(self, text: str) -> str:
        return text


def routed_to(subject_id: str, name: str) -> RoutingResult:
    return RoutingResult(decision=Decision.route, confidence=0.9, candidates=[Candidate(id=subject_id, name=name, type="service", score=0.9)],
                         answer=None, normalised="")


@pytest.fixture
def router() -> StubRouter:
    return StubRouter()


@pytest.fixture
def assistant(tmp_path, knowledge_base, router):
    return build_assistant(Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR), knowledge_base, router, clock=lambda: NOW)


def step(assistant, state: SessionState, text: str, routing: RoutingResult | None = None, **facts):
    """The events of one step; the state is advanced as the engine would advance it."""
    commands = frozenset(assistant.ctx.commands.detect(text))
    events = assistant.dialogue.step(state, "session", Understood.of(text, routing, commands=commands, **facts))
    apply_turn(state, events)
    return events


def at_consent(request: str = "") -> SessionState:
    form = FormState(subject_id=REPORT, kept=[request] if request else [])
    return SessionState(state=State.consent, form=form, topic=REPORT)


def filling(asked: str, values: dict[str, str] | None = None) -> SessionState:
    form = FormState(subject_id=REPORT, asked=asked, values=dict(values or {}), displays=dict(values or {}))
    return SessionState(state=State.filling, form=form, topic=REPORT, consented=[REPORT])


# -- facts from any message fill the form ------------------------------------------------------------


def test_a_request_opens_the_form_keeping_the_request_until_consent(assistant, router):
    events = step(assistant, SessionState(), "我家楼下的路灯坏了好几天了，晚上黑得很",
                  routing=routed_to(REPORT, "城市管理问题反映（12345诉求）"))
    assert events[:4] == [TopicSet(REPORT), FormOpened(REPORT), MessageKept("我家楼下的路灯坏了好几天了，晚上黑得很"), Moved(State.consent)]
    assert said_keys(events) == ["consent"]
    assert not any(isinstance(e, SlotSet) for e in events)  # nothing is collected before consent


def test_consent_fills_the_problem_type_and_description_from_the_request_and_asks_the_place(assistant):
    state = at_consent("我家楼下的路灯坏了好几天了，晚上黑得很")
    events = step(assistant, state, "同意")
    assert events == [
        ConsentRecorded(REPORT, "城市管理问题反映（12345诉求）", REPORT_FIELDS, True),
        Moved(State.filling),
        Said("consent_granted", {}),
        SlotSet("issue_type", "street_light", "路灯不亮", "earlier"),
        SlotSet("description", "我家楼下的路灯坏了好几天了,晚上黑得很", "我家楼下的路灯坏了好几天了,晚上黑得很", "earlier"),
        KeptMessagesUsed(),
        Said("noted_earlier", {"labels": "问题类型、问题描述"}),
        Asked("location"),
        Said("ask", {"question": assistant.kb.services[REPORT].slots[2].ask}),
    ]


def test_a_name_and_phone_given_with_the_request_are_not_asked_again(assistant):
    state = SessionState(state=State.consent, form=FormState(subject_id="id-card-loss", kept=["我叫王秀英，电话13912345678，身份证丢了要补办"]))
    events = step(assistant, state, "同意")
    taken = {e.key: e.value for e in events if isinstance(e, SlotSet)}
    assert taken.get("applicant_name") == "王秀英" or "王秀英" in taken.values()
    assert "13912345678" in taken.values()
    assert state.form.asked not in taken


def test_a_message_kept_before_consent_is_encrypted_when_stored():
    state = at_consent("我叫王秀英，电话13912345678")
    document = state.to_document(lambda text: f"enc({len(text)})")
    assert "王秀英" not in str(document) and "13912345678" not in str(document)


def test_declining_drops_what_was_kept(assistant):
    state = at_consent("我叫王秀英，电话13912345678")
    events = step(assistant, state, "不同意")
    assert FormClosed() in events and state.form is None


# -- no loops ------------------------------------------------------------------------------------------


def test_an_answer_not_understood_gets_help_the_second_time_and_a_person_the_third(assistant):
    state = filling("location")
    first = step(assistant, state, "嗯嗯")
    assert said_keys(first) == ["refused", "ask"]
    second = step(assistant, state, "嗯嗯")
    assert said_keys(second) == ["refused", "help", "ask"]
    assert any(isinstance(e, Offered) and "转人工" in e.chips for e in second)
    third = step(assistant, state, "嗯嗯")
    assert [e for e in third if not isinstance(e, Said | Offered)] == [SlotRejected("location", third[0].reason), HandedOff("misunderstood")]
    assert said_keys(third) == ["handoff_misunderstood", "handoff_queued"] and state.state is State.handoff
    assert state.form is not None and state.form.subject_id == REPORT  # the form goes with the conversation


def test_an_optional_question_not_understood_three_times_is_skipped(assistant):
    state = filling("contact_name", {"issue_type": "street_light", "description": "路灯坏了好几天", "location": "x",
                                     "occurred_date": "2026-11-20", "wants_reply": "no"})
    for _ in range(2):
        step(assistant, state, "123")
    events = step(assistant, state, "123")
    assert SlotSkipped("contact_name", "tries") in events
    assert said_keys(events)[-2:] == ["skipped_after_tries", "ask_optional"] and state.form.asked == "phone"


def test_the_same_guide_answer_is_never_given_twice_in_a_row_in_place_of_a_value(assistant):
    state = filling("location")
    first = step(assistant, state, "要多久？", topic="time", question=True)
    assert QuestionAnswered(REPORT, "time") in first and said_keys(first) == ["guide_answer", "ask"]
    second = step(assistant, state, "要多久？", topic="time", question=True)
    assert not any(isinstance(e, QuestionAnswered) for e in second)
    assert said_keys(second) == ["refused", "ask"]


# -- command words are never values ---------------------------------------------------------------------


def test_skip_on_an_optional_question_skips_it_and_is_never_saved_as_a_value(assistant):
    state = filling("contact_name", {"wants_reply": "no"})
    events = step(assistant, state, "跳过")
    assert SlotSkipped("contact_name") in events
    assert not any(isinstance(e, SlotSet) for e in events)


def test_skip_on_a_required_question_says_it_cannot_be_skipped(assistant):
    state = filling("location")
    events = step(assistant, state, "不知道")
    assert isinstance(events[0], SlotRejected) and "必须填" in events[0].reason
    assert not any(isinstance(e, SlotSet | SlotSkipped) for e in events)


def test_a_phone_is_required_once_the_person_wants_a_reply(assistant):
    state = filling("phone", {"wants_reply": "yes"})
    events = step(assistant, state, "跳过")
    assert not any(isinstance(e, SlotSkipped) for e in events)
    state = filling("phone", {"wants_reply": "no"})
    assert SlotSkipped("phone") in step(assistant, state, "跳过")


def test_no_mobile_phone_gets_a_way_on(assistant):
    state = filling("phone", {"wants_reply": "yes"})
    events = step(assistant, state, "我没有手机", chat="no_phone")
    assert said_keys(events) == ["no_mobile", "ask"]


# -- no traps at consent ------------------------------------------------------------------------------


def test_a_question_at_consent_is_answered_and_consent_asked_again(assistant):
    events = step(assistant, at_consent(), "要带什么材料", topic="materials", question=True)
    assert said_keys(events) == ["guide_answer", "consent_repeat"]
    assert not any(isinstance(e, ConsentRecorded) for e in events)


def test_a_question_about_another_service_at_consent_is_answered_about_that_service(assistant):
    # 办护照要多久 while consenting to a report was answered with the report's own time limit.
    events = step(assistant, at_consent(), "办护照要多久", topic="time", question=True, named=("passport",))
    assert said_keys(events) == ["guide_answer", "consent_repeat"]
    assert QuestionAnswered("passport", "time") in events
    [answer] = [e for e in events if isinstance(e, Said) and e.key == "guide_answer"]
    assert answer.params["text"] == assistant.ctx.answers.answer("passport", "time")


def test_a_new_request_with_several_matches_at_consent_asks_which_instead_of_repeating_consent(assistant):
    # 养老金怎么领 at the consent of another service repeated 您同意吗？, then counted toward a handoff.
    both = [Candidate(id="pension-certification", name="养老金领取资格认证", type="service", score=0.55),
            Candidate(id="retirement-pension", name="基本养老金申领", type="service", score=0.54)]
    state = at_consent()
    events = step(assistant, state, "养老金怎么领", routing=RoutingResult(Decision.clarify, 0.55, both, None, ""))
    assert FormClosed() in events and ChoicesOffered(("pension-certification", "retirement-pension")) in events
    assert said_keys(events) == ["clarify", "clarify_options"]
    assert state.state is State.clarifying and state.form is None and state.misunderstood == 0


def test_another_service_at_consent_starts_that_one_instead(assistant):
    state = at_consent()
    events = step(assistant, state, "医保怎么报销", routing=routed_to("medical-reimbursement", "医疗费用手工（零星）报销"))
    assert FormClosed() in events and FormOpened("medical-reimbursement") in events
    assert not any(isinstance(e, ConsentRecorded) for e in events)
    assert state.form.subject_id == "medical-reimbursement" and state.state is State.consent


def test_a_long_message_holding_a_no_is_not_read_as_declining(assistant):
    state = SessionState(state=State.consent, form=FormState(subject_id="wage-arrears"), topic="wage-arrears")
    events = step(assistant, state, "不是欠薪，我要投诉楼下饭店油烟太大", routing=routed_to(REPORT, "城市管理问题反映（12345诉求）"))
    assert ConsentRecorded("wage-arrears", "劳动保障监察投诉（欠薪）", pytest.approx, False) not in events
    assert not any(isinstance(e, ConsentRecorded) for e in events)
    assert FormOpened(REPORT) in events


def test_thanks_at_consent_is_answered_and_consent_asked_again(assistant):
    events = step(assistant, at_consent(), "谢谢", chat="thanks")
    assert said_keys(events) == ["chat_thanks_in_form", "consent_repeat"]


def test_continue_at_consent_goes_back_to_the_form_set_aside(assistant):
    aside = FormState(subject_id="sscard-loss", values={"applicant_name": "张三"}, displays={"applicant_name": "张三"})
    state = SessionState(state=State.consent, form=FormState(subject_id=REPORT), suspended=[aside], consented=["sscard-loss"])
    events = step(assistant, state, "继续")
    assert events[:2] == [FormClosed(), FormResumed("sscard-loss")]
    assert state.form.subject_id == "sscard-loss" and state.state is State.filling


def test_consent_not_understood_explains_then_offers_a_person_then_hands_over(assistant):
    state = at_consent()
    assert said_keys(step(assistant, state, "啊")) == ["consent_unclear"]
    second = step(assistant, state, "啊")
    assert StepRepeated(2) in second and any(isinstance(e, Offered) and "转人工" in e.chips for e in second)
    assert HandedOff("misunderstood") in step(assistant, state, "啊")


# -- what is not a request ---------------------------------------------------------------------------


@pytest.mark.parametrize("chat", ["greeting", "thanks", "identity"])
def test_greetings_thanks_and_who_are_you_get_a_short_friendly_answer(assistant, chat):
    events = step(assistant, SessionState(), "你好", chat=chat)
    assert said_keys(events) == [f"chat_{chat}"] and not any(isinstance(e, Misunderstood) for e in events)


def test_a_message_in_another_language_is_answered_in_it_and_in_chinese(assistant):
    events = step(assistant, SessionState(), "Hello, I lost my ID card", language="en")
    assert said_keys(events) == ["foreign_en"]
    assert "Chinese" in assistant.ctx.say("foreign_en") and "中文" in assistant.ctx.say("foreign_en")


def test_a_forgotten_number_is_found_in_the_conversation(assistant):
    state = SessionState(applications=["WO20261123-000001"])
    events = step(assistant, state, "编号我忘了", chat="forgot_number")
    assert said_keys(events) == ["numbers_in_conversation"]
    assert said_keys(step(assistant, SessionState(), "编号我忘了", chat="forgot_number")) == ["forgot_number_help"]


def test_three_messages_not_understood_in_a_row_hand_over(assistant):
    state = SessionState()
    for _ in range(2):
        assert said_keys(step(assistant, state, "qwe")) == ["out_of_scope"]
    assert HandedOff("misunderstood") in step(assistant, state, "qwe")


# -- understanding runs once a turn --------------------------------------------------------------------


def test_a_turn_asks_the_router_at_most_once(assistant, router):
    router.result = routed_to(REPORT, "城市管理问题反映（12345诉求）")
    session = assistant.new_session()
    for text in ["路灯坏了", "同意", "什么时候能修好呢？", "啊啊", "继续"]:
        before = router.calls
        assistant.handle(session, text)
        assert router.calls - before <= 1, text


def test_a_step_leaves_the_conversation_it_was_given_unchanged(assistant):
    state = at_consent("我家楼下的路灯坏了")
    before = state.model_dump()
    assistant.dialogue.step(state, "session", Understood.of("同意", commands=frozenset({Command.resume}) - {Command.resume}))
    assert state.model_dump() == before


# -- answers people really give -------------------------------------------------------------------------


def test_an_approximate_date_answers_when_it_started_instead_of_being_taken_for_a_question(assistant):
    state = filling("occurred_date", {"issue_type": "street_light"})
    events = step(assistant, state, "前几天", topic="time", question=True)
    assert not any(isinstance(e, QuestionAnswered) for e in events)
    (set_,) = [e for e in events if isinstance(e, SlotSet)]
    assert set_.key == "occurred_date" and "/" in set_.value and set_.display.startswith("前几天")


def test_the_partner_is_not_the_applicant(assistant):
    state = SessionState(state=State.filling, consented=["marriage-registration"], form=FormState(
        subject_id="marriage-registration", asked="partner_name",
        values={"applicant_name": "王秀英"}, displays={"applicant_name": "王秀英"}))
    events = step(assistant, state, "王秀英")
    assert not any(isinstance(e, SlotSet) for e in events)
    assert isinstance(events[0], SlotRejected) and events[0].key == "partner_name"


def test_a_bare_request_for_a_person_hands_over(assistant):
    events = step(assistant, SessionState(), "人工")
    assert HandedOff("asked") in events and said_keys(events) == ["handoff", "handoff_queued"]


def test_a_lost_card_is_not_asked_lost_or_damaged_and_its_materials_leave_out_the_damaged_card(assistant):
    state = SessionState(state=State.consent, form=FormState(subject_id="sscard-loss", kept=["我的社保卡丢了想补办"]))
    events = step(assistant, state, "同意")
    assert SlotSet("request_type", "loss_and_replace", "挂失并补办", "earlier") in events or state.form.values["request_type"] == "loss_and_replace"
    spec = __import__("assistant.common.forms", fromlist=["form_for"]).form_for(assistant.kb, "sscard-loss")
    needed = [m.name for m in spec.materials_for(state.form.values)]
    assert "损坏的原社保卡（换卡时）" not in needed and "损坏的原社保卡（换卡时）" in [m.name for m in spec.materials]
    assert "损坏的原社保卡（换卡时）" in [m.name for m in spec.materials_for({"request_type": "damaged_replace"})]


# -- complaints go where they belong ----------------------------------------------------------------------


def test_a_complaint_without_a_subject_asks_what_it_is_about_and_the_answer_starts_the_right_report(assistant):
    state = SessionState()
    events = step(assistant, state, "我要投诉", bare_complaint=True)
    assert said_keys(events) == ["complaint_which"] and state.awaiting_matter
    from intents.complaints import find_matter

    fumes = find_matter("餐饮油烟")
    events = step(assistant, state, "餐饮油烟", matter=fumes)
    assert FormOpened(REPORT) in events and state.state is State.consent
    assert step(assistant, state, "同意")[3] == SlotSet("issue_type", "cooking_fumes", "餐饮油烟", "earlier")


def test_a_complaint_about_something_else_at_the_wage_consent_goes_to_the_city_report(assistant):
    from intents.complaints import find_matter

    state = SessionState(state=State.consent, form=FormState(subject_id="wage-arrears"), topic="wage-arrears")
    text = "不是欠薪，我要投诉楼下饭店油烟太大"
    events = step(assistant, state, text, matter=find_matter(text))
    assert FormOpened(REPORT) in events and not any(isinstance(e, ConsentRecorded) for e in events)


def test_asking_to_do_a_service_and_how_starts_its_form_but_a_question_about_its_fee_is_answered(assistant):
    sscard = routed_to("sscard-apply", "社会保障卡申领")
    events = step(assistant, SessionState(), "我想办社会保障卡申领，咋整啊？", routing=sscard, topic="steps", question=True)
    assert FormOpened("sscard-apply") in events
    events = step(assistant, SessionState(), "我想办社保卡，要多少钱？", routing=sscard, topic="fee", question=True)
    assert QuestionAnswered("sscard-apply", "fee") in events and not any(isinstance(e, FormOpened) for e in events)
