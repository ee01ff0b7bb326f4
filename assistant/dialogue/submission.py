"""From a filled form to application drafts: one per service, or a bundle with one per member.

A bundle's answers were asked once under the bundle's names; here each member gets them back under
its own slot names, plus what the bundle settled for it (presets).
"""

from __future__ import annotations

from datetime import date

from assistant.cases.applications import ApplicationDraft, ApplicationView
from assistant.cases.working_days import calendar_covers
from assistant.common.forms import FormSpec
from assistant.common.messages import Messages
from assistant.dialogue.events import Said
from assistant.dialogue.filling import FormFiller
from assistant.dialogue.session import FormState
from knowledge.models import Service, SubjectKind


def drafts_for(spec: FormSpec, form: FormState, session_id: str, filler: FormFiller) -> ApplicationDraft:
    answered = {f.key: f for f in filler.applicable(form) if f.key in form.values}
    per_member: dict[str, dict[str, str]] = {s.id: {} for s in spec.services}
    shown: dict[str, dict[str, str]] = {s.id: {} for s in spec.services}
    masked = {key: label_value for key, *label_value in filler.views(form)}
    for key, field in answered.items():
        for service_id, slot_name in field.targets:
            per_member[service_id][slot_name] = form.values[key]
            label, value = masked[key]
            shown[service_id][label] = value
    for service_id, slot_name, value in spec.presets:
        per_member[service_id][slot_name] = value

    def draft(service: Service, members: list[ApplicationDraft] | None = None) -> ApplicationDraft:
        return ApplicationDraft(
            subject_id=service.id, subject_name=service.name, kind=SubjectKind.service, dept=service.dept,
            session_id=session_id, form_id=form.form_id, values=per_member[service.id], display=shown[service.id],
            deferred_materials=[m.name for m in service.materials if m.name in form.deferred],
            time_limit=service.time_limit,
        )

    if spec.kind is SubjectKind.service:
        return draft(spec.services[0])
    members = [draft(s) for s in spec.services]
    depts = list(dict.fromkeys(s.dept for s in spec.services))
    return ApplicationDraft(
        subject_id=spec.subject_id, subject_name=spec.subject_name, kind=SubjectKind.bundle, dept="、".join(depts),
        session_id=session_id, form_id=form.form_id,
        values={k: form.values[k] for k in answered}, display={label: value for label, value in masked.values()},
        deferred_materials=list(form.deferred), time_limit=None, members=members,
    )


def submitted_said(view: ApplicationView, spec: FormSpec, say: Messages) -> list[Said]:
    """What the reply says of a new application: its number, status, department and expected date."""
    expected = expected_text(view.expected_date, view.created_at.date(), say)
    said: list[Said]
    if view.kind is SubjectKind.service:
        said = [Said("submitted", {"number": view.number, "status": view.status_label, "dept": view.dept, "expected": expected})]
    else:
        members = "\n".join(
            say("submitted_member", name=m.subject_name, number=m.number, dept=m.dept) for m in view.members
        )
        latest = max((m.expected_date for m in view.members if m.expected_date), default=None)
        said = [Said("submitted_bundle", {"name": view.subject_name, "number": view.number, "members": members,
                                          "expected": expected_text(latest, view.created_at.date(), say)})]
        names = {s.id: s.name for s in spec.services}
        said += [Said("submitted_produced", {"label": p.label, "producer": names.get(p.producer, p.producer)})
                 for p in spec.produced]
    if view.deferred_materials:
        said.append(Said("submitted_deferred", {"deferred": "、".join(view.deferred_materials)}))
    return said


def expected_text(expected: date | None, created: date, say: Messages) -> str:
    if expected is None or expected <= created:
        return say("expected_today")
    # A year whose holidays are not published yet was counted Monday to Friday: say it is an estimate.
    key = "expected_by" if calendar_covers(created, expected) else "expected_by_estimate"
    return say(key, year=expected.year, month=expected.month, day=expected.day)
