"""One turn at a time per conversation (assistant/dialogue/conversation_lock.py): turns of one conversation never
overlap, other conversations never wait for them, the wait is bounded in time and in length, and
nothing is kept for a conversation once its turns are over."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.dialogue.conversation_lock import ConversationBusy, ConversationLocks


def test_turns_of_one_conversation_sent_at_once_run_one_after_another() -> None:
    locks = ConversationLocks(wait_s=10, max_waiting=7)
    start = threading.Barrier(8)
    inside, most_inside, done = 0, 0, []
    count = threading.Lock()

    def turn(n: int) -> None:
        nonlocal inside, most_inside
        start.wait()
        with locks.turn("c1"):
            with count:
                inside += 1
                most_inside = max(most_inside, inside)
            time.sleep(0.01)
            with count:
                inside -= 1
            done.append(n)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(turn, range(8)))
    assert most_inside == 1 and sorted(done) == list(range(8))
    assert len(locks) == 0, "nothing is kept once the conversation's turns are over"


def test_another_conversation_does_not_wait_for_a_busy_one() -> None:
    locks = ConversationLocks(wait_s=0.05, max_waiting=0)
    with locks.turn("busy"), locks.turn("other"):
        assert len(locks) == 2


def test_a_turn_that_waits_too_long_is_refused_and_says_when_to_try_again() -> None:
    locks = ConversationLocks(wait_s=0.1, max_waiting=3, retry_after_s=2)
    with locks.turn("c1"):
        with ThreadPoolExecutor(1) as pool:
            waited = pool.submit(lambda: locks.turn("c1").__enter__())
            with pytest.raises(ConversationBusy) as refused:
                waited.result(timeout=5)
    assert refused.value.retry_after_s == 2
    assert len(locks) == 0
    with locks.turn("c1"):  # and the conversation is free again
        pass


def test_past_the_queue_length_a_turn_is_refused_at_once_without_waiting() -> None:
    locks = ConversationLocks(wait_s=5, max_waiting=1)
    release, queued = threading.Event(), threading.Event()

    def hold() -> None:
        with locks.turn("c1"):
            queued.wait(5)
            release.wait(5)

    def wait_behind() -> None:
        with locks.turn("c1"):
            pass

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(hold)
        while len(locks) == 0:
            time.sleep(0.001)
        waiter = pool.submit(wait_behind)
        while locks._entries["c1"].users < 2:  # the second turn is queued behind the first
            time.sleep(0.001)
        queued.set()
        began = time.monotonic()
        with pytest.raises(ConversationBusy):
            with locks.turn("c1"):
                pass
        assert time.monotonic() - began < 1, "refused at once, not after wait_s"
        release.set()
        holder.result(5)
        waiter.result(5)  # the queued turn still got its turn
    assert len(locks) == 0


def test_a_turn_that_fails_frees_the_conversation() -> None:
    locks = ConversationLocks(wait_s=0.1)
    with pytest.raises(ValueError):
        with locks.turn("c1"):
            raise ValueError("the dialogue failed")
    assert len(locks) == 0
    with locks.turn("c1"):
        pass


def test_memory_follows_the_turns_in_flight_not_the_conversations_seen() -> None:
    locks = ConversationLocks()
    for n in range(10_000):
        with locks.turn(f"conversation-{n}"):
            pass
    assert len(locks) == 0 and locks._entries == {}
