"""The reply an agent can read out to the caller, written from the top candidate's guide with the
templates in assistant/data/copilot.yaml.

A question about one thing (materials, time, fee, place…) is answered first from the guide itself
(assistant.common.guide_answers); a passage the router found answering the question is read with its
source; otherwise the key facts are read in turn. A report (城市管理问题, 欠薪, a named matter) is taken as
a work order: the script asks for the next point the caller has not said, then reads the summary back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.common.guide_answers import GuideAnswerer, Topics
from assistant.common.messages import Messages
from assistant.copilot.call_points import CallPoints
from assistant.copilot.cards import CandidateCard
from assistant.copilot.config import COPILOT_FILE, load_copilot_data
from intents.router import Answer


@dataclass(frozen=True)
class ScriptWording:
    say: Messages
    joiner: str
    materials_read_out: int

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ScriptWording:
        return cls(Messages(data["script"]), str(data["joiner"]), int(data["materials_read_out"]))

    @classmethod
    def load(cls, path: Path = COPILOT_FILE) -> ScriptWording:
        return cls.from_data(load_copilot_data(path))


class ScriptWriter:
    def __init__(self, wording: ScriptWording, answers: GuideAnswerer, topics: Topics) -> None:
        self.wording = wording
        self.answers = answers
        self.topics = topics

    def unknown(self) -> str:
        return self.wording.say("unknown")

    def clarify(self, cards: Sequence[CandidateCard]) -> str:
        w = self.wording
        return w.say("clarify", options=w.joiner.join(w.say("option", name=c.name) for c in cards))

    def follow(self, points: CallPoints, summary: str, dept: str | None, time_limit: str) -> tuple[str, str]:
        """(step, script) of a work-order call: the next point the caller has not said (ask_what,
        ask_where, ask_when, ask_name, ask_phone), then the read-back (confirm) naming the department."""
        say = self.wording.say
        intro = say("report_matter", matter=points.what) if points.what and points.said_what else say("report")
        missing = points.missing()
        if missing:
            step = f"ask_{missing[0]}"
            return step, "\n".join([intro, say(step)])
        if dept:
            return "confirm", say("confirm", summary=summary, dept=dept, time=time_limit)
        return "confirm", say("confirm_no_dept", summary=summary, time=time_limit)

    def write(self, card: CandidateCard, question: str, answer: Answer | None) -> str:
        """The script for the card the call is about; `question` is the caller's latest words."""
        say = self.wording.say
        if card.type == "bundle":
            lines = [say("intro_bundle", name=card.name, members=self.wording.joiner.join(card.members))]
        else:
            lines = [say("intro", name=card.name, dept=card.dept)]
        topic = self.topics.topic_of(question) if card.type in ("service", "bundle") else None
        if topic is not None:
            return "\n".join([*lines, self.answers.answer(card.id, topic)])
        if answer is not None:  # the router answers from the top candidate's FAQ or a policy section
            return "\n".join([*lines, say("passage", source=answer.source, text=answer.text)])
        return "\n".join([*lines, *self._facts(card)])

    def _facts(self, card: CandidateCard) -> list[str]:
        say, w = self.wording.say, self.wording
        lines = [say("condition", text=card.conditions[0])] if card.conditions and card.type != "bundle" else []
        names = card.material_names
        if len(names) > w.materials_read_out:
            lines.append(say("materials_more", list=w.joiner.join(names[: w.materials_read_out]), n=len(names)))
        elif names:
            lines.append(say("materials", list=w.joiner.join(names)))
        elif card.type == "service":
            lines.append(say("no_materials"))
        if card.type != "bundle":  # a bundle's are one per member: on its card, too long to read out
            lines += [say("time_limit", text=card.time_limit)] if card.time_limit else []
            lines += [say("fee", text=card.fee)] if card.fee else []
        if card.online and card.where:
            lines.append(say("where", online=w.joiner.join(card.online[:2]), counter=card.where))
        elif card.where:
            lines.append(say("where_counter", counter=card.where))
        return lines
