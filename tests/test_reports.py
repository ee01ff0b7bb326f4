"""The work order a report from the chat becomes: its department and type follow what the report is
about (物业 to 住建/街道 as a 投诉, a dark street light to 城管 as a 求助), not the guide's hotline.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.cases.workorder_status import WorkOrderType, default_labels
from assistant.common.forms import form_for
from assistant.common.messages import default_messages
from assistant.dialogue.filling import FormFiller
from assistant.dialogue.reports import report_order
from assistant.dialogue.session import FormState
from intents.complaints import matters

TODAY = date(2026, 11, 23)
CITY_ANSWERS = {
    "description": "小区东门外的情况已经持续一个星期了",
    "location": "广东省广州市天河区天河路385号东门外",
    "occurred_date": "2026-11-16",
    "wants_reply": "yes",
}
WAGE_ANSWERS = {
    "applicant_name": "王建国",
    "phone": "13800138000",
    "employer_name": "城东花园三期工地",
    "workplace_address": "江苏省南京市江宁区天元路88号工地",
    "amount_owed": "18000",
    "arrears_start_date": "2026-06-01",
    "worker_count": "1",
}


def filed(knowledge_base, service_id: str, answers: dict[str, str]):
    spec = form_for(knowledge_base, service_id)
    form = FormState(subject_id=service_id)
    for key, value in answers.items():
        form.set(key, value, value)
    return report_order(spec, form, "session-1", FormFiller(spec, default_messages(), TODAY), default_labels())


@pytest.mark.parametrize("matter", matters(), ids=lambda m: m.key)
def test_a_report_goes_to_the_department_of_its_matter_as_its_type(knowledge_base, matter):
    answers = WAGE_ANSWERS if matter.service_id == "wage-arrears" else CITY_ANSWERS | {"issue_type": matter.issue_type}
    order = filed(knowledge_base, matter.service_id, answers)
    assert order.subject_id == matter.service_id
    assert order.dept == matter.dept
    assert order.type is WorkOrderType(matter.order_type)


def test_a_dark_street_light_is_a_request_for_help_to_city_management_not_a_complaint_to_the_hotline(knowledge_base):
    order = filed(knowledge_base, "city-issue-report", CITY_ANSWERS | {"issue_type": "street_light"})
    assert order.type is WorkOrderType.help
    assert order.dept != knowledge_base.services["city-issue-report"].dept and "城市管理" in order.dept


def test_property_and_wages_are_complaints_to_different_owners(knowledge_base):
    property_ = filed(knowledge_base, "city-issue-report", CITY_ANSWERS | {"issue_type": "property"})
    wages = filed(knowledge_base, "wage-arrears", WAGE_ANSWERS)
    assert property_.type is wages.type is WorkOrderType.complaint
    assert property_.dept != wages.dept


def test_a_report_about_no_known_matter_keeps_the_hotline_and_the_default_type(knowledge_base):
    order = filed(knowledge_base, "city-issue-report", CITY_ANSWERS | {"issue_type": "other"})
    assert order.dept == knowledge_base.services["city-issue-report"].dept
    assert order.type is default_labels().chat_report_type
