"""Guides as a citizen reads them: plain text with Chinese headings from taxonomy.yaml."""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.base import KnowledgeBase
from knowledge.imported import ImportedItem
from knowledge.models import Bundle, Material, Policy, Service
from knowledge.taxonomy import Taxonomy, load_taxonomy


class _Page:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.lines: list[str] = []

    def h(self, key: str) -> str:
        return self.taxonomy.label("guide", key)

    def title(self, text: str, subtitle: str = "") -> None:
        self.lines += [text, subtitle] if subtitle else [text]

    def field(self, key: str, value: str | None) -> None:
        if value:
            self.lines.append(f"【{self.h(key)}】{value}")

    def numbered(self, key: str, items: Iterable[str]) -> None:
        items = list(items)
        if items:
            self.lines.append(f"【{self.h(key)}】")
            self.lines += [f"  {i}. {item}" for i, item in enumerate(items, start=1)]

    def faq(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.lines.append(f"【{self.h('faq')}】")
        for q, a in pairs:
            self.lines += [f"  {self.h('question')}：{q}", f"  {self.h('answer')}：{a}"]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def material_line(m: Material, taxonomy: Taxonomy) -> str:
    """One material as a citizen reads it: name (form, copies; 容缺) and its note."""
    return (
        f"{m.name}（{taxonomy.label('material_form', m.form.value)}"
        + (f" {m.copies}份" if m.copies > 1 else "")
        + (f"；{taxonomy.label('guide', 'deferrable')}" if m.deferrable else "")
        + "）"
        + (f" {m.note}" if m.note else "")
    )


def _service(page: _Page, s: Service) -> None:
    label = page.taxonomy.label
    page.title(s.name, f"{page.h('dept')}：{s.dept} ｜ {page.h('category')}：{s.category} ｜ {label('kind', s.kind.value)}")
    page.lines.append(s.summary)
    page.field("aliases", "、".join(s.aliases))
    page.numbered("conditions", s.conditions)
    page.numbered("materials", (material_line(m, page.taxonomy) for m in s.materials))
    page.numbered("steps", s.steps)
    page.field("time_limit", s.time_limit.text)
    page.field("fee", s.fee.text)
    page.lines.append(f"【{page.h('channels')}】")
    page.lines += [
        f"  {page.h('online')}：{'、'.join(s.channels.online)}",
        f"  {page.h('counter')}：{s.channels.counter}",
        f"  {page.h('hotline')}：{s.channels.hotline}",
    ]
    page.numbered("legal_basis", s.legal_basis)
    page.field("local_note", s.local_note)
    page.faq((f.q, f.a) for f in s.faq)
    page.numbered(
        "slots", (f"{slot.label}（{page.h('required') if slot.required else page.h('optional')}）" for slot in s.slots)
    )


def _bundle(page: _Page, b: Bundle, kb: KnowledgeBase) -> None:
    page.title(b.name)
    page.lines.append(b.summary)
    page.field("aliases", "、".join(b.aliases))
    page.numbered("members", (kb.services[m].name if m in kb.services else m for m in b.services))
    labels = []
    for shared in b.shared_slots:
        for member in b.services:
            service = kb.services.get(member)
            slot = next((x for x in service.slots if x.name == shared.name_in(member)), None) if service else None
            if slot is not None:
                labels.append(slot.label)
                break
    page.numbered("shared_slots", labels)
    page.faq((f.q, f.a) for f in b.faq)


def _policy(page: _Page, p: Policy) -> None:
    page.title(p.title)
    page.field("issuer", p.issuer)
    page.field("doc_number", p.doc_number)
    page.field("date", p.date)
    page.field("source_note", p.source_note)
    for section in p.sections:
        page.lines += ["", section.heading, section.text]


def _imported(page: _Page, item: ImportedItem) -> None:
    page.title(item.name, f"{page.h('dept')}：{item.dept or page.h('none')}")
    page.field("aliases", "、".join(item.aliases))
    page.field("matter_type", item.matter_type)
    page.field("service_objects", "、".join(item.service_objects))
    page.field("conditions", item.conditions)
    page.numbered("materials", item.materials)
    page.field("time_limit", item.time_limit)
    page.field("legal_time_limit", item.legal_time_limit)
    page.field("location", item.location)
    page.field("hotline", item.phone)
    page.field("url", item.url)
    page.field("source", item.source)


def render_guide(kb: KnowledgeBase, item: Service | Bundle | Policy | ImportedItem, taxonomy: Taxonomy | None = None) -> str:
    page = _Page(taxonomy or load_taxonomy())
    if isinstance(item, Service):
        _service(page, item)
    elif isinstance(item, Bundle):
        _bundle(page, item, kb)
    elif isinstance(item, Policy):
        _policy(page, item)
    else:
        _imported(page, item)
    return page.text()
