"""The loaded knowledge base: every guide, bundle, policy and imported item, looked up by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.eligibility import EligibilityRules
from knowledge.checks import check_all
from knowledge.faults import Fault, KnowledgeBaseError
from knowledge.imported import ImportedItem, read_sources
from knowledge.loader import load_dir
from knowledge.models import Bundle, Policy, Service
from knowledge.taxonomy import load_taxonomy


@dataclass
class KnowledgeBase:
    services: dict[str, Service] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    imported: dict[str, ImportedItem] = field(default_factory=dict)
    eligibility: EligibilityRules | None = None  # facts → policies (服务找人); None without eligibility.yaml
    # Messages operators labelled as not ours (knowledge/overlay.py), beside intents' own examples.
    out_of_scope_examples: list[str] = field(default_factory=list)

    def find(self, item_id: str) -> Service | Bundle | Policy | ImportedItem | None:
        for table in (self.services, self.bundles, self.imported, self.policies):
            if item_id in table:
                return table[item_id]
        return None

    def bundles_with(self, service_id: str) -> list[Bundle]:
        return [b for b in self.bundles.values() if service_id in b.services]


def check_knowledge_base(kb_dir: Path, catalogue_path: Path | None) -> tuple[list[Fault], bool]:
    """All faults of the knowledge base under kb_dir; the flag says whether the catalogue was compared."""
    catalogue: Catalogue | None = None
    if catalogue_path is not None and catalogue_path.is_file():
        catalogue = load_catalogue(catalogue_path)
    result = load_dir(kb_dir)
    return check_all(result, load_taxonomy(), catalogue, kb_dir), catalogue is not None


def load_knowledge_base(kb_dir: Path, sources_dir: Path | None = None) -> KnowledgeBase:
    """Load and cross-check the knowledge base; raise KnowledgeBaseError listing every fault."""
    result = load_dir(kb_dir)
    faults = check_all(result, load_taxonomy(), None, kb_dir)
    if faults:
        raise KnowledgeBaseError(faults)
    kb = KnowledgeBase(
        services={s.id: s for _, s in result.services},
        bundles={b.id: b for _, b in result.bundles},
        policies={p.id: p for _, p in result.policies},
        eligibility=result.eligibility[1] if result.eligibility else None,
    )
    if sources_dir is not None:
        kb.imported = {item.id: item for item in read_sources(sources_dir)}
    return kb
