"""Typed models of the knowledge base: service guides, "一件事" bundles and policies.

Each data file is parsed into one of these models. Unknown fields are rejected so a typo in a data
file is a fault `govassist kb check` reports, not a silently ignored key.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

ServiceId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$", max_length=64)]
SlotName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

MIN_UTTERANCES = 15
MIN_FAQ = 3


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubjectKind(str, Enum):
    """What an application is for: one service, or a "一件事" bundle of several."""

    service = "service"
    bundle = "bundle"


class ServiceKind(str, Enum):
    apply = "apply"
    query = "query"
    report = "report"


class MaterialForm(str, Enum):
    original = "original"
    copy = "copy"
    original_and_copy = "original_and_copy"
    electronic = "electronic"


class SlotCondition(Strict):
    """Ask a slot only when an earlier choice/yes-no slot took one of these values."""

    slot: SlotName
    values: list[SlotName] = Field(min_length=1)


class Material(Strict):
    name: Text
    form: MaterialForm
    copies: int = Field(default=1, ge=1, le=10)
    # 容缺: the application may be accepted now and this material brought later.
    deferrable: bool = False
    note: str = ""
    # Needed only when an answer of the form says so: the damaged old card only when the card is damaged.
    needed_if: SlotCondition | None = None


class TimeLimitUnit(str, Enum):
    immediate = "immediate"
    working_days = "working_days"
    natural_days = "natural_days"


class TimeLimit(Strict):
    unit: TimeLimitUnit
    days: int = Field(default=0, ge=0, le=365)
    text: Text

    @model_validator(mode="after")
    def _days_match_unit(self) -> TimeLimit:
        if self.unit is TimeLimitUnit.immediate and self.days != 0:
            raise ValueError("即时办结 (immediate) must have days: 0")
        if self.unit is not TimeLimitUnit.immediate and self.days == 0:
            raise ValueError("days must be positive unless unit is immediate")
        return self


class Fee(Strict):
    amount: float = Field(ge=0)  # yuan; 0 means free
    text: Text


class Channels(Strict):
    online: list[Text] = Field(min_length=1)  # apps and websites
    counter: Text  # where to go in person (an address pattern, not one city's street)
    hotline: Text


class Faq(Strict):
    q: Text
    a: Text


class SlotType(str, Enum):
    person_name = "person_name"
    id_number = "id_number"
    phone = "phone"
    date = "date"
    address = "address"
    choice = "choice"
    yes_no = "yes_no"
    number = "number"
    money = "money"
    text = "text"
    materials = "materials"


class DateRange(str, Enum):
    past = "past"  # today or earlier
    future = "future"  # today or later
    any = "any"


class Choice(Strict):
    value: SlotName
    label: Text
    synonyms: list[Text] = []


class SlotRules(Strict):
    """Validation rules; which ones apply depends on the slot type (see RULES_BY_TYPE)."""

    min: float | None = None
    max: float | None = None
    min_length: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    min_age: int | None = Field(default=None, ge=0, le=150)
    max_age: int | None = Field(default=None, ge=0, le=150)
    date_range: DateRange | None = None
    max_days_ahead: int | None = Field(default=None, ge=0)
    max_days_ago: int | None = Field(default=None, ge=0)
    # The date may be said approximately (前几天, 上个月初, 大概三月份); it is kept as a span of days.
    approximate: bool | None = None
    # Why the date must be exact, told when an approximate one is refused ("要和出生医学证明上的一致").
    exact_reason: str | None = None
    # Other slots of the same service this value must not repeat: 对方姓名 is not 申请人姓名.
    differs_from: list[SlotName] | None = None
    # A phone slot that also takes a fixed line with its area code (020-12345678): no text message
    # can reach it, so only where someone will ring back.
    landline: bool | None = None


RULES_BY_TYPE: dict[SlotType, frozenset[str]] = {
    SlotType.person_name: frozenset({"differs_from"}),
    SlotType.id_number: frozenset({"min_age", "max_age", "differs_from"}),
    SlotType.phone: frozenset({"landline", "differs_from"}),
    SlotType.date: frozenset({"date_range", "max_days_ahead", "max_days_ago", "approximate", "exact_reason"}),
    SlotType.address: frozenset({"min_length"}),
    SlotType.choice: frozenset(),
    SlotType.yes_no: frozenset(),
    SlotType.number: frozenset({"min", "max"}),
    SlotType.money: frozenset({"min", "max"}),
    SlotType.text: frozenset({"min_length", "max_length", "pattern", "differs_from"}),
    SlotType.materials: frozenset(),
}

# A date in a hint, worked out from the day the hint is shown: {date} is today, {date+3} three days
# on, {date-10} ten days back. A hint never holds a fixed date, which would go stale.
HINT_DATE = re.compile(r"\{date(?:([+-])(\d{1,5}))?\}")
_HINT_FIELD = re.compile(r"\{[^}]*\}")
_FIXED_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")


class Slot(Strict):
    name: SlotName
    label: Text
    type: SlotType
    required: bool = True
    ask: Text  # the question, in words an elderly person understands
    hint: str = ""  # an example answer, offered after a value is rejected twice
    choices: list[Choice] = []
    validation: SlotRules = SlotRules()
    ask_if: SlotCondition | None = None
    # An optional slot that becomes required when an earlier answer says so: the phone once the person
    # wants to be called back (wants_reply: yes).
    required_if: SlotCondition | None = None
    # Filled from the request itself when it says enough: a report's description is the report.
    from_request: bool = False

    @model_validator(mode="after")
    def _rules_fit_type(self) -> Slot:
        used = {k for k, v in self.validation.model_dump().items() if v is not None}
        allowed = RULES_BY_TYPE[self.type]
        if extra := sorted(used - allowed):
            raise ValueError(f"validation rule(s) {extra} do not apply to type {self.type.value}")
        if self.type is SlotType.choice and len(self.choices) < 2:
            raise ValueError("a choice slot needs at least 2 choices")
        if self.type is not SlotType.choice and self.choices:
            raise ValueError("only a choice slot may list choices")
        if self.validation.approximate and self.validation.exact_reason:
            raise ValueError("exact_reason applies only to a date that must be exact (approximate not set)")
        if unknown := [f for f in _HINT_FIELD.findall(self.hint) if not HINT_DATE.fullmatch(f)]:
            raise ValueError(f"hint placeholder(s) {unknown} unknown; write a date {{date}}, {{date+3}} or {{date-10}}")
        if fixed := _FIXED_DATE.findall(self.hint):
            raise ValueError(f"hint has a fixed date {fixed}, which goes stale; write {{date+N}} or {{date-N}}")
        return self


class Service(Strict):
    id: ServiceId
    name: Text
    dept: Text
    category: Text
    kind: ServiceKind
    summary: Text
    aliases: list[Text] = Field(min_length=1)  # 俗称 people use: 新农合, 良民证, 扯证…
    keywords: list[Text] = []
    conditions: list[Text] = Field(min_length=1)  # who may apply
    materials: list[Material] = []
    steps: list[Text] = Field(min_length=1)
    time_limit: TimeLimit
    fee: Fee
    channels: Channels
    legal_basis: list[Text] = Field(min_length=1)
    local_note: str = ""  # where rules vary by city: "以当地规定为准" and the common case
    faq: list[Faq] = Field(min_length=MIN_FAQ)
    utterances: list[Text] = Field(min_length=MIN_UTTERANCES)
    related: list[ServiceId] = []
    slots: list[Slot] = []

    @model_validator(mode="after")
    def _slots_fit_kind(self) -> Service:
        if self.kind in (ServiceKind.apply, ServiceKind.report) and not self.slots:
            raise ValueError(f"a {self.kind.value} service needs a slot schema (slots)")
        names = [s.name for s in self.slots]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"duplicate slot names {dupes}")
        by_name = {s.name: s for s in self.slots}
        for slot in self.slots:
            for other in slot.validation.differs_from or ():
                if other == slot.name or other not in by_name or by_name[other].type is not slot.type:
                    kind = slot.type.value
                    raise ValueError(f"slot {slot.name}: differs_from '{other}' must name another {kind} slot")
        for i, slot in enumerate(self.slots):
            earlier = {s.name: s for s in self.slots[:i]}
            for rule, condition in (("ask_if", slot.ask_if), ("required_if", slot.required_if)):
                if condition is None:
                    continue
                source = earlier.get(condition.slot)
                if source is None or source.type not in (SlotType.choice, SlotType.yes_no):
                    raise ValueError(f"slot {slot.name}: {rule} must name an earlier choice or yes_no slot")
                known = {c.value for c in source.choices} if source.type is SlotType.choice else {"yes", "no"}
                if unknown := sorted(set(condition.values) - known):
                    raise ValueError(f"slot {slot.name}: {rule} values {unknown} are not values of {source.name}")
        for material in self.materials:
            condition = material.needed_if
            if condition is None:
                continue
            source = by_name.get(condition.slot)
            if source is None or source.type is not SlotType.choice or not set(condition.values) <= {c.value for c in source.choices}:
                raise ValueError(f"material {material.name}: needed_if must name a choice slot and its values")
        return self

    @field_validator("utterances")
    @classmethod
    def _utterances_distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("utterances must be distinct")
        return value


class SharedSlot(Strict):
    """A question a bundle asks once and hands to every member service that needs it."""

    name: SlotName
    # Where a member calls the same value by another name (the baby is the applicant of 医保参保).
    local_names: dict[ServiceId, SlotName] = {}
    # A value one member creates rather than the citizen knows (the baby's ID number is assigned by
    # 出生登记): the bundle does not ask it; the other members receive it when that member is done.
    produced_by: ServiceId | None = None

    def name_in(self, service_id: str) -> str:
        return self.local_names.get(service_id, self.name)


class Bundle(Strict):
    id: ServiceId
    name: Text
    summary: Text
    services: list[ServiceId] = Field(min_length=2)
    shared_slots: list[SharedSlot] = Field(min_length=1)
    aliases: list[Text] = Field(min_length=1)
    utterances: list[Text] = Field(min_length=MIN_UTTERANCES)
    faq: list[Faq] = Field(min_length=MIN_FAQ)
    related: list[ServiceId] = []
    # Answers the bundle itself settles for a member (退休一件事 withdraws the fund because of 退休).
    presets: dict[ServiceId, dict[SlotName, str]] = {}


class PolicySection(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    heading: Text  # e.g. 第十二条 / 一、申领条件
    text: Text


class Policy(Strict):
    id: ServiceId
    title: Text
    issuer: Text
    doc_number: str = ""  # 文号, where the document has one
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    topics: list[Text] = Field(min_length=1)
    related_services: list[ServiceId] = []
    sections: list[PolicySection] = Field(min_length=2)
    source_note: str = ""  # what the text is: an excerpt, or a summary of the published document

    @field_validator("sections")
    @classmethod
    def _section_ids_unique(cls, value: list[PolicySection]) -> list[PolicySection]:
        ids = [s.id for s in value]
        if len(set(ids)) != len(ids):
            raise ValueError("section ids must be unique within a policy")
        return value
