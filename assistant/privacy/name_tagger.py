"""A statistical tagger for Chinese personal names in free text: a character CRF (python-crfsuite).

It finds the names no cue points at (刘洋昨天来过窗口了吗？). assistant/privacy/free_text_pii.py decides which of
its spans are masked. The weights, assistant/data/name_tagger.crfsuite, are trained by
`govassist train-name-tagger` (cli/name_tagger.py) from a labelled corpus given on the command line and
ship in the repository; nothing is downloaded. The model is opened once per process, on first use.

Each character is described by itself and its neighbours (two either side, and the bigrams around
it) and by three lists from assistant/data/free_text_pii.yaml: is it a surname, the start of a compound
surname, a character usual in given names. The labels are BMES over PER, LOC and ORG (a place or an
organisation is learnt too, so that 张家港 is read as a place, not as 张 and a given name).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    import pycrfsuite

MODEL = Path(__file__).resolve().parents[1] / "data" / "name_tagger.crfsuite"
_LISTS = Path(__file__).resolve().parents[1] / "data" / "free_text_pii.yaml"
_PAD = "#"


@dataclass(frozen=True)
class _Lists:
    surnames: frozenset[str]
    compound: frozenset[str]
    given: frozenset[str]


@lru_cache(maxsize=1)
def known_lists() -> _Lists:
    raw = yaml.safe_load(_LISTS.read_text(encoding="utf-8"))
    return _Lists(
        surnames=frozenset(re.sub(r"\s", "", raw["surnames"])),
        compound=frozenset(raw["compound_surnames"].split() + raw["compound_surnames_after_cue"].split()),
        given=frozenset(re.sub(r"\s", "", raw["given_name_chars"])),
    )


def _kind(c: str) -> str:
    if c.isdigit():
        return "d"
    if "\u4e00" <= c <= "\u9fff":
        return "h"
    if c.isascii() and c.isalpha():
        return "a"
    return "p"


def features(text: str) -> list[list[str]]:
    """One list of feature strings per character of `text` (the same at training and tagging)."""
    lists = known_lists()
    padded = _PAD * 2 + text + _PAD * 2
    out = []
    for i in range(len(text)):
        p = i + 2
        c, l1, l2, r1, r2 = padded[p], padded[p - 1], padded[p - 2], padded[p + 1], padded[p + 2]
        f = [f"c={c}", f"l1={l1}", f"r1={r1}", f"l2={l2}", f"r2={r2}",
             f"l1c={l1}{c}", f"cr1={c}{r1}", f"l2l1={l2}{l1}", f"r1r2={r1}{r2}", f"l1r1={l1}{r1}",
             f"k={_kind(c)}{_kind(l1) if l1 != _PAD else '^'}{_kind(r1) if r1 != _PAD else '$'}"]
        if c in lists.surnames:
            f.append("sur")
        if text[i:i + 2] in lists.compound:
            f.append("csur")
        if i and text[i - 1:i + 1] in lists.compound:
            f.append("csur2")
        if l1 in lists.surnames:
            f.append("l1sur")
        if l2 in lists.surnames:
            f.append("l2sur")
        g = "".join("g" if x in lists.given else "-" for x in (l2, l1, c, r1, r2))
        f.append(f"g={g}")
        out.append(f)
    return out


def spans_of(labels: Sequence[str], kind: str = "PER") -> list[tuple[int, int]]:
    """(start, end) of each `kind` entity in a BMES label sequence."""
    spans, start = [], None
    for i, label in enumerate(labels):
        tag, _, k = label.partition("-")
        if k != kind:
            start = None
            continue
        if tag == "S":
            spans.append((i, i + 1))
            start = None
        elif tag == "B":
            start = i
        elif tag == "E" and start is not None:
            spans.append((start, i + 1))
            start = None
    return spans


_TAGGING = threading.Lock()


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger | None:
    """The CRF, opened once per process; None when the weights file is absent (a checkout without it)."""
    if not MODEL.is_file():
        logging.getLogger(__name__).warning("no name tagger weights at %s: names with no cue are not found", MODEL)
        return None
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL))
    return tagger


@dataclass(frozen=True)
class PersonSpan:
    start: int
    end: int
    confidence: float  # the lowest marginal probability of the span's labels (0–1)


def person_spans(text: str) -> list[PersonSpan]:
    """Where the tagger reads a person's name in `text`, with how sure it is; nothing when the model file
    is absent."""
    tagger = _tagger() if text else None
    if tagger is None:
        return []
    rows = features(text)
    # One crfsuite Tagger keeps the last sentence tagged, and marginal() reads it: requests are served
    # from several threads, so tagging and reading its marginals happen under one lock (~0.1 ms).
    with _TAGGING:
        labels = tagger.tag(rows)
        return [PersonSpan(a, b, min(tagger.marginal(labels[i], i) for i in range(a, b))) for a, b in spans_of(labels)]
