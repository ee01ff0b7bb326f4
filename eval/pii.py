"""Names and street addresses in free text: how many `mask_text` masks, and how many ordinary
sentences it changes (`govassist eval pii`, data in eval/data/pii_free_text.yaml).

A span counts as masked when none of its characters beyond the kept prefix (a name's first character)
stays readable in the output; which input characters stay readable is read from an alignment of the
output with the input (difflib), so the masker is judged only by what it returns.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

PII_DATA = Path(__file__).resolve().parent / "data" / "pii_free_text.yaml"


@dataclass(frozen=True)
class Annotated:
    start: int
    end: int
    keep: int


@dataclass(frozen=True)
class Sentence:
    text: str
    part: str
    names: tuple[Annotated, ...]
    addresses: tuple[Annotated, ...]

    @property
    def ordinary(self) -> bool:
        return not self.names and not self.addresses


def _span(text: str, entry: str | dict, keep: int) -> Annotated:
    span, keep = (entry, keep) if isinstance(entry, str) else (entry["span"], int(entry.get("keep", keep)))
    start = text.find(span)
    if start < 0:
        raise ValueError(f"{span!r} is not in {text!r}")
    return Annotated(start, start + len(span), keep)


def read_pii_set(path: Path = PII_DATA) -> list[Sentence]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Sentence(text=row["text"], part=part,
                 names=tuple(_span(row["text"], n, 1) for n in row.get("names", [])),
                 addresses=tuple(_span(row["text"], a, 0) for a in row.get("addresses", [])))
        for part, rows in raw.items() for row in rows or []  # every part, in the file's order
    ]


def readable(text: str, masked: str) -> set[int]:
    """Indices of `text` whose characters are still there, in place, in `masked`."""
    matcher = difflib.SequenceMatcher(None, text, masked, autojunk=False)
    return {i for a, _, size in matcher.get_matching_blocks() for i in range(a, a + size)}


TARGET_MASKED = 0.95
TARGET_CHANGED = 0.03


@dataclass
class PiiReport:
    part: str
    sentences: int = 0
    names: int = 0
    names_masked: int = 0
    addresses: int = 0
    addresses_masked: int = 0
    ordinary: int = 0
    ordinary_changed: int = 0
    ms_p50: float = 0.0
    ms_p95: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def name_rate(self) -> float:
        return self.names_masked / self.names if self.names else 1.0

    @property
    def address_rate(self) -> float:
        return self.addresses_masked / self.addresses if self.addresses else 1.0

    @property
    def changed_rate(self) -> float:
        return self.ordinary_changed / self.ordinary if self.ordinary else 0.0

    @property
    def meets_targets(self) -> bool:
        return min(self.name_rate, self.address_rate) >= TARGET_MASKED and self.changed_rate <= TARGET_CHANGED

    def to_dict(self, misses: bool = True) -> dict:
        data = asdict(self) | {"name_rate": round(self.name_rate, 4), "address_rate": round(self.address_rate, 4),
                               "changed_rate": round(self.changed_rate, 4), "meets_targets": self.meets_targets}
        return data if misses else {k: v for k, v in data.items() if k != "misses"}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3) if ordered else 0.0


def evaluate_pii(sentences: list[Sentence], mask: Callable[[str], str], part: str = "all") -> PiiReport:
    """Score `mask` on the sentences of one part ("all" for every part), timing each call."""
    report = PiiReport(part=part)
    timings = []
    for s in (s for s in sentences if part in (s.part, "all")):
        start = time.perf_counter()
        out = mask(s.text)
        timings.append((time.perf_counter() - start) * 1000)
        report.sentences += 1
        if s.ordinary:
            report.ordinary += 1
            if out != s.text:
                report.ordinary_changed += 1
                report.misses.append(f"changed: {s.text} → {out}")
            continue
        kept = readable(s.text, out)
        for kind, spans in (("name", s.names), ("address", s.addresses)):
            for span in spans:
                masked = not kept & set(range(span.start + span.keep, span.end))
                if kind == "name":
                    report.names += 1
                    report.names_masked += masked
                else:
                    report.addresses += 1
                    report.addresses_masked += masked
                if not masked:
                    report.misses.append(f"{kind} {s.text[span.start:span.end]}: {s.text} → {out}")
    report.ms_p50, report.ms_p95 = _quantile(timings, 0.5), _quantile(timings, 0.95)
    return report


def project_strings(root: Path) -> list[str]:
    """Every Chinese string in the knowledge base and the message files: the replies mask_text also runs on."""
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str) and any("\u4e00" <= c <= "\u9fff" for c in value):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for pattern in ("knowledge/*.yaml", "knowledge/services/*.yaml", "assistant/data/*.yaml", "web/data/*.yaml"):
        for path in sorted(root.glob(pattern)):
            if path.name != "free_text_pii.yaml":
                walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return texts
