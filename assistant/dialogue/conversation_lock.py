"""One turn at a time per conversation, within this process.

Turns of one conversation that arrive at once (a double tap, two tabs, a client resending too early)
wait for each other here instead of racing to save the session and re-running on fresh state. The
wait is bounded twice: a turn waits at most `wait_s`, and at most `max_waiting` turns wait behind the
one that runs; past either bound the turn is refused with ConversationBusy, and it was not applied.
A conversation's entry exists only while one of its turns runs or waits, so memory follows the
requests in flight, not the conversations ever seen.

Across processes (several workers) nothing is shared here: the session store's version check decides
there (assistant/dialogue/engine.py, Assistant.handle).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

WAIT_S = 5.0  # a turn takes milliseconds; seconds of waiting mean the conversation is flooded
MAX_WAITING = 7  # behind the running turn: eight sent at once all get through
RETRY_AFTER_S = 1


class ConversationBusy(RuntimeError):
    """Another turn of this conversation kept it busy; this turn was not applied. Try again after
    `retry_after_s` seconds (the same message id gets the reply once the message is applied)."""

    def __init__(self, retry_after_s: int = RETRY_AFTER_S) -> None:
        super().__init__(f"the conversation is busy with another turn; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0  # the turn that holds the lock and the turns waiting for it


class ConversationLocks:
    def __init__(self, wait_s: float = WAIT_S, max_waiting: int = MAX_WAITING, retry_after_s: int = RETRY_AFTER_S) -> None:
        self.wait_s = wait_s
        self.max_waiting = max_waiting
        self.retry_after_s = retry_after_s
        self._guard = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    @contextmanager
    def turn(self, conversation: str) -> Iterator[None]:
        """Hold the conversation for one turn; ConversationBusy when it cannot be had in time."""
        with self._guard:
            entry = self._entries.setdefault(conversation, _Entry())
            if entry.users > self.max_waiting:
                raise ConversationBusy(self.retry_after_s)
            entry.users += 1
        try:
            if not entry.lock.acquire(timeout=self.wait_s):
                raise ConversationBusy(self.retry_after_s)
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._entries[conversation]

    def __len__(self) -> int:
        """Conversations with a turn running or waiting now."""
        with self._guard:
            return len(self._entries)
