"""The points of a work-order call, as far as the caller has said them: who (masked), what (the
matter), where, since when, what they want, and the rest of what they said.

Read from the caller's own words, clause by clause: greetings and fillers (喂，你好，我想反映个事情) are
dropped, clauses giving personal details (name, phone, ID number, address) go to `who` and `where`
masked, and every other clause lands in exactly one of want, where or content, so nothing the caller
said about the matter is lost; `when` gathers the time phrases said anywhere (快半个月, 每天晚上十一二点).
The cue words are in assistant/data/copilot.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.copilot.caller_details import CallerDetail
from intents.complaints import ComplaintMatter, is_bare_complaint
from intents.slot_text import alternation, prepare

_CLAUSE = re.compile(r"[^，。！？,.!?；;\n\s]+")
_LONG_NUMBER = re.compile(r"\d{7}")
POINTS = ("what", "where", "when", "name", "phone")  # asked in this order when missing


@dataclass(frozen=True)
class CallPoints:
    name: str  # the caller's name, masked as on every staff screen; "" if not said
    phone: str  # masked
    what: str  # the matter's label, or the service the call is about; "" if neither is known
    said_what: bool  # the caller said what happened (more than 我想反映个事情)
    where: str
    when: str
    want: str
    content: str  # the rest of the caller's words about the matter, fillers and details left out

    def fields(self) -> dict[str, str]:
        """who, what, where, when, want: the points of a 诉求摘要 (all masked)."""
        return {"who": self.name, "what": self.what, "where": self.where, "when": self.when, "want": self.want}

    def missing(self) -> list[str]:
        """The points not said yet, in the order an agent asks for them."""
        have = {"what": self.said_what, "where": bool(self.where), "when": bool(self.when),
                "name": bool(self.name), "phone": bool(self.phone)}
        return [p for p in POINTS if not have[p]]


@dataclass(frozen=True)
class PointCues:
    greetings: re.Pattern[str]  # at the start of a clause
    fillers: re.Pattern[str]  # a clause made only of these (and greetings) says nothing
    details: re.Pattern[str]  # a clause that gives a personal detail (name, phone, ID number)
    lead_ins: re.Pattern[str]  # a clause that places the caller's home (我住在…)
    surname: re.Pattern[str]  # 我姓刘: the caller gave only a surname
    place: re.Pattern[str]
    time: re.Pattern[str]  # a time phrase: time words and number-and-unit spans, run together
    want: re.Pattern[str]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PointCues:
        def words(*keys: str) -> re.Pattern[str]:
            return re.compile(alternation([str(w) for k in keys for w in data.get(k) or []]))

        return cls(
            greetings=re.compile(f"^(?:{alternation([str(w) for w in data['greetings']])})+"),
            fillers=words("greetings", "fillers"), details=words("detail_cues"), lead_ins=words("address_lead_ins"),
            surname=re.compile(f"(?:{alternation([str(w) for w in data['surname_cues']])})(?!名)(\\w)"),
            place=words("place_cues"), time=_time_phrase(data), want=words("want_cues"),
        )

    def is_filler(self, clause: str) -> bool:
        return not self.fillers.sub("", clause)

    def gives_detail(self, clause: str, has_address: bool) -> bool:
        """A clause of personal details; 我住在… only when the address was read from it (the caller's
        own place stays in the summary otherwise: 我是住在幸福里小区的)."""
        digits = re.sub(r"[\s-]", "", prepare(clause))  # 一三八零零… read as digits
        return bool(_LONG_NUMBER.search(digits) or self.details.search(clause)
                    or (has_address and self.lead_ins.search(clause)))


def _time_phrase(data: dict[str, Any]) -> re.Pattern[str]:
    span = rf"(?:快|近|都|已经|这)?大?(?:[一二两三四五六七八九十几半\d]+|好几|好多)个?多?(?:{alternation(data['time_units'])})多?"
    hour = r"[两三四五六七八九十\d][一二两三四五六七八九十\d]*点"
    one = rf"(?:{alternation(data['time_words'])}|{span}|{hour})"
    return re.compile(rf"{one}+")


def without_greetings(text: str, cues: PointCues) -> str:
    """The text's clauses with greetings taken off (喂，你好，我想反映个事情 is 我想反映个事情)."""
    return "，".join(c for m in _CLAUSE.finditer(text) if (c := cues.greetings.sub("", m.group(0))))


def caller_clauses(transcript: str, cues: PointCues, has_address: bool = False) -> list[str]:
    """The caller's clauses that say something: greetings taken off, fillers and details left out."""
    kept = []
    for match in _CLAUSE.finditer(transcript):
        clause = cues.greetings.sub("", match.group(0))
        if clause and not cues.is_filler(clause) and not cues.gives_detail(clause, has_address):
            kept.append(clause)
    return kept


def read_points(
    transcript: str, details: Sequence[CallerDetail], matter: ComplaintMatter | None, subject: str, cues: PointCues
) -> CallPoints:
    """The call's points: `details` are the caller's (assistant.copilot.caller_details), `matter` what the call
    is about (intents.complaints), `subject` the service's name where no matter is named."""
    found = {d.name: d for d in details}
    where: list[str] = [found["address"].masked] if "address" in found else []
    when: list[str] = [found["date"].display] if "date" in found else []
    want: list[str] = []
    content: list[str] = []
    for clause in caller_clauses(transcript, cues, "address" in found):
        when += [m.group(0) for m in cues.time.finditer(clause) if m.group(0) not in when]
        if cues.want.search(clause):
            want.append(clause)
        elif cues.place.search(clause):
            where.append(clause)
        else:
            content.append(clause)
    # What happened is said once the call names a matter, or says more than where and "I complain".
    told = [c for c in (*content, *want) if not is_bare_complaint(c)]
    surname = cues.surname.search(transcript)
    return CallPoints(
        name=found["name"].masked if "name" in found else f"{surname.group(1)}*" if surname else "",
        phone=found["phone"].masked if "phone" in found else "",
        what=matter.label if matter is not None else subject,
        said_what=matter is not None or bool(told),
        where="，".join(where), when="，".join(when), want="，".join(want), content="，".join(content),
    )
