"""Wording loaded from a data file: a YAML map of message keys to templates (never written inline in code).

Every layer that speaks reads its own file through this class: the dialogue (assistant/common/messages.py),
voice errors, web refusals, the CLI. A file may come with short 长辈模式 (elderly mode) forms of some
messages; `Messages.elder` is the wording with those forms over the normal ones, and a key without a
short form keeps its normal text.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml


def _read(path: Path) -> dict[str, str]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


class Messages:
    def __init__(self, templates: dict[str, str], short: dict[str, str] | None = None) -> None:
        self._templates = templates
        self._short = short or {}  # the 长辈模式 forms, by key

    @classmethod
    def load(cls, path: Path, elder_path: Path | None = None) -> Messages:
        return cls(_read(path), _read(elder_path) if elder_path else None)

    def __call__(self, key: str, **params: object) -> str:
        return self._templates[key].format(**params).strip()

    def keys(self) -> set[str]:
        return set(self._templates)

    def short_forms(self) -> dict[str, str]:
        """The 长辈模式 templates as written, by key (what the data tests check)."""
        return dict(self._short)

    @cached_property
    def elder(self) -> Messages:
        """The same messages with the short 长辈模式 forms in place of the normal ones."""
        return Messages(self._templates | self._short)
