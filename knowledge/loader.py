"""Read the knowledge base's data files into typed models, collecting faults instead of stopping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.eligibility import ELIGIBILITY_FILE, EligibilityRules
from knowledge.faults import Fault
from knowledge.models import Bundle, Policy, Service

M = TypeVar("M", bound=BaseModel)

PACKAGE_DIR = Path(__file__).resolve().parent
SUBDIRS: dict[str, type[BaseModel]] = {"services": Service, "bundles": Bundle, "policies": Policy}


@dataclass
class LoadResult:
    services: list[tuple[Path, Service]] = field(default_factory=list)
    bundles: list[tuple[Path, Bundle]] = field(default_factory=list)
    policies: list[tuple[Path, Policy]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # Ids (file stems) of files that exist but did not parse: references to them are not faults too.
    broken: set[str] = field(default_factory=set)
    eligibility: tuple[Path, EligibilityRules] | None = None  # eligibility.yaml, when the directory has one


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def read_yaml(path: Path) -> tuple[object, list[Fault]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Fault(path, "", f"cannot read file: {exc}")]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        return None, [Fault(path, "", f"invalid YAML: {exc}".replace("\n", " "))]


def parse_file(path: Path, model: type[M], named_by_file: bool = True) -> tuple[M | None, list[Fault]]:
    """Parse one data file into `model`; the id must match the file name (when it is named by it)."""
    data, faults = read_yaml(path)
    if faults:
        return None, faults
    if not isinstance(data, dict):
        return None, [Fault(path, "", "expected a mapping of fields at the top level")]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        return None, [
            Fault(path, _field_path(err["loc"]) or "(top level)", err["msg"]) for err in exc.errors()
        ]
    if not named_by_file:
        return item, []
    item_id = getattr(item, "id")  # noqa: B009 -- M is any model; only those named by file have an id
    if item_id != path.stem:
        return None, [Fault(path, "id", f"id '{item_id}' does not match the file name '{path.stem}'")]
    return item, []


def load_dir(root: Path = PACKAGE_DIR) -> LoadResult:
    """Load every services/, bundles/ and policies/ YAML file under `root`."""
    result = LoadResult()
    for subdir, model in SUBDIRS.items():
        target: list = getattr(result, subdir)
        for path in sorted((root / subdir).glob("*.y*ml")):
            item, faults = parse_file(path, model)
            result.faults.extend(faults)
            if faults:
                result.broken.add(path.stem)
            if item is not None:
                target.append((path, item))
    if (path := root / ELIGIBILITY_FILE).is_file():
        rules, faults = parse_file(path, EligibilityRules, named_by_file=False)
        result.faults.extend(faults)
        result.eligibility = None if rules is None else (path, rules)
    return result
