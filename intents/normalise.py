"""Text normalisation before routing: script, width, ASR spacing, fillers, numerals, dialect words,
homophone slips.

Every step is a pure function of the text and of data: files under intents/data/, and optionally a
homophone repair built once from the knowledge base's vocabulary (intents/homophones.py). The same
normaliser runs on queries and on the knowledge base that is indexed.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an
import opencc
import yaml

from intents import mandarin

DATA_DIR = Path(__file__).resolve().parent / "data"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# A space between two CJK characters is ASR or typing noise ("社 保 卡"); a space between Latin
# words or digits is kept ("VIP 窗口" stays readable).
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_CJK_DIGIT_SPACE = re.compile(rf"(?<=[{_CJK}0-9])\s+(?=[0-9])|(?<=[0-9])\s+(?=[{_CJK}0-9])")
_DIGIT_SPACE = re.compile(r"(?<=\d)[\s-]+(?=\d)")
_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两幺"
# A run without 十百千万亿 is read digit by digit (幺三八…, 二零二四, 零零后): each character is a digit.
_DIGIT_OF = str.maketrans("零〇一二三四五六七八九两幺", "0012345678921")
_POSITIONAL = re.compile("[十百千万亿]")
# Two neighbouring digits are an estimate (三四天, 两三个人), not a two-digit number.
_ESTIMATE = re.compile("(?:一二|两三|二三|三四|四五|五六|六七|七八|八九)")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_PUNCT_RUN = re.compile(r"([，。！？,.!?~、；;])\1+")
_LATIN = re.compile(r"[a-z0-9]")


def strip_control(text: str) -> str:
    """The text without control, zero-width and direction-override characters; newlines and tabs stay."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Lexicon:
    """Replacements applied longest-first in one left-to-right pass."""

    entries: dict[str, str]
    pattern: re.Pattern[str] | None  # finds where some key starts
    lengths: tuple[int, ...]  # key lengths, longest first

    @classmethod
    def of(cls, entries: dict[str, str]) -> Lexicon:
        keys = sorted(entries, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        return cls(entries, pattern, tuple(sorted({len(k) for k in keys}, reverse=True)))

    def apply(self, text: str, whole_words: bool = False) -> str:
        """`whole_words`: a key that would cut a Mandarin word in two is passed over for a shorter one
        or none (重点办理 keeps its 点办, 喺边度 is 喺 + 边度 rather than 喺边 + 度)."""
        if self.pattern is None:
            return text
        spans: list[tuple[int, int]] | None = None  # the text's words, found at the first match
        out: list[str] = []
        i = 0
        while (match := self.pattern.search(text, i)) is not None:
            start = match.start()
            if whole_words and spans is None:
                spans = mandarin.word_spans(text)
            keys = [k for k in self._keys_at(text, start) if not mandarin.cuts_a_word(start, start + len(k), spans or [])]
            key = keys[0] if keys else None
            out += [text[i:start], self.entries[key] if key else text[start]]
            i = start + (len(key) if key else 1)
        out.append(text[i:])
        return "".join(out)

    def _keys_at(self, text: str, start: int) -> list[str]:
        """The keys found at start, longest first; a Latin key only as a whole word (bb, not bbs)."""
        keys = [text[start : start + n] for n in self.lengths if text[start : start + n] in self.entries]
        return [k for k in keys if not k.isascii() or not _latin_around(text, start, start + len(k))]


def _latin_around(text: str, start: int, end: int) -> bool:
    return bool((start and _LATIN.match(text[start - 1])) or (end < len(text) and _LATIN.match(text[end])))


@dataclass(frozen=True)
class NormaliserData:
    fillers: tuple[str, ...]
    trailing_particles: tuple[str, ...]
    numeral_units: tuple[str, ...]
    numeral_exceptions: tuple[str, ...]
    misspellings: dict[str, str]
    dialect: dict[str, str]
    final_particles: dict[str, str]


def load_normaliser_data(data_dir: Path = DATA_DIR) -> NormaliserData:
    norm = yaml.safe_load((data_dir / "normalise.yaml").read_text(encoding="utf-8"))
    dialect_file = yaml.safe_load((data_dir / "dialect.yaml").read_text(encoding="utf-8"))
    final_particles = dialect_file.pop("final_particles", {}) or {}
    # Keys are matched after the text is made simplified, so a key written in traditional script
    # (唔該, 點樣) is made simplified too; one entry serves both scripts.
    t2s = opencc.OpenCC("t2s")
    dialect: dict[str, str] = {}
    for table in dialect_file.values():
        dialect.update({t2s.convert(str(k)).lower(): str(v) for k, v in (table or {}).items()})
    return NormaliserData(
        fillers=tuple(norm["fillers"]),
        trailing_particles=tuple(norm["trailing_particles"]),
        numeral_units=tuple(norm["numeral_units"]),
        numeral_exceptions=tuple(norm["numeral_exceptions"]),
        misspellings=dict(norm["misspellings"]),
        dialect=dialect,
        final_particles={str(k): str(v) for k, v in final_particles.items()},
    )


class Normaliser:
    """Turns what a person typed or said into the plain Mandarin text the indexes hold."""

    def __init__(self, data: NormaliserData | None = None, repair: Callable[[str], str] | None = None) -> None:
        """`repair`: homophone repair (HomophoneRepair.from_kb); without it slips stay as typed."""
        self.data = data or load_normaliser_data()
        self._repair = repair
        self._t2s = opencc.OpenCC("t2s")
        self._dialect = Lexicon.of(self.data.dialect)
        self._misspellings = Lexicon.of(self.data.misspellings)
        fillers = "|".join(re.escape(f) for f in sorted(self.data.fillers, key=len, reverse=True))
        # A filler is dropped at the start of the text or of a clause, not inside a word (那个 in 哪个).
        self._fillers = re.compile(rf"(^|[，。！？,.!?\s])(?:(?:{fillers})[，,、\s]*)+")
        finals = "|".join(re.escape(p) for p in sorted(self.data.final_particles, key=len, reverse=True))
        self._finals = re.compile(rf"({finals})(?=[？?！!。.，,]*$)") if finals else None
        particles = "".join(re.escape(p) for p in self.data.trailing_particles)
        self._trailing = re.compile(rf"[{particles}]+(?=[？?！!。.]*$)")
        units = "|".join(re.escape(u) for u in sorted(self.data.numeral_units, key=len, reverse=True))
        self._numerals = re.compile(rf"[{_NUMERAL_CHARS}]{{2,}}|[{_NUMERAL_CHARS}](?={units})")
        self._exceptions = re.compile("|".join(re.escape(e) for e in self.data.numeral_exceptions))

    def __call__(self, text: str) -> str:
        return self.normalise(text)

    def normalise(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)  # full-width letters, digits, punctuation → half-width
        text = _CONTROL.sub("", text)
        text = self._t2s.convert(text)
        text = _CJK_SPACE.sub("", text.strip())
        text = _CJK_DIGIT_SPACE.sub("", text)
        text = re.sub(r"\s+", " ", text)
        text = self._misspellings.apply(text)
        if self._finals is not None:
            text = self._finals.sub(self._final_particle, text)
        text = self._dialect.apply(text.lower(), whole_words=True)
        text = self._fillers.sub(lambda m: m.group(1), text).strip()
        text = self._convert_numerals(text)
        text = _DIGIT_SPACE.sub("", text)
        if self._repair is not None:
            text = self._repair(text)
        text = self._trailing.sub("", text)
        text = _PUNCT_RUN.sub(r"\1", text)
        return text.strip(" ，,、")

    def _final_particle(self, match: re.Match[str]) -> str:
        # 伐 ends a Wu question, but not 复工步伐.
        if mandarin.cuts_a_word(match.start(1), match.end(1), mandarin.word_spans(match.string)):
            return match.group(0)
        return self.data.final_particles[match.group(1)]

    def _convert_numerals(self, text: str) -> str:
        protected = {m.span() for m in self._exceptions.finditer(text)}

        def convert(match: re.Match[str]) -> str:
            span = match.group(0)
            if _ESTIMATE.fullmatch(span) or any(start <= match.start() < end for start, end in protected):
                return span
            if not _POSITIONAL.search(span) and len(span) >= 2:
                return span.translate(_DIGIT_OF)
            try:
                value = cn2an.cn2an(span, "smart")
            except (ValueError, KeyError):
                # A run that is not one number (三十二十): cn2an.transform converts what it can.
                try:
                    with warnings.catch_warnings():  # it warns, then returns the text unchanged
                        warnings.simplefilter("ignore", UserWarning)
                        return cn2an.transform(span, "cn2an")
                except (ValueError, KeyError):
                    return span
            return str(int(value)) if float(value).is_integer() else str(value)

        return self._numerals.sub(convert, text)


@lru_cache(maxsize=1)
def default_normaliser() -> Normaliser:
    return Normaliser()
