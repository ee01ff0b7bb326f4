"""Checks that span files: unique ids, the shared catalogue, references between files.

Per-file schema checks happen in the loader (pydantic); these need the whole knowledge base.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from knowledge.catalogue import Catalogue, CatalogueBundle, CatalogueService
from knowledge.eligibility import check_eligibility
from knowledge.faults import Fault
from knowledge.loader import LoadResult
from knowledge.models import Bundle, Policy, Service, SlotType
from knowledge.taxonomy import Taxonomy


def check_unique_ids(result: LoadResult) -> list[Fault]:
    """Services, bundles and policies share one id space: an id names exactly one thing."""
    seen: dict[str, Path] = {}
    faults = []
    items: list[tuple[Path, Service | Bundle | Policy]] = [*result.services, *result.bundles, *result.policies]
    for path, item in items:
        if item.id in seen:
            faults.append(Fault(path, "id", f"id '{item.id}' is already used by {seen[item.id]}"))
        else:
            seen[item.id] = path
    return faults


def check_categories(result: LoadResult, taxonomy: Taxonomy) -> list[Fault]:
    return [
        Fault(path, "category", f"unknown category '{s.category}'; known: {', '.join(taxonomy.categories)}")
        for path, s in result.services
        if s.category not in taxonomy.categories
    ]


def check_catalogue(result: LoadResult, catalogue: Catalogue, kb_dir: Path) -> list[Fault]:
    """Every catalogue id is present with the catalogue's name, department, kind and members."""
    faults = []
    services = {s.id: (p, s) for p, s in result.services}
    entry: CatalogueService | CatalogueBundle  # a service in the first loop, a bundle in the second
    for entry in catalogue.services:
        path = kb_dir / "services" / f"{entry.id}.yaml"
        if entry.id not in services:
            if not path.exists():  # a present-but-broken file already has its own fault
                faults.append(Fault(path, "id", f"catalogue service '{entry.id}' has no guide file"))
            continue
        path, service = services[entry.id]
        for field in ("name", "dept"):
            if getattr(service, field) != getattr(entry, field):
                faults.append(Fault(path, field, f"must be '{getattr(entry, field)}' as in the catalogue"))
        if service.kind.value != entry.kind:
            faults.append(Fault(path, "kind", f"must be '{entry.kind}' as in the catalogue"))
    bundles = {b.id: (p, b) for p, b in result.bundles}
    for entry in catalogue.bundles:
        path = kb_dir / "bundles" / f"{entry.id}.yaml"
        if entry.id not in bundles:
            if not path.exists():
                faults.append(Fault(path, "id", f"catalogue bundle '{entry.id}' has no file"))
            continue
        path, bundle = bundles[entry.id]
        if bundle.name != entry.name:
            faults.append(Fault(path, "name", f"must be '{entry.name}' as in the catalogue"))
        if tuple(bundle.services) != entry.services:
            faults.append(Fault(path, "services", f"must be {list(entry.services)} as in the catalogue"))
    return faults


def check_references(result: LoadResult) -> list[Fault]:
    """`related` and `related_services` name things that exist."""
    guides: list[tuple[Path, Service | Bundle]] = [*result.services, *result.bundles]
    known = {item.id for _, item in guides} | result.broken
    faults = []
    for path, item in guides:
        for i, ref in enumerate(item.related):
            if ref not in known:
                faults.append(Fault(path, f"related[{i}]", f"unknown service or bundle '{ref}'"))
    services = {s.id for _, s in result.services} | result.broken
    for path, policy in result.policies:
        for i, ref in enumerate(policy.related_services):
            if ref not in services:
                faults.append(Fault(path, f"related_services[{i}]", f"unknown service '{ref}'"))
    return faults


def check_bundle(path: Path, bundle: Bundle, services: dict[str, Service], broken: set[str]) -> list[Fault]:
    """Members exist; each shared slot is asked by at least two members, with one type."""
    faults: list[Fault] = []
    if broken & set(bundle.services):
        return faults  # a member's own fault is reported; its slots cannot be compared
    for i, member in enumerate(bundle.services):
        if member not in services:
            faults.append(Fault(path, f"services[{i}]", f"unknown service '{member}'"))
    for i, shared in enumerate(bundle.shared_slots):
        where = f"shared_slots[{i}]"
        for member in shared.local_names:
            if member not in bundle.services:
                faults.append(Fault(path, f"{where}.local_names", f"'{member}' is not a member of this bundle"))
        if shared.produced_by is not None and shared.produced_by not in bundle.services:
            faults.append(Fault(path, f"{where}.produced_by", f"'{shared.produced_by}' is not a member of this bundle"))
        types: dict[str, list[str]] = defaultdict(list)
        for member in bundle.services:
            service = services.get(member)
            local = shared.name_in(member)
            slot = next((s for s in service.slots if s.name == local), None) if service else None
            if slot is not None:
                types[slot.type.value].append(member)
        holders = sum(len(v) for v in types.values())
        if holders < 2:
            faults.append(
                Fault(path, where, f"slot '{shared.name}' is asked by {holders} member(s); a shared slot needs 2 or more")
            )
        if len(types) > 1:
            faults.append(Fault(path, where, f"slot '{shared.name}' has different types in members: {dict(types)}"))
    return faults


def check_presets(path: Path, bundle: Bundle, services: dict[str, Service]) -> list[Fault]:
    """Each preset names a member's slot, and a choice slot's preset is one of its choices."""
    faults = []
    for member, answers in bundle.presets.items():
        service = services.get(member)
        if member not in bundle.services or service is None:
            faults.append(Fault(path, f"presets.{member}", f"'{member}' is not a member of this bundle"))
            continue
        slots = {s.name: s for s in service.slots}
        for name, value in answers.items():
            slot = slots.get(name)
            if slot is None:
                faults.append(Fault(path, f"presets.{member}.{name}", f"'{member}' has no slot '{name}'"))
            elif slot.type is SlotType.choice and value not in {c.value for c in slot.choices}:
                faults.append(Fault(path, f"presets.{member}.{name}", f"'{value}' is not a choice of that slot"))
    return faults


def check_all(result: LoadResult, taxonomy: Taxonomy, catalogue: Catalogue | None, kb_dir: Path) -> list[Fault]:
    services = {s.id: s for _, s in result.services}
    faults = [*result.faults, *check_unique_ids(result), *check_categories(result, taxonomy)]
    if catalogue is not None:
        faults += check_catalogue(result, catalogue, kb_dir)
    faults += check_references(result)
    for path, bundle in result.bundles:
        faults += check_bundle(path, bundle, services, result.broken)
        if not result.broken & set(bundle.services):
            faults += check_presets(path, bundle, services)
    if result.eligibility is not None:
        path, rules = result.eligibility
        bundles = {b.id: b for _, b in result.bundles}
        policies = {p.id: p for _, p in result.policies}
        faults += check_eligibility(path, rules, services, bundles, policies, result.broken)
    return faults
