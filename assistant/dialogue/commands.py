"""Words that steer the conversation (转人工, 取消, 上一步…) rather than answer the question asked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import yaml

from intents.smalltalk import peel

COMMANDS_FILE = Path(__file__).resolve().parents[1] / "data" / "commands.yaml"
# What may surround a bare command without changing it: "好吧，取消吧。" is still 取消.
_PADDING = re.compile(r"[\s，。！？,.!?、~…]+|^(那就|那|好吧|好|嗯|我要|我想|帮我|请)|(吧|啊|呀|了吧|嘛|哈)$")


class Command(str, Enum):
    handoff = "handoff"
    cancel = "cancel"
    restart = "restart"
    back = "back"
    skip = "skip"
    resume = "resume"
    materials_ready = "materials_ready"
    correction = "correction"
    switch = "switch"
    more_offers = "more_offers"  # 还有哪些可以办
    benefits = "benefits"  # 我还能享受哪些政策
    stop_waiting = "stop_waiting"  # 算了, 不等了: leave the handoff queue
    callback = "callback"  # 登记回电: a call-back work order instead of waiting


@dataclass(frozen=True)
class CommandWords:
    whole: dict[Command, frozenset[str]]
    anywhere: dict[Command, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path = COMMANDS_FILE) -> CommandWords:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        whole = {Command(k): frozenset(v.get("whole", [])) for k, v in data.items()}
        anywhere = {Command(k): tuple(v.get("anywhere", [])) for k, v in data.items()}
        return cls(whole, anywhere)

    def detect(self, text: str) -> set[Command]:
        """Every command the message carries; the dialogue decides which one applies in its state."""
        core = peel(text, _PADDING)  # "好吧，那就取消吧" is 取消
        found = {c for c, words in self.whole.items() if core in words}
        found |= {c for c, words in self.anywhere.items() if any(w in text for w in words)}
        return found

    def without(self, command: Command, text: str) -> str:
        """The text with this command's phrases taken out."""
        for word in sorted(self.anywhere[command] + tuple(self.whole[command]), key=len, reverse=True):
            text = text.replace(word, "")
        return text


@lru_cache(maxsize=1)
def default_commands() -> CommandWords:
    return CommandWords.load()
