"""Dialect robustness of routing: dialect- and ASR-tagged queries, and Mandarin queries turned into
Cantonese, Min Nan and Hakka with public phrase tables, each against the Mandarin accuracy.

The phrase tables (`Mandarin|dialect` per line, traditional script; ../shared/data/dialect/) were
written by someone else for another purpose, which is the point: they are text the normaliser was not
written from. They are read here for measurement only, never by the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import opencc

from eval.dataset import RoutingExample
from eval.routing import RoutingReport, evaluate_routing
from intents.normalise import Lexicon
from intents.router import Router

DEFAULT_TABLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "dialect"
TABLES = {"cantonese": "cmn2yue.dic", "min": "cmn2nan.dic", "hakka": "cmn2hak.dic"}
MANDARIN_TAG = "plain"
TAGGED = ("dialect", "asr")
TARGET_GAP = 0.05  # the target: within 5 points of Mandarin


@dataclass(frozen=True)
class PhraseTable:
    """Longest-match replacement of Mandarin phrases by dialect ones, then traditional script.

    Plain longest match also replaces single characters inside words (公 of 公积金 becomes the 公 of
    "male animal", 犅); `whole_words` replaces only phrases that do not cut a Mandarin word, which is
    closer to what a dialect speaker writes. Both are measured.
    """

    lexicon: Lexicon

    @classmethod
    def read(cls, path: Path) -> PhraseTable:
        t2s = opencc.OpenCC("t2s")
        entries: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            mandarin, sep, dialect = line.partition("|")
            if not sep or not mandarin or not dialect or mandarin.isascii():  # blank, malformed, header
                continue
            # The table is in traditional script and queries are simplified; the first row of a
            # phrase wins.
            entries.setdefault(t2s.convert(mandarin), dialect)
        return cls(Lexicon.of(entries))

    def to_dialect(self, text: str, whole_words: bool = False) -> str:
        return _s2t().convert(self.lexicon.apply(text, whole_words))

    def changes(self, text: str, whole_words: bool = False) -> bool:
        """Whether some phrase of the text is in the table (script alone does not count)."""
        return self.lexicon.apply(text, whole_words) != text


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def read_tables(directory: Path) -> dict[str, PhraseTable]:
    """The phrase tables found in directory, by dialect; none when it is absent."""
    return {name: PhraseTable.read(directory / file) for name, file in TABLES.items() if (directory / file).is_file()}


def converted(
    rows: list[RoutingExample], table: PhraseTable, tag: str, whole_words: bool = False
) -> list[RoutingExample]:
    return [replace(row, query=table.to_dialect(row.query, whole_words), tag=tag) for row in rows]


@dataclass
class SetScore:
    name: str
    queries: int
    top1: float
    changed: float | None  # share of queries with a phrase the table replaced; None for tagged sets
    report: RoutingReport

    def gap(self, mandarin: float) -> float:
        return mandarin - self.top1


@dataclass
class DialectReport:
    mandarin: SetScore
    sets: list[SetScore]

    @property
    def within_target(self) -> dict[str, bool]:
        return {s.name: s.gap(self.mandarin.top1) <= TARGET_GAP for s in self.sets}

    def to_dict(self, errors: bool = False) -> dict:
        def row(s: SetScore) -> dict:
            data = {"queries": s.queries, "top1": round(s.top1, 4), "gap": round(s.gap(self.mandarin.top1), 4)}
            data |= {"changed": round(s.changed, 4)} if s.changed is not None else {}
            return data | ({"errors": s.report.errors} if errors else {})

        return {"mandarin": {"queries": self.mandarin.queries, "top1": round(self.mandarin.top1, 4)},
                "sets": {s.name: row(s) for s in self.sets}, "target_gap": TARGET_GAP,
                "within_target": self.within_target}


def _score(router: Router, name: str, rows: list[RoutingExample], changed: float | None = None) -> SetScore:
    report = evaluate_routing(router, rows, warmup=0)
    return SetScore(name, len(rows), report.top1, changed, report)


def evaluate_dialects(router: Router, rows: list[RoutingExample], tables: dict[str, PhraseTable]) -> DialectReport:
    plain = [r for r in rows if r.tag == MANDARIN_TAG]
    if not plain:
        raise ValueError(f"no Mandarin queries (tag {MANDARIN_TAG!r}) to compare with")
    sets = [_score(router, tag, tagged) for tag in TAGGED if (tagged := [r for r in rows if r.tag == tag])]
    for name, table in tables.items():
        for whole_words in (False, True):
            tag = f"{MANDARIN_TAG}→{name}" + (" (whole words)" if whole_words else "")
            changed = sum(table.changes(r.query, whole_words) for r in plain) / len(plain)
            sets.append(_score(router, tag, converted(plain, table, tag, whole_words), changed))
    return DialectReport(_score(router, MANDARIN_TAG, plain), sets)
