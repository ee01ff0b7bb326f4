"""Explicit mentions of a service or bundle by name or alias ("先办身份证", "那公积金呢").

The router scores a whole message; this finds a named service inside a message that is mostly about
something else, which is what a switch or a follow-up question needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.base import KnowledgeBase

MIN_ALIAS_CHARS = 2


@dataclass(frozen=True)
class Mention:
    subject_id: str
    phrase: str


class MentionFinder:
    def __init__(self, phrases: dict[str, set[str]]) -> None:
        # phrase -> subject ids; a phrase shared by several subjects (身份证) names none of them alone.
        self._phrases = phrases
        keys = sorted(phrases, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None

    @classmethod
    def from_kb(cls, kb: KnowledgeBase, normalise: Callable[[str], str]) -> MentionFinder:
        phrases: dict[str, set[str]] = {}
        items = [(s.id, [s.name, *s.aliases]) for s in kb.services.values()]
        items += [(b.id, [b.name, *b.aliases]) for b in kb.bundles.values()]
        for subject_id, names in items:
            for name in names:
                phrase = normalise(re.sub(r"（.*?）|\(.*?\)", "", name)).strip()
                if len(phrase) >= MIN_ALIAS_CHARS:
                    phrases.setdefault(phrase, set()).add(subject_id)
        return cls(phrases)

    def find(self, normalised: str) -> list[Mention]:
        """Subjects named unambiguously in the text, longest phrase first, each once."""
        if self._pattern is None:
            return []
        found: dict[str, Mention] = {}
        for match in self._pattern.finditer(normalised):
            ids = self._phrases[match.group(0)]
            if len(ids) == 1:
                subject = next(iter(ids))
                found.setdefault(subject, Mention(subject, match.group(0)))
        return sorted(found.values(), key=lambda m: -len(m.phrase))
