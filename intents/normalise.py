"""Text normalisation before routing: script, width, ASR spacing, fillers, numerals, dialect words.

Every step is a pure function of the text and of data files under intents/data/, so the same
normaliser runs on queries and on the knowledge base that is indexed.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an
import opencc
import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# A space between two CJK characters is ASR or typing noise ("社 保 卡"); a space between Latin
# words or digits is kept ("VIP 窗口" stays readable).
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_CJK_DIGIT_SPACE = re.compile(rf"(?<=[{_CJK}0-9])\s+(?=[0-9])|(?<=[0-9])\s+(?=[{_CJK}0-9])")
_DIGIT_SPACE = re.compile(r"(?<=\d)[\s-]+(?=\d)")
_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两幺"
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_PUNCT_RUN = re.compile(r"([，。！？,.!?~、；;])\1+")


@dataclass(frozen=True)
class Lexicon:
    """Ordered replacements applied longest-first in one left-to-right pass."""

    entries: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, entries: dict[str, str]) -> Lexicon:
        keys = sorted(entries, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        return cls(entries, pattern)

    def apply(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.entries[m.group(0)], text)


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
    dialect: dict[str, str] = {}
    for table in dialect_file.values():
        dialect.update({str(k).lower(): str(v) for k, v in (table or {}).items()})
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

    def __init__(self, data: NormaliserData | None = None) -> None:
        self.data = data or load_normaliser_data()
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
            text = self._finals.sub(lambda m: self.data.final_particles[m.group(1)], text)
        text = self._dialect.apply(text.lower())
        text = self._fillers.sub(lambda m: m.group(1), text).strip()
        text = self._convert_numerals(text)
        text = _DIGIT_SPACE.sub("", text)
        text = self._trailing.sub("", text)
        text = _PUNCT_RUN.sub(r"\1", text)
        return text.strip(" ，,、")

    def _convert_numerals(self, text: str) -> str:
        protected = {m.span() for m in self._exceptions.finditer(text)}

        def convert(match: re.Match[str]) -> str:
            span = match.group(0)
            if any(start <= match.start() < end for start, end in protected):
                return span
            try:
                value = cn2an.cn2an(span, "smart")
            except (ValueError, KeyError):
                # Digit-by-digit reading (幺三八零…) is not a number cn2an parses as a whole.
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
