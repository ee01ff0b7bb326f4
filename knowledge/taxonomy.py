"""Categories and the Chinese labels of enum values, read from taxonomy.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TAXONOMY_FILE = Path(__file__).resolve().parent / "taxonomy.yaml"


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[str, ...]
    labels: dict[str, dict[str, str]]

    def label(self, group: str, value: str) -> str:
        return self.labels.get(group, {}).get(value, value)


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Taxonomy(categories=tuple(data["categories"]), labels=data["labels"])
