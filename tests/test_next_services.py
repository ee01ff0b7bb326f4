"""服务找人, what follows: "一件事" siblings, related services, and what other people who applied for the
same thing also applied for, counted from real applications in a real database.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.cases.applications import ApplicationBook, ApplicationDraft
from assistant.common.messages import default_messages
from assistant.privacy.crypto import FieldCipher
from assistant.proactive.applicant_links import ApplicantLinks, Applied
from assistant.proactive.cooccurrence import applied_together, people
from assistant.proactive.next_services import follow_up_rules, rank_next
from assistant.storage.db import open_database
from assistant.storage.personal_tables import ApplicantLinkRow
from eval.citizen import make_id_number
from knowledge.base import load_knowledge_base
from knowledge.models import ServiceKind, SubjectKind
from tests.conftest import KB_DIR

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SIBLINGS = {"birth-certificate", "medical-insurance-enroll", "sscard-apply", "vaccination-certificate"}
say = default_messages()


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(KB_DIR)


class History:
    """Applications submitted through the real book, each linked to its applicant's keyed digest."""

    def __init__(self, tmp_path, kb) -> None:
        database = open_database(f"sqlite:///{tmp_path}/history.db")
        cipher = FieldCipher([bytes(range(32))])
        self.kb, self.database = kb, database
        self.book = ApplicationBook(database, cipher, lambda: NOW)
        self.links = ApplicantLinks(database, cipher)

    def apply(self, session: str, subject_id: str, id_number: str | None = None) -> str:
        service = self.kb.services[subject_id]
        view = self.book.submit(ApplicationDraft(
            subject_id=subject_id, subject_name=service.name, kind=SubjectKind.service, dept=service.dept,
            session_id=session, form_id=uuid.uuid4().hex, values={}, display={}))
        if id_number:
            self.links.record(view.number, id_number)
        return view.number

    def after(self, subject_id: str):
        return applied_together(people(self.links.history()), subject_id)


@pytest.fixture
def history(tmp_path, kb) -> History:
    return History(tmp_path, kb)


def test_one_person_is_one_conversation_or_one_applicant_across_conversations():
    rows = [Applied("birth-hukou", "s1", "mum"), Applied("maternity-allowance", "s2", "mum"),  # same mother, two chats
            Applied("birth-hukou", "s3", None), Applied("sscard-apply", "s3", None),
            Applied("birth-hukou", "s4", "dad"), Applied("birth-hukou", "s5", "dad")]  # applied twice: counts once
    persons = people(rows)
    assert sorted(map(sorted, persons)) == [["birth-hukou"], ["birth-hukou", "maternity-allowance"],
                                            ["birth-hukou", "sscard-apply"]]
    together = applied_together(persons, "birth-hukou")
    assert together.people == 3 and together.also == {"maternity-allowance": 1, "sscard-apply": 1}


def test_after_a_service_with_no_history_its_bundle_siblings_come_first_with_why(kb):
    ranked = rank_next(kb, "birth-hukou", {"birth-hukou"}, applied_together([], "birth-hukou"), say)
    assert {r.id for r in ranked[:4]} == SIBLINGS
    assert ranked[0].reason == "和“出生登记（新生儿落户）”同属“新生儿出生一件事”，可以接着办。"
    assert all(r.can_apply and r.start == r.id for r in ranked)
    ids = {r.id for r in ranked}
    assert "newborn" not in ids  # the bundle would apply for 出生登记 a second time
    assert "application-progress" not in ids  # a lookup, not an application


def test_what_was_applied_for_in_the_session_is_not_offered_again(kb):
    ranked = rank_next(kb, "birth-hukou", {"birth-hukou", "sscard-apply"}, applied_together([], "birth-hukou"), say)
    assert "sscard-apply" not in {r.id for r in ranked}


def test_what_many_people_applied_for_next_is_ranked_up_and_said_so(history, kb):
    for n in range(3):  # three families: 出生登记, then 生育津贴 (not in the bundle), two of them 社保卡 too
        mother = make_id_number(date(1990 + n, 5, 6))
        history.apply(f"chat-{n}", "birth-hukou", mother)
        history.apply(f"later-chat-{n}", "maternity-allowance", mother)  # another day, another conversation
        if n < 2:
            history.apply(f"chat-{n}", "sscard-apply", mother)
    history.apply("chat-x", "birth-hukou")  # a fourth person, nothing else
    together = history.after("birth-hukou")
    assert together.people == 4 and together.also == {"maternity-allowance": 3, "sscard-apply": 2}

    ranked = rank_next(kb, "birth-hukou", {"birth-hukou"}, together, say)
    order = [r.id for r in ranked]
    assert order[:2] == ["sscard-apply", "maternity-allowance"]  # a sibling many took, then what most took
    assert order.index("maternity-allowance") < order.index("birth-certificate")
    many = "很多人办完“出生登记（新生儿落户）”，接着办理了这一项。"
    assert ranked[0].reason == many and ranked[1].reason == many
    assert next(r for r in ranked if r.id == "birth-certificate").reason.startswith("和“出生登记")


def test_one_person_alone_is_not_many_people(history, kb):
    history.apply("only", "birth-hukou", make_id_number(date(1991, 1, 1)))
    history.apply("only", "hpf-withdraw-rent")
    ranked = rank_next(kb, "birth-hukou", {"birth-hukou"}, history.after("birth-hukou"), say)
    assert "hpf-withdraw-rent" not in {r.id for r in ranked}


def test_the_applicant_is_stored_as_a_keyed_digest_never_the_id_number(history):
    number = make_id_number(date(1990, 5, 6))
    application = history.apply("chat", "sscard-apply", number)
    history.links.record(application, number)  # recording again changes nothing
    with history.database() as session:
        rows = session.query(ApplicantLinkRow).all()
    assert len(rows) == 1 and rows[0].application_number == application
    assert number not in rows[0].applicant and len(rows[0].applicant) == 64


# -- what fits this person and this case -----------------------------------------------------------


def offered_after(kb, subject_id: str, together=None) -> list[str]:
    return [r.id for r in rank_next(kb, subject_id, {subject_id}, together or applied_together([], subject_id), say)]


@pytest.mark.parametrize(
    ("done", "alternative"),
    [("sscard-loss", "sscard-apply"), ("id-card-loss", "id-card-renewal"), ("id-card-renewal", "id-card-loss"),
     ("driving-licence-loss", "driving-licence-renewal"), ("driving-licence-renewal", "driving-licence-loss")],
)
def test_another_way_of_getting_the_same_card_is_never_offered(kb, done, alternative):
    assert alternative in kb.services[done].related or alternative in kb.services[alternative].related
    assert alternative not in offered_after(kb, done)


def test_a_replaced_card_is_not_followed_by_a_first_card_even_when_many_people_did_both(history, kb):
    for n in range(3):
        person = make_id_number(date(1980 + n, 3, 4))
        history.apply(f"chat-{n}", "sscard-loss", person)
        history.apply(f"chat-{n}", "sscard-apply", person)
        history.apply(f"chat-{n}", "medical-remote-filing", person)
    ranked = offered_after(kb, "sscard-loss", history.after("sscard-loss"))
    assert "sscard-apply" not in ranked and ranked[0] == "medical-remote-filing"  # what else they did still counts


def test_a_first_card_is_still_offered_where_it_is_not_an_alternative(kb):
    assert "sscard-apply" in offered_after(kb, "birth-hukou")  # the baby's first card


def test_a_facilities_report_is_followed_by_nothing_whatever_people_did_or_guides_relate(history, kb):
    for n in range(3):
        history.apply(f"chat-{n}", "city-issue-report")
        history.apply(f"chat-{n}", "legal-aid")
    assert offered_after(kb, "city-issue-report", history.after("city-issue-report")) == []


def test_a_wage_complaint_is_followed_only_by_legal_aid(history, kb):
    for n in range(3):
        history.apply(f"chat-{n}", "wage-arrears")
        history.apply(f"chat-{n}", "hpf-withdraw-rent")
    ranked = rank_next(kb, "wage-arrears", {"wage-arrears"}, history.after("wage-arrears"), say)
    assert [r.id for r in ranked] == ["legal-aid"]
    assert ranked[0].can_apply and ranked[0].start == "legal-aid"


@pytest.mark.parametrize("done", ["work-injury", "unemployment-benefit", "legal-aid", "social-insurance-record"])
def test_a_complaint_or_report_is_never_offered_unasked(kb, done):
    ranked = offered_after(kb, done)
    assert not {"wage-arrears", "city-issue-report"} & set(ranked)


def test_the_rules_name_real_services(kb):
    rules = follow_up_rules()
    for group in rules.alternatives:
        assert len(group) >= 2 and all(kb.services[s].kind is ServiceKind.apply for s in group)
    for report, after in rules.after_report.items():
        assert kb.services[report].kind is ServiceKind.report
        assert all(s in kb.services or s in kb.bundles for s in after)
