"""What a form asks: the ordered fields of one service, or of a "一件事" bundle with shared fields once.

A service's form is its slot schema. A bundle's form asks each shared slot once (under the bundle's
name for it) and each member's own slots once, checks the union of the members' materials once, and
remembers which member slot every answer fills, so one set of answers becomes one application per
member.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.models import Bundle, Material, Service, ServiceKind, Slot, SlotType, SubjectKind

MATERIALS_KEY = "materials_check"


@dataclass(frozen=True)
class FormField:
    key: str  # unique within the form; also the name of `slot`
    slot: Slot
    targets: tuple[tuple[str, str], ...]  # (service id, slot name in that service) this answer fills
    # Ask only when the field `condition[0]` of this form holds one of the values `condition[1]`.
    condition: tuple[str, frozenset[str]] | None = None
    # Required (though the slot is optional) when the field `required_when[0]` holds one of these values.
    required_when: tuple[str, frozenset[str]] | None = None

    def applies(self, values: dict[str, str]) -> bool:
        return self.condition is None or values.get(self.condition[0]) in self.condition[1]

    def required_for(self, values: dict[str, str]) -> bool:
        """Whether this field must be answered, given the answers so far."""
        when = self.required_when
        return self.required or (when is not None and values.get(when[0]) in when[1])

    @property
    def label(self) -> str:
        return self.slot.label

    @property
    def required(self) -> bool:
        return self.slot.required


@dataclass(frozen=True)
class Produced:
    """A bundle value created by one member (e.g. the baby's ID number from 出生登记)."""

    key: str
    label: str
    producer: str
    targets: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FormSpec:
    subject_id: str
    subject_name: str
    kind: SubjectKind
    services: tuple[Service, ...]  # the one service, or the bundle's members in order
    fields: tuple[FormField, ...]
    materials: tuple[Material, ...]  # deduplicated by name across members
    produced: tuple[Produced, ...] = ()
    presets: tuple[tuple[str, str, str], ...] = ()  # (service id, slot name, value) the bundle settles
    # material name -> (field key, values): a material needed only when that field holds one of the values
    material_when: tuple[tuple[str, str, frozenset[str]], ...] = ()

    def materials_for(self, values: dict[str, str]) -> tuple[Material, ...]:
        """The materials these answers need (the damaged old card only when the card is damaged)."""
        when = {name: (key, allowed) for name, key, allowed in self.material_when}
        return tuple(m for m in self.materials if m.name not in when or values.get(when[m.name][0]) in when[m.name][1])

    def field(self, key: str) -> FormField:
        return next(f for f in self.fields if f.key == key)

    def has(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    @property
    def slots(self) -> list[Slot]:
        return [f.slot for f in self.fields]


def is_form_subject(kb: KnowledgeBase, subject_id: str) -> bool:
    """Whether routing to this id starts a form (an apply/report service, or a bundle)."""
    if subject_id in kb.bundles:
        return True
    service = kb.services.get(subject_id)
    return service is not None and service.kind in (ServiceKind.apply, ServiceKind.report)


def form_for(kb: KnowledgeBase, subject_id: str) -> FormSpec:
    if subject_id in kb.bundles:
        return _bundle_form(kb, kb.bundles[subject_id])
    return _service_form(kb.services[subject_id])


def _materials_field(slot: Slot | None, targets: tuple[tuple[str, str], ...]) -> list[FormField]:
    return [FormField(MATERIALS_KEY, slot.model_copy(update={"name": MATERIALS_KEY}), targets)] if slot else []


def _condition(slot: Slot, key_of: dict[str, str]) -> tuple[str, frozenset[str]] | None:
    if slot.ask_if is None:
        return None
    return key_of[slot.ask_if.slot], frozenset(slot.ask_if.values)


def _required_when(slot: Slot, key_of: dict[str, str]) -> tuple[str, frozenset[str]] | None:
    if slot.required_if is None or slot.required_if.slot not in key_of:
        return None
    return key_of[slot.required_if.slot], frozenset(slot.required_if.values)


def _service_form(service: Service) -> FormSpec:
    key_of = {s.name: s.name for s in service.slots}
    fields = [
        FormField(s.name, s, ((service.id, s.name),), _condition(s, key_of), _required_when(s, key_of))
        for s in service.slots
        if s.type is not SlotType.materials
    ]
    check = next((s for s in service.slots if s.type is SlotType.materials), None)
    fields += _materials_field(check, ((service.id, check.name),) if check else ())
    return FormSpec(service.id, service.name, SubjectKind.service, (service,), tuple(fields), tuple(service.materials),
                    material_when=_material_when(service, key_of))


def _material_when(service: Service, key_of: dict[str, str]) -> tuple[tuple[str, str, frozenset[str]], ...]:
    return tuple((m.name, key_of[m.needed_if.slot], frozenset(m.needed_if.values))
                 for m in service.materials if m.needed_if is not None and m.needed_if.slot in key_of)


def _bundle_form(kb: KnowledgeBase, bundle: Bundle) -> FormSpec:
    members = [kb.services[m] for m in bundle.services]
    shared_of: dict[tuple[str, str], str] = {}  # (member, local slot name) -> shared key
    for shared in bundle.shared_slots:
        for member_id in bundle.services:
            shared_of[(member_id, shared.name_in(member_id))] = shared.name
    produced_keys = {s.name for s in bundle.shared_slots if s.produced_by}
    presets = [(member, name, value) for member, answers in bundle.presets.items() for name, value in answers.items()]

    fields: dict[str, FormField] = {}
    produced: dict[str, Produced] = {}
    material_checks: list[tuple[str, str]] = []
    check_slot: Slot | None = None
    for member in members:
        preset = bundle.presets.get(member.id, {})
        key_of = {s.name: shared_of.get((member.id, s.name)) or f"{member.id.replace('-', '_')}__{s.name}" for s in member.slots}
        for slot in member.slots:
            if slot.name in preset:
                continue
            condition = None
            if slot.ask_if is not None:
                if slot.ask_if.slot in preset:
                    if preset[slot.ask_if.slot] not in slot.ask_if.values:
                        continue  # the bundle's own answer rules this question out
                else:
                    condition = _condition(slot, key_of)
            if slot.type is SlotType.materials:
                material_checks.append((member.id, slot.name))
                check_slot = check_slot or slot
                continue
            key = key_of[slot.name]
            target = (member.id, slot.name)
            if key in produced_keys:
                shared = next(s for s in bundle.shared_slots if s.name == key)
                old = produced.get(key)
                produced[key] = Produced(key, slot.label, shared.produced_by or "", (old.targets if old else ()) + (target,))
                continue
            if key in fields:
                old_field = fields[key]
                # A shared field is required when any member requires it.
                slot_def = old_field.slot if old_field.slot.required or not slot.required else slot.model_copy(update={"name": key})
                fields[key] = FormField(key, slot_def, (*old_field.targets, target), old_field.condition and condition)
            else:
                fields[key] = FormField(key, slot.model_copy(update={"name": key}), (target,), condition,
                                        _required_when(slot, key_of))
    materials: dict[str, Material] = {}
    material_when: list[tuple[str, str, frozenset[str]]] = []
    for member in members:
        for material in member.materials:
            materials.setdefault(material.name, material)
        key_of = {s.name: shared_of.get((member.id, s.name)) or f"{member.id.replace('-', '_')}__{s.name}" for s in member.slots}
        material_when += _material_when(member, key_of)
    ordered = list(fields.values()) + _materials_field(check_slot, tuple(material_checks))
    return FormSpec(
        bundle.id, bundle.name, SubjectKind.bundle, tuple(members), tuple(ordered), tuple(materials.values()),
        tuple(produced.values()), tuple(presets), tuple(material_when),
    )
