"""The commands' Chinese wording, from cli/data/wording.yaml (never written inline in code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.common.messages import Messages

WORDING_FILE = Path(__file__).resolve().parent / "data" / "wording.yaml"


@lru_cache(maxsize=1)
def cli_wording() -> Messages:
    return Messages.load(WORDING_FILE)
