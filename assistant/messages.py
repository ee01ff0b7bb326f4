"""User-facing wording, loaded from assistant/data/messages.yaml (never written inline in code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).resolve().parent / "data" / "messages.yaml"


class Messages:
    def __init__(self, templates: dict[str, str]) -> None:
        self._templates = templates

    @classmethod
    def load(cls, path: Path = MESSAGES_FILE) -> Messages:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def __call__(self, key: str, **params: object) -> str:
        return self._templates[key].format(**params).strip()

    def keys(self) -> set[str]:
        return set(self._templates)


@lru_cache(maxsize=1)
def default_messages() -> Messages:
    return Messages.load()
