"""查询和删除本人数据: GET and DELETE /api/me/data, for whoever holds the conversation's session token.

The token is taken as /api/applications takes it: the `X-Session-Token` header, else the session
cookie. Personal values are shown masked; erasing keeps the case records (see assistant/privacy/personal_data.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from assistant.cases.applications import ApplicationView
from assistant.common.forms import form_for
from assistant.dialogue.engine import Assistant
from assistant.dialogue.filling import FormFiller
from assistant.dialogue.session import FormState
from assistant.privacy.personal_data import PersonalData, privacy_wording
from assistant.privacy.session_keys import SessionKey
from web.access import Access, allow
from web.errors import ApiException
from web.models import ApiError
from web.routes import AssistantDep, limit, session_required
from web.runtime import services_of
from web.session_token import SESSION_COOKIE, CarriedToken

router = APIRouter(prefix="/api/me", dependencies=[allow(Access.citizen)])


class MyField(BaseModel):
    label: str
    value: str  # masked


class MyForm(BaseModel):
    service: str
    fields: list[MyField]


class MyConversation(BaseModel):
    state: str
    started_at: datetime
    last_used_at: datetime
    form: MyForm | None  # the form being filled
    put_aside: list[MyForm]  # forms left for another service, to resume
    numbers: list[str]  # application and work-order numbers given in it


class MyApplication(BaseModel):
    number: str
    service: str
    dept: str
    status: str
    status_label: str
    created_at: datetime
    fields: dict[str, str]  # label -> masked value (the tombstone once erased)
    erased: bool
    members: list[MyApplication] = []


class MyWorkOrder(BaseModel):
    number: str
    type_label: str
    category: str
    dept: str
    status_label: str
    created_at: datetime
    caller: dict[str, str]  # label -> masked value
    summary: str
    erased: bool


class MyConsent(BaseModel):
    service: str
    purpose: str
    fields: list[str]
    granted: bool
    at: datetime


class MyFeedback(BaseModel):
    rating: int
    comment: str
    application: str | None
    at: datetime


class MyData(BaseModel):
    notice: str
    conversation: MyConversation | None  # None once deleted (or expired)
    applications: list[MyApplication]
    work_orders: list[MyWorkOrder]
    consents: list[MyConsent]
    feedback: list[MyFeedback]


class Erased(BaseModel):
    message: str
    conversation: bool
    applications: list[str]
    work_orders: list[str]


def _privacy(request: Request) -> PersonalData:
    return services_of(request).privacy


PrivacyDep = Annotated[PersonalData, Depends(_privacy)]


def owner_key(request: Request, privacy: PrivacyDep, assistant: AssistantDep, given: CarriedToken) -> SessionKey:
    """The stored key of the conversation the token names; 404 (the same for all) when nothing is kept under it."""
    if not given:
        raise session_required()  # 401: no credentials at all (web/access.py, Access.citizen)
    limit(request, given)
    key = assistant.key_of(given)
    if not privacy.known(key):
        raise ApiException(404, ApiError(code="session_not_found", message=privacy_wording().session_not_found))
    return key


OwnerDep = Annotated[SessionKey, Depends(owner_key)]


def _form(assistant: Assistant, form: FormState) -> MyForm:
    item = assistant.kb.find(form.subject_id)
    name = getattr(item, "name", form.subject_id)
    if item is None:
        return MyForm(service=name, fields=[])
    filler = FormFiller(form_for(assistant.kb, form.subject_id), assistant.ctx.say, assistant.today())
    return MyForm(service=name, fields=[MyField(label=label, value=value) for _, label, value in filler.views(form)])


def _conversation(assistant: Assistant, privacy: PersonalData, key: SessionKey) -> MyConversation | None:
    state, times = assistant.state_of(key), privacy.session_times(key)
    if state is None or times is None:
        return None
    return MyConversation(
        state=state.state.value, started_at=times[0], last_used_at=times[1],
        form=_form(assistant, state.form) if state.form else None,
        put_aside=[_form(assistant, f) for f in state.suspended], numbers=list(state.applications),
    )


def _application(view: ApplicationView, erased: set[str]) -> MyApplication:
    return MyApplication(
        number=view.number, service=view.subject_name, dept=view.dept, status=view.status.value,
        status_label=view.status_label, created_at=view.created_at, fields=dict(view.fields or {}),
        erased=view.number in erased, members=[_application(m, erased) for m in view.members],
    )


@router.get("/data", response_model=MyData, responses={404: {"model": ApiError}, 429: {"model": ApiError}})
def my_data(assistant: AssistantDep, privacy: PrivacyDep, key: OwnerDep) -> MyData:
    """Everything kept about this conversation, personal values masked."""
    apps = assistant.book.for_session(key)
    orders = assistant.orders.for_session(key)
    numbers = [a.number for a in apps] + [m.number for a in apps for m in a.members] + [o.number for o in orders]
    erased = privacy.erased(numbers)
    labels = assistant.orders.labels.caller_fields
    consents = assistant.store.consents(key)
    names = {c.subject_id: getattr(assistant.kb.find(c.subject_id), "name", c.subject_id) for c in consents}
    return MyData(
        notice=privacy_wording().notice,
        conversation=_conversation(assistant, privacy, key),
        applications=[_application(a, erased) for a in apps],
        work_orders=[MyWorkOrder(
            number=o.number, type_label=o.type_label, category=o.category, dept=o.dept, status_label=o.status_label,
            created_at=o.created_at, caller={labels[f]: v for f, v in o.caller.items()}, summary=o.summary,
            erased=o.number in erased,
        ) for o in orders],
        consents=[MyConsent(service=names[c.subject_id], purpose=c.purpose, fields=list(c.fields), granted=c.granted,
                            at=c.at) for c in consents],
        feedback=[MyFeedback(rating=f.rating, comment=f.comment, application=f.application_number, at=f.at)
                  for f in privacy.feedback(key)],
    )


@router.delete("/data", response_model=Erased, responses={404: {"model": ApiError}, 429: {"model": ApiError}})
def erase_my_data(response: Response, privacy: PrivacyDep, key: OwnerDep) -> Erased:
    """删除权: erase the conversation and the personal values of its applications and work orders."""
    erasure = privacy.erase(key)
    response.delete_cookie(SESSION_COOKIE)
    return Erased(message=privacy_wording().erased, conversation=erasure.conversation,
                  applications=erasure.applications, work_orders=erasure.work_orders)
