"""What people who applied for one thing also applied for, counted from the application history.

One person is every application joined by a shared conversation or a shared applicant digest (so two
conversations of the same applicant count once); each person counts once per service however often
they applied for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.proactive.applicant_links import Applied


@dataclass(frozen=True)
class AppliedTogether:
    people: int  # people who applied for the service asked about
    also: Counter[str]  # service or bundle id -> how many of them also applied for it


def people(history: Iterable[Applied]) -> list[set[str]]:
    """The set of services and bundles of each person in the history."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps the trees flat
            node = parent[node]
        return node

    rows = list(history)
    for row in rows:
        session = root(f"s:{row.session_id}")
        if row.applicant:
            parent[root(f"a:{row.applicant}")] = session
    subjects: dict[str, set[str]] = {}
    for row in rows:
        subjects.setdefault(root(f"s:{row.session_id}"), set()).add(row.subject_id)
    return list(subjects.values())


def applied_together(persons: Iterable[set[str]], subject_id: str) -> AppliedTogether:
    with_it = [p for p in persons if subject_id in p]
    also: Counter[str] = Counter()
    for person in with_it:
        also.update(person - {subject_id})
    return AppliedTogether(len(with_it), also)
