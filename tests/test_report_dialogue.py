"""A citizen files a 12345 report from the chat and checks it by its work-order number.

Talks to the real Assistant (real router, real SQLite database, fixed clock: Monday 2026-11-23).
"""

from __future__ import annotations

import re

from assistant.cases.workorder_status import CallerField, WorkOrderStatus, WorkOrderType
from assistant.dialogue.states import State
from intents.complaints import matter_of

PHONE = "13912345678"
WO_NUMBER = re.compile(r"WO20261123-\d{6}")


def file_street_light_report(assistant) -> tuple[str, object]:
    session = assistant.new_session()

    def say(text: str):
        return assistant.handle(session, text)

    assert say("我要反映路灯的问题").state is State.consent
    answers = {  # the request already said it is about a street light: that question is not asked
        "description": "小区东门外的三盏路灯坏了一个星期，晚上很黑，老人走路不安全",
        "location": "广东省广州市天河区天河路385号东门外",
        "occurred_date": "上周五",
        "wants_reply": "要",
        "contact_name": "王芳",
        "phone": PHONE,
    }
    turn = say("同意")
    asked = []
    while turn.state is State.filling:
        key = assistant.state_of(assistant.key_of(session)).form.asked
        asked.append(key)
        turn = say(answers[key])
    assert asked == list(answers)
    assert turn.state is State.confirming, turn.reply
    # The citizen's own read-back shows what they gave, so they can check it.
    assert "王芳" in turn.reply and PHONE in turn.reply
    return session, say("确认提交")


def test_a_report_from_the_chat_becomes_a_work_order_with_a_number_to_check(assistant):
    session, turn = file_street_light_report(assistant)
    assert turn.state is State.submitted
    number = WO_NUMBER.search(turn.reply).group(0)
    assert "工单编号" in turn.reply and "2026年11月30日前" in turn.reply  # 5 working days from Monday
    assert turn.application.number == number and turn.application.status == "accepted"

    order = assistant.orders.get(number)
    # A dark street light is a request for help, sent to the department that owns street lights.
    assert (order.type, order.status, order.subject_id) == (WorkOrderType.help, WorkOrderStatus.accepted, "city-issue-report")
    assert order.dept == matter_of("city-issue-report", "street_light").dept
    assert "三盏路灯坏了" in order.summary and "天河路385号东门外" in order.summary and "路灯不亮" in order.summary
    assert PHONE not in order.summary and "王芳" not in order.summary
    assert order.caller == {CallerField.name: "王*", CallerField.phone: "139****5678"}
    assert assistant.orders.reveal(number, CallerField.phone, "坐席01") == PHONE
    assert assistant.book.for_session(assistant.key_of(session)) == []  # a report is not an application

    # A repeated 确认 files nothing new.
    again = assistant.handle(session, "确认提交")
    assert number in again.reply and len(assistant.orders.list()) == 1


def test_with_the_number_and_the_phones_last_digits_anyone_sees_its_progress_without_personal_details(assistant):
    _, turn = file_street_light_report(assistant)
    number = WO_NUMBER.search(turn.reply).group(0)
    assistant.orders.transition(number, WorkOrderStatus.dispatched, "坐席01", dept="城市管理综合执法局")

    stranger = assistant.new_session()
    asked = assistant.handle(stranger, f"查询办件进度 {number.lower()}").reply
    assert "后四位" in asked and "已派单" not in asked
    reply = assistant.handle(stranger, PHONE[-4:]).reply
    assert number in reply and "已派单" in reply and "城市管理综合执法局" in reply
    assert "王*" not in reply and "139" not in reply
    # A number that does not exist is answered as a wrong phone is: nothing tells which numbers exist.
    assistant.handle(stranger, "查一下WO20261123-999999")
    assert "对不上" in assistant.handle(stranger, PHONE[-4:]).reply
