"""Answers to questions about the service at hand ("要带什么材料？", "要多久？", "能代办吗？").

The answer comes from the guide's own fields, so it is the same text the guide page shows; a question
the guide does not cover says so and names the hotline rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.common.messages import Messages
from knowledge.base import KnowledgeBase
from knowledge.models import Bundle, Faq, Service
from knowledge.render import material_line
from knowledge.taxonomy import load_taxonomy

TOPICS_FILE = Path(__file__).resolve().parents[1] / "data" / "topics.yaml"
_PROXY_FAQ = re.compile(r"代办|委托|别人|替|家属|亲属|子女")


@dataclass(frozen=True)
class Topics:
    cues: dict[str, tuple[str, ...]]  # topic -> cue words, in priority order
    question_markers: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = TOPICS_FILE) -> Topics:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        markers = tuple(data.pop("question_markers"))
        return cls({k: tuple(v) for k, v in data.items()}, markers)

    def topic_of(self, text: str) -> str | None:
        """The guide topic a question asks about, or None when the text is not such a question."""
        text = text.replace("好几", "许多")  # "坏了好几天" says how long, it does not ask it
        for topic, cues in self.cues.items():
            if any(c in text for c in cues):
                return topic if self.is_question(text) else None
        return None

    def is_question(self, text: str) -> bool:
        return any(m in text for m in self.question_markers)


@lru_cache(maxsize=1)
def default_topics() -> Topics:
    return Topics.load()


class GuideAnswerer:
    def __init__(self, kb: KnowledgeBase, say: Messages) -> None:
        self.kb = kb
        self.say = say
        self.taxonomy = load_taxonomy()

    def answer(self, subject_id: str, topic: str) -> str:
        if subject_id in self.kb.bundles:
            return self._bundle(self.kb.bundles[subject_id], topic)
        return self._service(self.kb.services[subject_id], topic)

    def _service(self, s: Service, topic: str) -> str:
        say = self.say
        if topic == "materials":
            lines = _numbered(material_line(m, self.taxonomy) for m in s.materials)
            return say("topic_materials", name=s.name, list=lines)
        if topic == "time":
            return say("topic_time", text=s.time_limit.text)
        if topic == "fee":
            return say("topic_fee", text=s.fee.text)
        if topic == "place":
            return say("topic_place", online="、".join(s.channels.online), counter=s.channels.counter, hotline=s.channels.hotline)
        if topic == "conditions":
            return say("topic_conditions", list=_numbered(s.conditions))
        if topic == "steps":
            return say("topic_steps", list=_numbered(s.steps))
        faq = _faq_about(s.faq, _PROXY_FAQ)
        if faq is None:
            proxy_lines = [material_line(m, self.taxonomy) for m in s.materials if _PROXY_FAQ.search(m.name)]
            return proxy_lines[0] if proxy_lines else say("no_answer_in_guide", hotline=s.channels.hotline)
        return faq.a

    def _bundle(self, b: Bundle, topic: str) -> str:
        members = [self.kb.services[m] for m in b.services]
        if topic == "materials":
            seen: dict[str, str] = {}
            for member in members:
                for m in member.materials:
                    seen.setdefault(m.name, material_line(m, self.taxonomy))
            return self.say("topic_materials", name=b.name, list=_numbered(seen.values()))
        if topic in ("time", "fee"):
            return "\n".join(f"{m.name}：{self._service(m, topic)}" for m in members)
        faq = _faq_about(b.faq, _PROXY_FAQ if topic == "proxy" else None)
        return faq.a if faq else b.summary


def _faq_about(faq: list[Faq], pattern: re.Pattern[str] | None) -> Faq | None:
    if pattern is None:
        return None
    return next((f for f in faq if pattern.search(f.q)), None)


def _numbered(items) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))
