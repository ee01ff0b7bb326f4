"""Evaluation files: JSON Lines of {"query", "expected": [ids], "tag"?}."""

from __future__ import annotations

from collections.abc import Iterator

import json
from dataclasses import dataclass
from pathlib import Path

OUT_OF_SCOPE = "none"


class DatasetError(Exception):
    pass


@dataclass(frozen=True)
class RoutingExample:
    query: str
    expected: tuple[str, ...]
    tag: str | None = None

    @property
    def out_of_scope(self) -> bool:
        return OUT_OF_SCOPE in self.expected


def jsonl_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) of each non-blank line; DatasetError names the file and line at fault."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise DatasetError(f"{path} line {number}: {exc}") from None
        if not isinstance(row, dict):
            raise DatasetError(f"{path} line {number}: expected a JSON object")
        yield number, row


def read_routing_file(path: Path) -> list[RoutingExample]:
    rows: list[RoutingExample] = []
    for number, row in jsonl_rows(path):
        try:
            expected = row["expected"]
            if not isinstance(row["query"], str) or not isinstance(expected, list) or not expected:
                raise ValueError("query must be a string and expected a non-empty list")
            rows.append(RoutingExample(row["query"], tuple(map(str, expected)), row.get("tag")))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path} line {number}: {exc}") from None
    return rows
