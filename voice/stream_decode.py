"""Decode a recording while it is still arriving: the chunks a browser's MediaRecorder sends.

MediaRecorder's chunks are pieces of one WebM/Ogg/MP4 file, not audio each on its own, so one
FFmpeg demuxer must read them in order. It runs in a thread that blocks on a pipe the chunks are
written into; the caller never blocks and gets the PCM decoded so far after every chunk.
"""

from __future__ import annotations

import io
import threading
from types import TracebackType

import av
import av.error

from voice.decode import (
    BYTES_PER_SECOND,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_SECONDS,
    check_size,
    decode_audio,
    decode_stream,
    too_long,
)
from voice.errors import VoiceInputError


class _Pipe(io.RawIOBase):
    """Bytes written by one thread, read by FFmpeg in another; reading waits for data or the end."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._ended = False
        self._changed = threading.Condition()

    def readable(self) -> bool:
        return True

    def put(self, data: bytes) -> None:
        with self._changed:
            self._buffer += data
            self._changed.notify_all()

    def end(self) -> None:
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]
        with self._changed:
            self._changed.wait_for(lambda: self._buffer or self._ended)
            n = min(len(target), len(self._buffer))
            target[:n] = self._buffer[:n]
            del self._buffer[:n]
            return n


class StreamDecoder:
    """push(chunk) -> the new 16 kHz mono PCM decoded so far; finish() -> the rest.

    Limits as for whole files: bytes received, and seconds decoded. A failure found in the decoding
    thread is raised by the next push or by finish. Use as a context manager, or call close(), so
    the thread ends when a connection drops.
    """

    def __init__(self, *, max_seconds: float = DEFAULT_MAX_SECONDS, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_seconds = max_seconds
        self.max_bytes = max_bytes
        self._pipe = _Pipe()
        # Everything received: what cannot be read as it arrives (an MP4 with its index at the end)
        # is decoded whole by finish(), which then also says why it cannot be used, if so.
        self._received_bytes = bytearray()
        self._unstreamable = False
        self._decoded = 0
        self._pcm = bytearray()
        self._error: VoiceInputError | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voice-stream-decode", daemon=True)
        self._thread.start()

    def push(self, chunk: bytes) -> bytes:
        self._received_bytes += chunk
        if len(self._received_bytes) > self.max_bytes:
            self.close()
            check_size(len(self._received_bytes), self.max_bytes)
        self._pipe.put(chunk)
        return self._take()

    def finish(self) -> bytes:
        """Ends the input and returns the PCM not yet taken; the recording must have held audio."""
        if not self._received_bytes:
            self.close()
            raise VoiceInputError("audio_empty")
        self._pipe.end()
        self._thread.join()
        if self._unstreamable:
            whole = decode_audio(bytes(self._received_bytes), max_seconds=self.max_seconds, max_bytes=self.max_bytes)
            return whole.pcm
        pcm = self._take()
        if self._decoded == 0:
            raise VoiceInputError("audio_empty")
        return pcm

    def close(self) -> None:
        self._stopped.set()
        self._pipe.end()

    def __enter__(self) -> StreamDecoder:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _take(self) -> bytes:
        with self._lock:
            if self._error is not None:
                self.close()
                raise self._error
            pcm = bytes(self._pcm)
            self._pcm.clear()
            return pcm

    def _fail(self, error: VoiceInputError) -> None:
        with self._lock:
            self._error = error

    def _run(self) -> None:
        try:
            container = av.open(self._pipe, mode="r")
        except (av.error.FFmpegError, EOFError):
            self._unstreamable = True
            return
        with container:
            if not container.streams.audio:
                self._unstreamable = True
                return
            try:
                for chunk in decode_stream(container, container.streams.audio[0]):
                    if self._stopped.is_set():
                        return
                    with self._lock:
                        self._pcm += chunk
                        self._decoded += len(chunk)
                    if self._decoded > self.max_seconds * BYTES_PER_SECOND:
                        self._fail(too_long(self.max_seconds))
                        return
            except VoiceInputError as error:
                if self._decoded:
                    self._fail(error)
                else:
                    self._unstreamable = True
