"""Voice errors: a stable code and a Chinese message (wording in voice/data/messages.yaml).

The server turns them into its one error shape; which HTTP status each gets is its business.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from knowledge.wording import Messages

MESSAGES_FILE = Path(__file__).resolve().parent / "data" / "messages.yaml"


@lru_cache(maxsize=1)
def voice_messages() -> Messages:
    return Messages.load(MESSAGES_FILE)


class VoiceError(Exception):
    """Base of every voice failure: `code` is stable, `message` is what the person reads, `detail`
    (in str(), for logs only) what an administrator needs, such as a server path."""

    def __init__(self, code: str, *, detail: str = "", **params: object) -> None:
        self.code = code
        self.message = voice_messages()(code, **params)
        self.detail = detail
        super().__init__(f"{code}: {self.message}" + (f" ({detail})" if detail else ""))


class VoiceInputError(VoiceError):
    """The audio (or the request for it) cannot be used: empty, too long, corrupt, not audio."""


def audio_too_large(max_bytes: int) -> VoiceInputError:
    """The refusal of a recording over `max_bytes`, for the decoder and the upload route alike."""
    return VoiceInputError("audio_too_large", megabytes=max(1, round(max_bytes / 1024 / 1024)))


class VoiceUnavailable(VoiceError):
    """Speech recognition is not installed or its model cannot be loaded on this server."""


class SpeechUnavailable(VoiceError):
    """Speech synthesis (espeak-ng) is not installed or failed on this server."""
