"""Operators' edits laid over the knowledge base files: aliases, example utterances, FAQ answers and
out-of-scope examples added or removed from the dashboard.

The YAML files stay the reviewed source; the edits live in the database (versioned, revertible) and
are applied in order on load, so a rebuild picks them up without anyone editing files on a server.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from enum import Enum

from knowledge.base import KnowledgeBase
from knowledge.models import Bundle, Faq, Service

MAX_EDIT_CHARS = 200
MAX_ANSWER_CHARS = 2000


class EditKind(str, Enum):
    alias = "alias"
    utterance = "utterance"
    faq = "faq"
    out_of_scope = "out_of_scope"  # a message the assistant should say it does not handle


class EditAction(str, Enum):
    add = "add"
    remove = "remove"


@dataclass(frozen=True)
class KbEdit:
    kind: EditKind
    action: EditAction
    service_id: str = ""  # "" for out-of-scope examples
    value: str = ""  # alias / utterance / out-of-scope text, or the FAQ question
    answer: str = ""  # the FAQ answer (add replaces the answer of an existing question)


class EditRefused(ValueError):
    """An edit that cannot apply to the knowledge base as it stands; `code` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_edit(kb: KnowledgeBase, edit: KbEdit) -> None:
    """Raise EditRefused unless the edit applies cleanly to kb (which already carries earlier edits)."""
    text = edit.value.strip()
    if not text or len(text) > MAX_EDIT_CHARS:
        raise EditRefused("bad_value")
    if edit.kind is EditKind.out_of_scope:
        present = text in kb.out_of_scope_examples
    else:
        item = kb.services.get(edit.service_id) or kb.bundles.get(edit.service_id)
        if item is None:
            raise EditRefused("unknown_service")
        if edit.kind is EditKind.faq:
            if edit.action is EditAction.add and not (0 < len(edit.answer.strip()) <= MAX_ANSWER_CHARS):
                raise EditRefused("bad_answer")
            if edit.action is EditAction.remove and len(item.faq) <= 1:
                raise EditRefused("last_item")
            return _check_presence(any(f.q == text for f in item.faq), edit, replaceable=True)
        values = item.aliases if edit.kind is EditKind.alias else item.utterances
        if edit.action is EditAction.remove and len(values) <= 1:
            raise EditRefused("last_item")
        present = text in values
    _check_presence(present, edit, replaceable=False)


def _check_presence(present: bool, edit: KbEdit, replaceable: bool) -> None:
    if edit.action is EditAction.add and present and not replaceable:
        raise EditRefused("already_present")
    if edit.action is EditAction.remove and not present:
        raise EditRefused("not_present")


def apply_edits(kb: KnowledgeBase, edits: list[KbEdit]) -> KnowledgeBase:
    """A new knowledge base with the edits applied in order; kb itself is left untouched.

    An edit that no longer applies (a service renamed away, a value already removed) is skipped, so a
    change to the files never stops the assistant from starting.
    """
    result = replace(kb, services=dict(kb.services), bundles=dict(kb.bundles),
                     out_of_scope_examples=list(kb.out_of_scope_examples))
    for edit in edits:
        try:
            check_edit(result, edit)
        except EditRefused:
            continue
        if edit.kind is EditKind.out_of_scope:
            _edit_list(result.out_of_scope_examples, edit)
            continue
        table = result.services if edit.service_id in result.services else result.bundles
        table[edit.service_id] = _edited(table[edit.service_id], edit)  # type: ignore[assignment]  # the kind it was given
    return result


def _edited(item: Service | Bundle, edit: KbEdit) -> Service | Bundle:
    text = edit.value.strip()
    if edit.kind is EditKind.faq:
        kept = [f for f in item.faq if f.q != text]
        if edit.action is EditAction.add:
            kept.append(Faq(q=text, a=edit.answer.strip()))
        return item.model_copy(update={"faq": kept})
    field = "aliases" if edit.kind is EditKind.alias else "utterances"
    values = list(getattr(item, field))
    _edit_list(values, edit)
    return item.model_copy(update={field: values})


def _edit_list(values: list[str], edit: KbEdit) -> None:
    text = edit.value.strip()
    if edit.action is EditAction.add:
        values.append(text)
    else:
        values.remove(text)


def edits_digest(edits: list[KbEdit]) -> str:
    """A short key of the edits in force: part of the index's fingerprint ("" when there are none)."""
    if not edits:
        return ""
    canonical = json.dumps([asdict(e) for e in edits], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
