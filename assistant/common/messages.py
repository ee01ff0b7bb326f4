"""User-facing wording, loaded from assistant/data/messages.yaml (never written inline in code).

长辈模式 (elderly mode) has short forms of some messages in assistant/data/messages_elder.yaml: one
idea a sentence, few words before the question. `Messages` (knowledge/wording.py) reads both files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from knowledge.wording import Messages

__all__ = ["ELDER_MESSAGES_FILE", "MESSAGES_FILE", "Messages", "default_messages"]

MESSAGES_FILE = Path(__file__).resolve().parents[1] / "data" / "messages.yaml"
ELDER_MESSAGES_FILE = Path(__file__).resolve().parents[1] / "data" / "messages_elder.yaml"


@lru_cache(maxsize=1)
def default_messages() -> Messages:
    return Messages.load(MESSAGES_FILE, ELDER_MESSAGES_FILE)
