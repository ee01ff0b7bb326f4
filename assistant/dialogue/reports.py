"""Citizen reports from the chat: a filled report form (城市管理问题反映, 欠薪投诉…) becomes a 12345 work
order, not an application, and the person gets its number to check.

The caller's name, phone and ID number go into the order's encrypted caller fields; every other answer
(what, where, when) becomes a line of the summary. The department and the type come from what the report
is about (intents/complaints.py: 物业 goes to 住建/街道 as a 投诉, a broken street light to 城管 as a
求助); a `work_order_type` question, if the form has one, decides the type; a report about no known
matter (其他) keeps the guide's department and the data file's type (chat_report_type).
"""

from __future__ import annotations

from assistant.cases.workorder_status import CallerField, WorkOrderLabels, WorkOrderType
from assistant.cases.workorders import CITIZEN, WorkOrderDraft, WorkOrderRecord
from assistant.common.forms import MATERIALS_KEY, FormSpec
from assistant.common.messages import Messages
from assistant.dialogue.events import Said
from assistant.dialogue.filling import FormFiller
from assistant.dialogue.session import FormState
from assistant.dialogue.submission import expected_text
from intents.complaints import ComplaintMatter, matter_of
from knowledge.models import ServiceKind, SlotType, SubjectKind

TYPE_SLOT = "work_order_type"
ISSUE_SLOT = "issue_type"  # the choice of what a report is about, where its guide asks
CALLER_SLOTS = {
    SlotType.person_name: CallerField.name,
    SlotType.phone: CallerField.phone,
    SlotType.id_number: CallerField.id_number,
}  # an address in a report is where the problem is, so it stays in the summary


def is_report(spec: FormSpec) -> bool:
    return spec.kind is SubjectKind.service and spec.services[0].kind is ServiceKind.report


def report_matter(spec: FormSpec, form: FormState) -> ComplaintMatter | None:
    """What the report is about: its guide and, where the guide asks, the kind of problem chosen."""
    return matter_of(spec.services[0].id, form.values.get(ISSUE_SLOT))


def report_order(spec: FormSpec, form: FormState, session_id: str, filler: FormFiller, labels: WorkOrderLabels) -> WorkOrderDraft:
    service = spec.services[0]
    matter = report_matter(spec, form)
    caller: dict[CallerField, str] = {}
    lines: list[str] = []
    places: list[str] = []
    for f in filler.applicable(form):
        if f.key not in form.values or f.key in (MATERIALS_KEY, TYPE_SLOT):
            continue
        field = CALLER_SLOTS.get(f.slot.type)
        if field is not None and field not in caller:
            caller[field] = form.values[f.key]
        else:
            lines.append(f"{f.label}：{form.displays[f.key]}")
            if f.slot.type is SlotType.address:
                places.append(form.displays[f.key])
    return WorkOrderDraft(
        type=_order_type(form, matter, labels),
        summary="\n".join(lines),
        created_by=CITIZEN,
        category=service.name,
        dept=matter.dept if matter is not None else service.dept,
        caller=caller,
        subject_id=service.id,
        session_id=session_id,
        form_id=form.form_id,
        places=tuple(places),
    )


def _order_type(form: FormState, matter: ComplaintMatter | None, labels: WorkOrderLabels) -> WorkOrderType:
    if TYPE_SLOT in form.values:
        return WorkOrderType(form.values[TYPE_SLOT])
    return WorkOrderType(matter.order_type) if matter is not None else labels.chat_report_type


def _params(order: WorkOrderRecord, say: Messages) -> dict[str, str]:
    return {
        "number": order.number,
        "type": order.type_label,
        "category": order.category,
        "status": order.status_label,
        "dept": order.dept or say("order_dept_unknown"),
        "expected": expected_text(order.resolve_due.date(), order.created_at.date(), say),
    }


def reported_said(order: WorkOrderRecord, say: Messages) -> Said:
    return Said("report_filed", _params(order, say))


def order_progress_said(order: WorkOrderRecord, say: Messages) -> Said:
    return Said("progress_order_found", _params(order, say))
