"""服务找人 in the conversation: what to offer after a submission, on "还有哪些可以办" and on
"我还能享受哪些政策", and the same list for GET /api/recommendations.

Everything is worked out from this session alone: what it applied for, the answers in its forms and
applications, and the facts it said about the citizen (kept encrypted in the session), plus what
other people who applied for the same things also applied for (counted, never shown per person).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.cases.applications import ApplicationView
from assistant.dialogue.context import DialogueContext
from assistant.dialogue.events import FactsNoted, OffersMade, Said, Tracker
from assistant.dialogue.session import FormState, SessionState
from assistant.proactive.cooccurrence import applied_together, people
from assistant.proactive.facts import Evidence, applicant_id, derive_facts, said_facts
from assistant.proactive.next_services import rank_next
from assistant.proactive.policy_match import match_policies
from assistant.proactive.recommendation import Recommendation
from knowledge.models import ServiceKind

AFTER_SUBMISSION = 3  # offers with the confirmation, at most: the rest on "还有哪些可以办"
MAX_CHIPS = 6


@dataclass(frozen=True)
class Suggestions:
    services: list[Recommendation]  # what usually follows what was applied for, best first
    policies: list[Recommendation]  # what the citizen may be entitled to, strongest evidence first

    @property
    def all(self) -> list[Recommendation]:
        return [*self.services, *self.policies]


class Proactive:
    def __init__(self, ctx: DialogueContext) -> None:
        self.ctx = ctx

    # -- what the conversation tells us -------------------------------------------------------------

    def note(self, t: Tracker, normalised: str) -> None:
        """Keep the facts a message states about the citizen ("我是残疾人"), for later offers."""
        rules = self.ctx.kb.eligibility
        if rules is None or not normalised:
            return
        facts = said_facts(rules, normalised)
        if any(t.state.noted.get(k) != v for k, v in facts.items()):
            t(FactsNoted(facts))

    def record_applicant(self, number: str, form: FormState) -> None:
        """Link a new application to its applicant (a keyed digest of their ID number), if there is one."""
        rules = self.ctx.kb.eligibility
        if self.ctx.links is not None and rules is not None and (number_id := applicant_id(rules, form.values)):
            self.ctx.links.record(number, number_id)

    def suggestions(self, s: SessionState, session_id: str, just_done: str | None = None) -> Suggestions:
        """`just_done`: what was just submitted, if it is not an application (a 12345 report)."""
        ctx = self.ctx
        views = list(reversed(ctx.book.for_session(session_id)))  # newest first
        finished = [v.subject_id for v in views]
        applied = [sid for v in views for sid in (v.subject_id, *(m.subject_id for m in v.members))]
        if just_done is not None and just_done not in applied:
            finished.insert(0, just_done)
            applied.insert(0, just_done)
        persons = people(ctx.links.history()) if ctx.links is not None and finished else []
        services = _unique(rec for sid in finished
                           for rec in rank_next(ctx.kb, sid, set(applied), applied_together(persons, sid), ctx.say))
        evidence = Evidence(applied=applied, values=self._values(s, session_id, views), said=dict(s.noted))
        policies = match_policies(ctx.kb, derive_facts(ctx.kb, evidence, ctx.today()), set(applied))
        return Suggestions(services, policies)

    def _values(self, s: SessionState, session_id: str, views: list[ApplicationView]) -> list[Mapping[str, str]]:
        forms = ([s.form] if s.form else []) + list(reversed(s.suspended))
        stored = [self.ctx.book.values(v.number, session_id) or {} for v in views]
        return [*(f.values for f in forms), *stored]

    # -- what is said ------------------------------------------------------------------------------------

    def after_submission(self, t: Tracker, session_id: str, done: str) -> None:
        """A line of what usually follows, one benefit with its reason, and at most three quick replies."""
        say = self.ctx.say
        done_name = getattr(self.ctx.kb.find(done), "name", done)
        found = self.suggestions(t.state, session_id, just_done=done)
        services = found.services[:AFTER_SUBMISSION]
        # A report (路灯坏了) says nothing of what the citizen may be entitled to: no benefit follows it.
        reported = (service := self.ctx.kb.services.get(done)) is not None and service.kind is ServiceKind.report
        policy = [] if reported else [p for p in found.policies if p.start not in {x.start for x in services}][:1]
        services = services[:AFTER_SUBMISSION - len(policy)]
        if services:
            many = any(x.reason == say("why_together", done=done_name) for x in services)
            t.say("next_together" if many else "next_maybe", done=done_name, names="、".join(x.name for x in services))
        for item in policy:
            t.say("offer_reason", reason=item.reason)
        self._offer(t, [*services, *policy])
        if len(found.all) > len(services) + len(policy):
            t.offer(say("chip_more_offers"))

    def list_all(self, t: Tracker, session_id: str, chips: bool = True) -> None:
        """"还有哪些可以办": every follow-up and every policy that matched, each with its reason."""
        found = self.suggestions(t.state, session_id)
        self._list(t, found.services, "offers_heading")
        self._list(t, found.policies, "policies_heading")
        if not found.all:
            t.say("offers_none")
        self._offer(t, found.all, chips)

    def list_policies(self, t: Tracker, session_id: str, chips: bool = True) -> None:
        """"我还能享受哪些政策" / "我可以办什么补贴": the policies that matched, each with its reason."""
        policies = self.suggestions(t.state, session_id).policies
        self._list(t, policies, "policies_heading")
        if not policies:
            t.say("offers_none")
        self._offer(t, policies, chips)

    def _list(self, t: Tracker, items: list[Recommendation], heading: str) -> None:
        if not items:
            return
        t.say(heading)
        for i, x in enumerate(items, 1):
            t(Said("offer_line", {"n": i, "name": x.name, "reason": x.reason,
                                  "basis": self.ctx.say("offer_basis", basis=x.basis) if x.basis else ""}))

    def quick_reply(self, item: Recommendation) -> str | None:
        """What to say (or tap) to start it: the name of the service it starts."""
        if item.start is None:
            return None
        return self.ctx.say("chip_offer", name=getattr(self.ctx.kb.find(item.start), "name", item.start))

    def _offer(self, t: Tracker, items: Iterable[Recommendation], chips: bool = True) -> None:
        """Quick replies that start what is offered; the session remembers which chip starts what (`chips`
        False: a form under way offers its own quick replies, but what the offers start is still known)."""
        offers: dict[str, str] = {}
        for item in items:
            chip = self.quick_reply(item)
            if item.start is None or chip is None or chip in offers or len(offers) >= MAX_CHIPS:
                continue
            offers[chip] = item.start
        t(OffersMade(offers))
        if chips:
            t.offer(*offers)


def _unique(items: Iterable[Recommendation]) -> list[Recommendation]:
    seen: dict[str, Recommendation] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())
