"""Phrase lists for Vosk's grammar mode, used when the dialogue waits for a short answer.

Listening for a dozen phrases instead of the whole language makes "是" or "幺三八" far more
reliable from an elderly voice on a phone microphone. Every list ends with "[unk]" so that anything
else is reported as unknown rather than forced onto the nearest phrase (voice/recognise.py then
recognises the recording again without a grammar). Phrases are plain text here; the recogniser
splits them into the words of its model (fit_grammar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

GRAMMAR_FILE = Path(__file__).resolve().parent / "data" / "grammar.yaml"
UNKNOWN = "[unk]"

# What the dialogue is waiting for -> which grammar: slot types (knowledge/models.py SlotType) and
# the dialogue's own questions. Anything not listed is free speech.
KINDS = {
    "yes_no": "yes_no",
    "consent": "yes_no",
    "phone": "digits",
    "id_number": "digits",
    "digits": "digits",
    "number": "number",
    "choice": "choice",
    "clarify": "choice",
    "materials": "materials",
}


@dataclass(frozen=True)
class GrammarData:
    yes_no: tuple[str, ...]
    digits: tuple[str, ...]
    number_words: tuple[str, ...]
    ordinal: str
    materials: tuple[str, ...]
    always: tuple[str, ...]


@lru_cache(maxsize=1)
def grammar_data(path: Path = GRAMMAR_FILE) -> GrammarData:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return GrammarData(
        yes_no=tuple(raw["yes_no"]),
        digits=tuple(raw["digits"]),
        number_words=tuple(raw["number_words"]),
        ordinal=raw["ordinal"],
        materials=tuple(raw["materials"]),
        always=tuple(raw["always"]),
    )


def grammar_for(expected: str, choices: Sequence[str] = ()) -> list[str] | None:
    """Phrases to listen for when the dialogue expects `expected` (a slot type such as "yes_no",
    "phone", "choice", or "consent"/"clarify"); `choices`: the labels offered. None: free speech."""
    kind = KINDS.get(expected)
    if kind == "yes_no":
        return yes_no_grammar()
    if kind == "digits":
        return digits_grammar()
    if kind == "number":
        return number_grammar()
    if kind in ("choice", "materials") and choices:
        return choices_grammar(choices, materials=kind == "materials")
    return None


def yes_no_grammar() -> list[str]:
    return _grammar(grammar_data().yes_no)


def digits_grammar() -> list[str]:
    digits = grammar_data().digits
    # The whole run as one phrase teaches the grammar's bigram model that digits follow digits.
    return _grammar([*digits, " ".join(digits)])


def number_grammar() -> list[str]:
    data = grammar_data()
    words = (*data.digits, *data.number_words)
    return _grammar([*words, " ".join(words)])


def choices_grammar(labels: Sequence[str], materials: bool = False) -> list[str]:
    data = grammar_data()
    ordinals = []
    for n in range(1, len(labels) + 1):
        numeral = cn2an.an2cn(n)
        ordinals += [data.ordinal.format(n=numeral), numeral]
    return _grammar([*labels, *ordinals, *(data.materials if materials else ())])


def fit_grammar(phrases: Iterable[str], knows: Callable[[str], bool], longest_word: int = 8) -> list[str]:
    """Phrases as space-separated words a model knows: "确认提交" -> "确认 提交". A word Vosk does not
    know is silently dropped from its phrase, which would then match something else: a phrase with
    a character no word covers is left out instead."""
    fitted: list[str] = []
    for phrase in phrases:
        words: list[str] = []
        for token in phrase.split():
            split = [token] if token == UNKNOWN or knows(token) else _segment(token, knows, longest_word)
            if split is None:
                words = []  # a token no word covers: the phrase is left out
                break
            words += split
        if words:
            fitted.append(" ".join(words))
    return _dedupe([*fitted, UNKNOWN])


def _segment(token: str, knows: Callable[[str], bool], longest_word: int) -> list[str] | None:
    # Greedy longest match from the left, as Chinese word lists are usually segmented.
    words: list[str] = []
    i = 0
    while i < len(token):
        for j in range(min(len(token), i + longest_word), i, -1):
            if knows(token[i:j]):
                words.append(token[i:j])
                i = j
                break
        else:
            return None
    return words


def _grammar(phrases: Iterable[str]) -> list[str]:
    return _dedupe([*phrases, *grammar_data().always, UNKNOWN])


def _dedupe(phrases: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in phrases if p.strip()))
