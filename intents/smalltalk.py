"""Messages that are not a request for a service: greetings, thanks, "你是谁", "编号我忘了",
"我没有手机", "我帮我妈办" (代办), and messages in a language the assistant does not serve.

Pure reading of the text; the dialogue decides what each means in its state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SMALLTALK_FILE = Path(__file__).resolve().parent / "data" / "smalltalk.yaml"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# What may surround a bare phrase without changing it: "你好呀！" is still a greeting.
_PADDING = re.compile(r"[\s，。！？,.!?、~…]+|^(那个|那|嗯|啊|哦|喂)(?=.)|(啊|呀|哈|哦|嘛|呢|哈哈)$")
# Scripts that name their language without a model.
_SCRIPTS = (("ja", re.compile(r"[\u3040-\u30ff]")), ("ko", re.compile(r"[\uac00-\ud7af]")),
            ("ru", re.compile(r"[\u0400-\u04ff]")), ("ar", re.compile(r"[\u0600-\u06ff]")),
            ("th", re.compile(r"[\u0e00-\u0e7f]")))


@dataclass(frozen=True)
class SmallTalk:
    whole: dict[str, frozenset[str]]
    anywhere: dict[str, tuple[str, ...]]
    languages: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = SMALLTALK_FILE) -> SmallTalk:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            whole={k: frozenset(v) for k, v in data["whole"].items()},
            anywhere={k: tuple(v) for k, v in data["anywhere"].items()},
            languages=tuple(data["languages"]),
        )

    def kind_of(self, text: str) -> str | None:
        """greeting, thanks, identity (the whole message), or forgot_number, no_phone, on_behalf (anywhere)."""
        core = peel(text.lower())
        for kind, phrases in self.whole.items():
            if core in phrases:
                return kind
        for kind, words in self.anywhere.items():
            if any(w in text for w in words):
                return kind
        return None

    def foreign_language(self, text: str) -> str | None:
        """The language of a message with no Chinese in it (ISO 639-1), or None for a Chinese message or
        one too short to tell (a number, "ok")."""
        if _CJK.search(text):
            return None
        for code, script in _SCRIPTS:
            if script.search(text):
                return code
        if len(_LETTERS.findall(text)) < 6 or len(text.split()) < 2:
            return None
        return _identifier(self.languages).classify(text)[0]


def peel(text: str, padding: re.Pattern[str] = _PADDING) -> str:
    """The text without the padding around it, peeled until nothing changes ("喂，你好呀！" → 你好)."""
    previous = None
    core = text.strip()
    while core != previous:
        previous = core
        core = padding.sub("", core)
    return core


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]) -> Any:  # langid's LanguageIdentifier (untyped), imported late
    # Loaded on the first message in another script (about 2 s), never at start-up.
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


@lru_cache(maxsize=1)
def default_smalltalk() -> SmallTalk:
    return SmallTalk.load()
