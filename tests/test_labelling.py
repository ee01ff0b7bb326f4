"""The labelling queue offers the router's guesses only when the router was sure enough: below
GUESS_FLOOR a pre-filled guess is more often wrong than right (您好 came with 住房公积金… at 0 %), and
one click on it would teach the router the mistake. Turns are written as the turn log writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from persistence_support import sqlite_db  # noqa: F401 (fixture)

from assistant.dialogue.turn_log import TurnEvent, TurnLog
from assistant.insight.kb_edits import KbEditLog
from assistant.insight.labelling import GUESS_FLOOR, LabelQueue

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
GUESSES = ["housing-fund-query", "sscard-apply", "passport"]


@pytest.fixture
def queue(sqlite_db) -> tuple[LabelQueue, TurnLog]:
    database = sqlite_db()
    return LabelQueue(database, KbEditLog(database)), TurnLog(database)


def said(log: TurnLog, text: str, decision: str, confidence: float) -> None:
    log.record(TurnEvent(session_id=f"s-{text}", at=AT, channel="text", state_before="idle", state_after="idle",
                         subject_id=None, text_masked=text, reply_masked="", latency_ms=10.0, decision=decision,
                         confidence=confidence, candidates=[{"id": c, "score": 0.3} for c in GUESSES]))


@pytest.mark.parametrize(("decision", "confidence", "offered"), [
    ("none", 0.0, []),  # 您好: nothing it could mean
    ("none", 0.3, []),
    ("route", GUESS_FLOOR - 0.01, []),  # routed, unsure: queued, but no guess either
    ("clarify", 0.45, []),
    ("route", GUESS_FLOOR, GUESSES),  # at the floor the top candidate is right more often than not
    ("clarify", 0.55, GUESSES),
])
def test_guesses_are_offered_only_from_the_floor_up(queue, decision, confidence, offered):
    items, log = queue
    said(log, "您好", decision, confidence)
    [item] = items.items()
    assert (item.text, item.confidence, item.candidates) == ("您好", confidence, offered)

