"""The key facts of a service, bundle or imported item, as the copilot puts them before an agent:
conditions, materials, time limit, fee and where to go, taken from the guide as written."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from knowledge.base import KnowledgeBase
from knowledge.imported import ImportedItem
from knowledge.models import Bundle, Service
from knowledge.render import material_line
from knowledge.taxonomy import Taxonomy


@dataclass(frozen=True)
class CandidateCard:
    id: str
    name: str
    type: str  # service, bundle or imported
    kind: str  # apply, query or report (a bundle applies)
    score: float
    dept: str
    summary: str = ""
    conditions: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)  # one line each: name (form, copies) and note
    material_names: list[str] = field(default_factory=list)
    time_limit: str = ""
    fee: str = ""
    where: str = ""  # where to go in person
    online: list[str] = field(default_factory=list)
    hotline: str = ""
    members: list[str] = field(default_factory=list)  # a bundle's services, by name

    def to_dict(self) -> dict:
        return asdict(self) | {"score": round(self.score, 4)}


def _service(s: Service, score: float, taxonomy: Taxonomy) -> CandidateCard:
    return CandidateCard(
        id=s.id, name=s.name, type="service", kind=s.kind.value, score=score, dept=s.dept, summary=s.summary,
        conditions=list(s.conditions), materials=[material_line(m, taxonomy) for m in s.materials],
        material_names=[m.name for m in s.materials], time_limit=s.time_limit.text, fee=s.fee.text,
        where=s.channels.counter, online=list(s.channels.online), hotline=s.channels.hotline,
    )


def _bundle(b: Bundle, score: float, kb: KnowledgeBase, taxonomy: Taxonomy, where: str, hotline: str) -> CandidateCard:
    members = [kb.services[m] for m in b.services if m in kb.services]
    seen: dict[str, str] = {}
    for member in members:
        for m in member.materials:
            seen.setdefault(m.name, material_line(m, taxonomy))
    return CandidateCard(
        id=b.id, name=b.name, type="bundle", kind="apply", score=score,
        dept="、".join(dict.fromkeys(m.dept for m in members)), summary=b.summary,
        conditions=[c for m in members for c in m.conditions[:1]], materials=list(seen.values()),
        material_names=list(seen), time_limit="；".join(f"{m.name}：{m.time_limit.text}" for m in members),
        fee="；".join(f"{m.name}：{m.fee.text}" for m in members), where=where,
        online=list(dict.fromkeys(o for m in members for o in m.channels.online)), hotline=hotline,
        members=[m.name for m in members],
    )


def _imported(i: ImportedItem, score: float) -> CandidateCard:
    return CandidateCard(
        id=i.id, name=i.name, type="imported", kind=i.kind, score=score, dept=i.dept,
        conditions=[i.conditions] if i.conditions else [], materials=list(i.materials),
        material_names=list(i.materials), time_limit=i.time_limit or i.legal_time_limit or "",
        where=i.location or "", online=[i.url] if i.url else [], hotline=i.phone or "",
    )


def candidate_card(
    kb: KnowledgeBase, target_id: str, score: float, taxonomy: Taxonomy, bundle_where: str, bundle_hotline: str
) -> CandidateCard | None:
    """The card of a routed target, or None when the knowledge base no longer has it."""
    if target_id in kb.services:
        return _service(kb.services[target_id], score, taxonomy)
    if target_id in kb.bundles:
        return _bundle(kb.bundles[target_id], score, kb, taxonomy, bundle_where, bundle_hotline)
    if target_id in kb.imported:
        return _imported(kb.imported[target_id], score)
    return None
