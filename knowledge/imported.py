"""Service items imported from an external catalogue: fewer facts than our own guides, no dialogue."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class ImportedItem(BaseModel):
    """One item of an external catalogue, cleaned. The assistant routes to it and answers from it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str  # "<source>:<code>"
    source: str
    name: str
    dept: str
    aliases: list[str] = []  # the catalogue's short and everyday names (简称, 俗称)
    # query: no slot schema exists, so the assistant answers from the guide and points to the channel.
    kind: str = "query"
    matter_type: str | None = None  # 行政许可 / 公共服务 …
    categories: list[str] = []
    service_objects: list[str] = []
    conditions: str | None = None
    materials: list[str] = []
    time_limit: str | None = None
    legal_time_limit: str | None = None
    location: str | None = None
    phone: str | None = None
    url: str | None = None


def source_file(sources_dir: Path, source: str) -> Path:
    return sources_dir / f"{source}.jsonl"


def write_source(sources_dir: Path, source: str, items: list[ImportedItem]) -> Path:
    """Replace a source's items atomically: a reader sees the old file or the new one, never half."""
    sources_dir.mkdir(parents=True, exist_ok=True)
    target = source_file(sources_dir, source)
    tmp = target.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(item.model_dump_json() + "\n")
    tmp.replace(target)
    return target


def read_sources(sources_dir: Path) -> list[ImportedItem]:
    items: list[ImportedItem] = []
    if not sources_dir.is_dir():
        return items
    for path in sorted(sources_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            items.extend(ImportedItem.model_validate(json.loads(line)) for line in lines if line.strip())
    return items
