"""Request and response models of the JSON API (typed, documented in OpenAPI at /docs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from assistant.dialogue.turn import Turn
from intents.normalise import strip_control

SessionToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
MessageId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MAX_MESSAGE_CHARS = 500
# Free text as people type it, without control and direction-override characters: they mean nothing
# to the assistant, PostgreSQL refuses NUL in text columns, and a U+202E would reorder staff screens.
CleanText = Annotated[str, AfterValidator(strip_control)]


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "no text left once spaces and control characters are removed")
    return text


FilledText = Annotated[CleanText, AfterValidator(_not_blank)]  # required free text: more than spaces


class ApiError(BaseModel):
    """The one error shape of the API: a stable code, a Chinese message, the field at fault if any."""

    code: str
    message: str
    field: str | None = None


class StrictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChatRequest(StrictRequest):
    session_id: SessionToken | None = None
    text: CleanText = Field(max_length=MAX_MESSAGE_CHARS, description="What the citizen typed or said.")
    message_id: MessageId | None = Field(default=None, description=(
        "The client's id for this message. Sent again with the same id after a lost reply, the message is "
        "not applied twice: the reply it got is sent again."))
    elder: bool = Field(default=False, description=(
        "The page is in 长辈模式 (elderly mode): the reply comes in its short forms, one idea a sentence."))


class ServiceCard(BaseModel):
    id: str
    name: str
    dept: str
    materials: list[str]
    time_limit: str
    fee: str


class ChatTurn(Turn):
    card: ServiceCard | None = None  # the guide's key facts, when the turn is about a service


class ServiceSummary(BaseModel):
    id: str
    name: str
    kind: str
    dept: str


class ServiceGuide(ServiceSummary):
    guide: str  # the guide as a citizen reads it


class Health(BaseModel):
    status: str
    services: int
    bundles: int
    policies: int
    voice: bool = False  # a speech recogniser is configured: the page shows its microphone
    # The signals routing fuses: "bm25", "trained-encoder:<id>", "pretrained-encoder:<model>:<id>".
    signals: list[str] = []


class SearchCandidate(BaseModel):
    id: str
    name: str
    type: str
    score: float


class Passage(BaseModel):
    id: str
    text: str
    source: str
    score: float


class SearchResult(BaseModel):
    query: str
    decision: str
    candidates: list[SearchCandidate]
    passages: list[Passage]


class ApplicationMember(BaseModel):
    number: str
    service: str
    dept: str
    status: str
    status_label: str
    expected_date: date | None


class ApplicationStatusView(BaseModel):
    number: str
    service: str
    dept: str
    status: str
    status_label: str
    created_at: datetime
    expected_date: date | None
    deferred_materials: list[str]
    members: list[ApplicationMember]
    fields: dict[str, str] | None  # masked; only for the session that applied


class FeedbackRequest(StrictRequest):
    session_id: SessionToken | None = None  # else the X-Session-Token header or the session cookie
    rating: int = Field(ge=1, le=5)
    comment: CleanText = Field(default="", max_length=MAX_MESSAGE_CHARS)
    # The application (GA…) or 12345 work order (WO…) being rated, if any.
    application: str | None = Field(default=None, pattern=r"^(GA|WO)\d{8}-\d{6}$")
    # Needed when the case is not this conversation's: the last four digits of the phone given with it.
    phone_last4: str | None = Field(default=None, pattern=r"^\d{4}$")


class FeedbackSaved(BaseModel):
    id: int
