"""Import the Guangdong provincial service catalogue (one JSON object a line) as ImportedItems.

The real data holds "无", empty strings and nulls for missing facts, prefixes such as "办理地点：",
and time limits written "30(工作日)". Cleaning turns all of those into None or plain text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.imported import ImportedItem

SOURCE = "gd-catalogue"
ID_PREFIX = "gd"
EMPTY_VALUES = frozenset({"", "无", "暂无", "null", "None", "/", "-", "—"})
_TIME_RE = re.compile(r"^(\d+)\s*[(（]\s*(工作日|自然日|个工作日|天)\s*[)）]$")
_ALIAS_SEPARATORS = re.compile(r"[,，、|;；/]+")


class CatalogueImportError(Exception):
    """The file cannot be imported; nothing was written."""


@dataclass
class ImportReport:
    items: list[ImportedItem] = field(default_factory=list)
    duplicates: int = 0


def clean_text(value: object) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return None if text in EMPTY_VALUES else text


def clean_list(value: object) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [t for t in (clean_text(v) for v in values) if t is not None]


def clean_location(value: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    return clean_text(re.sub(r"^办理地点[:：]\s*", "", text))


def clean_time_limit(value: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    match = _TIME_RE.match(text)
    if match:
        days, unit = match.groups()
        return f"{days}个工作日" if "工作日" in unit else f"{days}个自然日"
    return text


def clean_aliases(name: str, *values: object) -> list[str]:
    """Short and everyday names ("注销律师证,律师证注销"), one per alias, without the item's own name."""
    aliases: list[str] = []
    for value in values:
        for part in _ALIAS_SEPARATORS.split(clean_text(value) or ""):
            alias = clean_text(part.strip("“”\"' "))
            if alias and alias != name and alias not in aliases:
                aliases.append(alias)
    return aliases


def item_from_row(row: dict) -> ImportedItem:
    code = clean_text(row.get("TASK_CODE"))
    name = clean_text(row.get("TASK_NAME")) or clean_text(row.get("matter_name"))
    if code is None or name is None:
        raise ValueError("row has no TASK_CODE or TASK_NAME")
    return ImportedItem(
        id=f"{ID_PREFIX}:{code}",
        source=SOURCE,
        name=name,
        dept=clean_text(row.get("DEPT_NAME")) or "",
        aliases=clean_aliases(name, row.get("matter_short"), row.get("matter_daily")),
        matter_type=clean_text(row.get("TASK_TYPE_TEXT")) or clean_text(row.get("matter_type")),
        categories=[c for c in clean_list(row.get("theme_category")) if c != "其他"],
        service_objects=clean_list(row.get("service_object_name")),
        conditions=clean_text(row.get("accept_standard")),
        materials=clean_list(row.get("material_intro")),
        time_limit=clean_time_limit(row.get("handle_time_limit")),
        legal_time_limit=clean_time_limit(row.get("handle_time")),
        location=clean_location(row.get("handle_location")),
        phone=clean_text(row.get("consult_phone")),
        url=clean_text(row.get("URL")),
    )


def parse_gd_catalogue(path: Path) -> ImportReport:
    """Parse every line; a malformed line aborts the import, naming its line number."""
    report = ImportReport()
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CatalogueImportError(f"文件不存在：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueImportError(f"无法读取 {path}：{exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("line is not a JSON object")
            item = item_from_row(row)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise CatalogueImportError(f"{path} 第 {number} 行无法导入：{exc}") from None
        if item.id in seen:
            report.duplicates += 1
            continue
        seen.add(item.id)
        report.items.append(item)
    if not report.items:
        raise CatalogueImportError(f"{path} 中没有可导入的事项")
    return report
