"""The one audio pump: the chunks of one recording, as they arrive, through the stream decoder into the
recogniser, with what is heard so far after each chunk and the transcript at the end.

Both sockets that take live audio use it: a citizen's voice turn (WS /ws/voice) and a call's audio on
the agent's copilot (WS /ws/copilot/…). Its calls block (decoding, recognition): a web handler runs
them in the thread pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from voice.decode import DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS
from voice.recognise import Partial, Recogniser, Stream, Transcript
from voice.stream_decode import StreamDecoder


class AudioPump:
    """push(chunk) -> what is heard so far, when it changed; finish() -> the transcript.

    Use as a context manager, or call close(), so the decoding thread ends when a connection drops.
    """

    def __init__(self, stream: Stream, *, max_seconds: float = DEFAULT_MAX_SECONDS,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._stream = stream
        self._decoder = StreamDecoder(max_seconds=max_seconds, max_bytes=max_bytes)

    @classmethod
    def start(cls, recogniser: Recogniser, grammar: Sequence[str] | None = None, *, model: str | None = None,
              max_seconds: float = DEFAULT_MAX_SECONDS, max_bytes: int = DEFAULT_MAX_BYTES) -> AudioPump:
        """A pump into a new recognition stream (`grammar`: the expected answers, if any; `model`: by name)."""
        return cls(recogniser.start(grammar, model=model), max_seconds=max_seconds, max_bytes=max_bytes)

    def push(self, chunk: bytes) -> Partial | None:
        """One chunk of the recording; the text heard so far when it changed and is not empty, else None."""
        pcm = self._decoder.push(chunk)
        partial = self._stream.feed(pcm) if pcm else None
        return partial if partial is not None and partial.text else None

    def finish(self) -> Transcript:
        """Ends the recording: the rest is decoded and recognised, the decoder closed."""
        try:
            rest = self._decoder.finish()
        finally:
            self._decoder.close()
        self._stream.feed(rest)
        return self._stream.finish()

    def close(self) -> None:
        self._decoder.close()

    def __enter__(self) -> AudioPump:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
