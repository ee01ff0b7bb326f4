"""What the indexes hold: short documents cut from the knowledge base, each pointing at a target.

A target is what routing can land on: a service, a bundle, an imported item, or a policy. Each
document carries the text that is matched (normalised) and the passage that is shown as an answer
with its citation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml

from knowledge.base import KnowledgeBase
from knowledge.imported import ImportedItem
from knowledge.models import Bundle, Policy, Service
from knowledge.taxonomy import Taxonomy, load_taxonomy


class TargetType(str, Enum):
    service = "service"
    bundle = "bundle"
    imported = "imported"
    policy = "policy"
    out_of_scope = "none"  # the pseudo-target of messages the assistant does not handle


OUT_OF_SCOPE_ID = "none"
OUT_OF_SCOPE_FILE = Path(__file__).resolve().parent / "data" / "out_of_scope.yaml"


def load_out_of_scope(path: Path = OUT_OF_SCOPE_FILE) -> list[str]:
    return [str(x) for x in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]]


class DocField(str, Enum):
    card = "card"  # name, aliases and summary: what the thing is called
    utterance = "utterance"  # how people ask for it
    faq = "faq"  # a question with its answer
    guide = "guide"  # a fact of the guide: materials, time limit, fee, channels…
    policy = "policy"  # a section of a policy document


@dataclass(frozen=True)
class Doc:
    doc_id: str
    target_id: str
    target_type: TargetType
    field: DocField
    text: str  # matched against queries (before normalisation)
    passage: str  # shown when this document answers a question
    source: str  # citation: guide or policy title, and the section


def _service_docs(s: Service | Bundle, target_type: TargetType, taxonomy: Taxonomy) -> Iterator[Doc]:
    h = lambda key: taxonomy.label("guide", key)  # noqa: E731 - a local shorthand
    card = f"{s.name}；{'；'.join(s.aliases)}；{s.summary}"
    yield Doc(f"{s.id}#card", s.id, target_type, DocField.card, card, s.summary, s.name)
    for i, u in enumerate(s.utterances):
        yield Doc(f"{s.id}#u{i}", s.id, target_type, DocField.utterance, u, s.summary, s.name)
    for i, f in enumerate(s.faq):
        yield Doc(f"{s.id}#faq{i}", s.id, target_type, DocField.faq, f.q, f"{f.q} {f.a}", f"{s.name}·{h('faq')}")
    if not isinstance(s, Service):
        return
    facts = {
        "conditions": "；".join(s.conditions),
        "materials": "；".join(m.name for m in s.materials),
        "steps": "；".join(s.steps),
        "time_limit": s.time_limit.text,
        "fee": s.fee.text,
        "channels": f"{'、'.join(s.channels.online)}；{s.channels.counter}；{h('hotline')}{s.channels.hotline}",
    }
    for key, value in facts.items():
        if value:
            text = f"{s.name}{h(key)}：{value}"
            yield Doc(f"{s.id}#{key}", s.id, target_type, DocField.guide, text, text, f"{s.name}·{h(key)}")


def _policy_docs(p: Policy) -> Iterator[Doc]:
    for section in p.sections:
        text = f"{p.title} {section.heading} {section.text}"
        source = f"《{p.title}》{section.heading}"
        yield Doc(f"{p.id}#{section.id}", p.id, TargetType.policy, DocField.policy, text, section.text, source)


def _imported_docs(item: ImportedItem, taxonomy: Taxonomy) -> Iterator[Doc]:
    """The card (name and the catalogue's everyday names) and one document per fact, as for our guides.

    The catalogue's themes ("其他", "社会保障（社会保险、社会救助）") are left out: broad words shared by
    hundreds of items that only lengthen the card and blur what sets the item apart.
    """
    h = lambda key: taxonomy.label("guide", key)  # noqa: E731 - a local shorthand
    card = "；".join([item.name, *item.aliases])
    yield Doc(f"{item.id}#card", item.id, TargetType.imported, DocField.card, card, item.name, item.name)
    facts = {
        "conditions": (item.conditions or "")[:300],  # some run to pages of legal text
        "materials": "；".join(item.materials),
        "time_limit": item.time_limit or "",
        "location": item.location or "",
        "hotline": item.phone or "",
        "dept": item.dept,
    }
    for key, value in facts.items():
        if value:
            text = f"{item.name}{h(key)}：{value}"
            yield Doc(f"{item.id}#{key}", item.id, TargetType.imported, DocField.guide, text, text, f"{item.name}·{h(key)}")


def build_docs(
    kb: KnowledgeBase,
    out_of_scope: list[str] | None = None,
    include_imported: bool = True,
    taxonomy: Taxonomy | None = None,
) -> list[Doc]:
    taxonomy = taxonomy or load_taxonomy()
    docs: list[Doc] = [
        Doc(f"none#{i}", OUT_OF_SCOPE_ID, TargetType.out_of_scope, DocField.utterance, text, "", "")
        for i, text in enumerate((load_out_of_scope() if out_of_scope is None else out_of_scope) + kb.out_of_scope_examples)
    ]
    for s in kb.services.values():
        docs += _service_docs(s, TargetType.service, taxonomy)
    for b in kb.bundles.values():
        docs += _service_docs(b, TargetType.bundle, taxonomy)
    for p in kb.policies.values():
        docs += _policy_docs(p)
    if include_imported:
        for item in kb.imported.values():
            docs += _imported_docs(item, taxonomy)
    return docs


def normalised_texts(docs: list[Doc], normalise: Callable[[str], str]) -> list[str]:
    return [normalise(d.text) for d in docs]
