"""The copilot's 诉求摘要 against a written reference (eval/data/copilot_summaries.jsonl).

The reference covers the dispatch evaluation calls that become work orders (every type but consult)
and the calls labelled with the hotline itself, written by hand from the call alone. Each row gives:
  who    the caller's name as staff screens show it (刘*, 王**), "" if not said;
  what   the matter's label (intents/data/complaints.yaml) or the service's name, "" if neither fits;
  where, when, want   a short phrase in the caller's own words, "" if the call does not say it;
  summary             the whole reference summary, in the copilot's layout;
  dept                (hotline calls only) where the order really goes: the matter's department (by the
                      dispatch model's name where it has one: 公安交通管理部门, not …（交警）), or
                      "" when none is known, in which case the copilot should suggest nothing.
Measures: per field, right when both are empty or the reference phrase is inside the copilot's
(punctuation and spaces aside; `who` and `what` must be equal); all five right; the character-level
ROUGE-L F1 of the summary against the reference summary; summaries that still hold a greeting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eval.dataset import DatasetError, jsonl_rows

FIELDS = ("who", "what", "where", "when", "want")
EXACT = {"who", "what"}
_NOISE = re.compile(r"[\s，。！？、；：,.!?;:“”\"'（）()]")
_GREETING = re.compile(r"喂|你好|您好")


@dataclass(frozen=True)
class SummaryReference:
    text: str
    fields: dict[str, str]
    summary: str
    dept: str | None = None  # only for calls labelled with the hotline


def read_references(path: Path) -> list[SummaryReference]:
    rows = []
    for number, row in jsonl_rows(path):
        try:
            if not isinstance(row["text"], str) or not row["text"] or not row["summary"]:
                raise ValueError("text and summary must be non-empty strings")
            fields = {f: str(row[f]) for f in FIELDS}
            rows.append(SummaryReference(row["text"], fields, str(row["summary"]), row.get("dept")))
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{path} line {number}: {exc}") from None
    return rows


def _plain(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text))


def field_right(name: str, expected: str, got: str) -> bool:
    expected, got = _plain(expected), _plain(got)
    if not expected or name in EXACT:
        return expected == got
    return expected in got


def rouge_l(candidate: str, reference: str) -> float:
    """Character-level ROUGE-L F1 (longest common subsequence), punctuation and spaces aside."""
    a, b = _plain(candidate), _plain(reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


@dataclass
class SummaryReport:
    calls: int
    by_field: dict[str, float]
    all_fields: float
    rouge_l: float
    with_greeting: int
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def evaluate_summaries(summarise: Callable[[str], tuple[dict[str, str], str]],
                       rows: Sequence[SummaryReference]) -> SummaryReport:
    """`summarise(text)` gives the copilot's fields (FIELDS) and its summary for a call."""
    right: dict[str, list[bool]] = {f: [] for f in FIELDS}
    whole, scores, greetings, errors = [], [], 0, []
    for row in rows:
        fields, summary = summarise(row.text)
        marks = {f: field_right(f, row.fields[f], fields.get(f, "")) for f in FIELDS}
        for f, ok in marks.items():
            right[f].append(ok)
        whole.append(all(marks.values()))
        scores.append(rouge_l(summary, row.summary))
        greetings += bool(_GREETING.search(summary))
        if not all(marks.values()):
            errors.append({"text": row.text, "wrong": {f: [row.fields[f], fields.get(f, "")] for f, ok in marks.items() if not ok}})
    return SummaryReport(
        calls=len(rows), by_field={f: float(np.mean(v)) if v else 0.0 for f, v in right.items()},
        all_fields=float(np.mean(whole)) if whole else 0.0, rouge_l=float(np.mean(scores)) if scores else 0.0,
        with_greeting=greetings, errors=errors,
    )
