"""One thing the assistant suggests unasked (服务找人): a service to do next, or a policy benefit."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel


class RecommendationKind(str, Enum):
    service = "service"  # a service or bundle that usually follows what was done
    policy = "policy"  # a benefit a policy may entitle the citizen to


class Recommendation(BaseModel):
    id: str  # the service's or bundle's id (kind service), the policy's id (kind policy)
    name: str
    kind: RecommendationKind
    reason: str  # why, in a sentence: 因为您刚办理了…，可能可以申领…
    can_apply: bool  # one tap starts an application
    start: str | None = None  # the service or bundle that tap starts
    basis: str | None = None  # the policy and section it rests on: 《女职工劳动保护特别规定》第八条
