"""The shared catalogue: the fixed ids, names, departments and kinds every knowledge base must hold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class CatalogueService:
    id: str
    name: str
    dept: str
    kind: str


@dataclass(frozen=True)
class CatalogueBundle:
    id: str
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    services: tuple[CatalogueService, ...]
    bundles: tuple[CatalogueBundle, ...]


def load_catalogue(path: Path) -> Catalogue:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Catalogue(
        services=tuple(
            CatalogueService(str(s["id"]), str(s["name"]), str(s["dept"]), str(s["kind"]))
            for s in data.get("services", [])
        ),
        bundles=tuple(
            CatalogueBundle(str(b["id"]), str(b["name"]), tuple(b["services"]))
            for b in data.get("bundles", [])
        ),
    )
