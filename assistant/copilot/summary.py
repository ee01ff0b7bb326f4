"""The 诉求摘要 of a call: who (masked), what, where, since when, the rest of what happened and what the
caller wants, one point after another with the templates of assistant/data/copilot.yaml `summary`.
Built from the call's points (assistant.copilot.call_points), never from the raw transcript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.common.messages import Messages
from assistant.copilot.call_points import CallPoints


@dataclass(frozen=True)
class SummaryWriter:
    say: Messages
    joiner: str
    end: str
    want_default: str

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SummaryWriter:
        summary = data["summary"]
        return cls(Messages(summary), str(summary["joiner"]), str(summary["end"]), str(data["want_default"]))

    def who(self, points: CallPoints) -> str:
        who = points.name or self.say("who_unknown")
        return self.say("who_phone", who=who, phone=points.phone) if points.phone else who

    def write(self, points: CallPoints, report: bool = True) -> str:
        """The summary; `report` (a work order to be handled) adds the default request when the caller
        named none."""
        want = points.want or (self.want_default if report else "")
        parts = [self.say("who", who=self.who(points))]
        for key, value in (("what", points.what), ("where", points.where), ("when", points.when),
                           ("content", points.content), ("want", want)):
            if value:
                parts.append(self.say(key, **{key: value}))
        return self.joiner.join(parts) + self.end
