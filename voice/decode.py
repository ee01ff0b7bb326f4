"""Decode what browsers and phones record into the PCM speech recognisers take: 16 kHz mono s16le.

PyAV (FFmpeg) reads the containers and codecs: WAV, WebM/Opus, Ogg/Opus or Vorbis, MP3, M4A/AAC,
ADTS AAC, AMR-NB/WB, FLAC, and the audio track of a phone video. Limits are checked before and while
decoding, so a small file that expands to hours of audio is stopped at the limit.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import av
import av.error
import filetype
import numpy as np

from voice.errors import VoiceInputError, audio_too_large

SAMPLE_RATE = 16_000
BYTES_PER_SECOND = SAMPLE_RATE * 2
DEFAULT_MAX_SECONDS = 60.0
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

# FFmpeg's own AMR decoders lack the comfort-noise (DTX) frames phones and sox write; the
# reference opencore decoders in PyAV's wheels read them.
_PREFERRED_DECODERS = {"amrnb": "libopencore_amrnb", "amrwb": "libopencore_amrwb"}

# A few unreadable packets (a recording cut mid-frame, a dropped network chunk) are skipped as
# FFmpeg's own tools do; more than this share of them and the file is called corrupt.
_MAX_BAD_PACKET_SHARE = 0.2
_SNIFF_BYTES = 8192

# The shapes a real recording has. A header claiming more (255 channels, a rate of 2^31 Hz, no sample
# format) is crafted or broken, and would make the resampler fail or allocate gigabytes: it is refused
# before a single frame is decoded.
MAX_CHANNELS = 8  # 7.1, the widest layout a phone or browser records
MIN_SAMPLE_RATE = 4_000
MAX_SAMPLE_RATE = 384_000


@dataclass(frozen=True)
class DecodedAudio:
    pcm: bytes  # 16 kHz mono signed 16-bit little-endian
    container: str  # FFmpeg's name of the format read, e.g. "matroska,webm", "ogg", "amr"
    codec: str  # e.g. "opus", "aac", "amrnb"

    @property
    def seconds(self) -> float:
        return len(self.pcm) / BYTES_PER_SECOND


def check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise VoiceInputError("audio_empty")
    if size > max_bytes:
        raise audio_too_large(max_bytes)


def too_long(max_seconds: float) -> VoiceInputError:
    return VoiceInputError("audio_too_long", seconds=round(max_seconds))


def decode_audio(
    data: bytes, *, max_seconds: float = DEFAULT_MAX_SECONDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> DecodedAudio:
    """The audio in `data` as 16 kHz mono PCM, or a VoiceInputError saying why it cannot be used."""
    check_size(len(data), max_bytes)
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, EOFError) as exc:
        raise VoiceInputError(unreadable_code(data)) from exc
    with container:
        if not container.streams.audio:
            # Images, subtitles and video without sound all open fine in FFmpeg.
            raise VoiceInputError("audio_not_audio")
        stream = container.streams.audio[0]
        if container.duration is not None and container.duration / av.time_base > max_seconds + 0.5:
            raise too_long(max_seconds)
        pcm = bytearray()
        for chunk in decode_stream(container, stream):
            pcm += chunk
            if len(pcm) > max_seconds * BYTES_PER_SECOND:
                raise too_long(max_seconds)
        if not pcm:
            raise VoiceInputError("audio_empty")
        return DecodedAudio(bytes(pcm), container.format.name, stream.codec_context.name)


def decode_stream(container: av.container.InputContainer, stream: av.AudioStream) -> Iterator[bytes]:
    """PCM chunks of one audio stream as it is demuxed: the same loop serves whole files and live
    recordings (voice/stream_decode.py)."""
    check_stream_shape(stream)
    resampler: av.AudioResampler | None = None
    shape: tuple[str, str, int] | None = None
    for frame in _frames(container, stream):
        # A phone may change rate or channels mid-recording (a headset plugged in); a resampler
        # takes one input shape only, so a new one starts where the shape changes.
        frame_shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        if frame_shape != shape:
            if resampler is not None:
                yield from _resampled(resampler, None)
            resampler, shape = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE), frame_shape
        assert resampler is not None  # made above on the first frame, whose shape is never None
        yield from _resampled(resampler, frame)
    if resampler is not None:
        yield from _resampled(resampler, None)


def check_stream_shape(stream: av.AudioStream) -> None:
    codec = stream.codec_context
    if (codec is None or codec.format is None or not 1 <= codec.channels <= MAX_CHANNELS
            or not MIN_SAMPLE_RATE <= codec.sample_rate <= MAX_SAMPLE_RATE):
        raise VoiceInputError("audio_corrupt")


def _frames(container: av.container.InputContainer, stream: av.AudioStream) -> Iterator[av.AudioFrame]:
    decoder = _decoder_for(stream)
    packets = bad = 0
    try:
        for packet in container.demux(stream):
            frames = _decode_packet(decoder, packet)
            if packet.size:
                packets += 1
                bad += frames is None
            yield from frames or ()
    except (av.error.FFmpegError, EOFError) as exc:
        # A demuxing error after good audio is a cut-off recording: keep what was heard.
        if packets == bad:
            raise VoiceInputError("audio_corrupt") from exc
    if packets and bad > packets * _MAX_BAD_PACKET_SHARE:
        raise VoiceInputError("audio_corrupt")


def _decode_packet(decoder: av.AudioCodecContext, packet: av.Packet) -> list[av.AudioFrame] | None:
    try:
        return decoder.decode(packet)
    except av.error.FFmpegError:
        return None


def _resampled(resampler: av.AudioResampler, frame: av.AudioFrame | None) -> Iterator[bytes]:
    for out in resampler.resample(frame):
        yield out.to_ndarray().astype(np.int16, copy=False).tobytes()


def _decoder_for(stream: av.AudioStream) -> av.AudioCodecContext:
    preferred = _PREFERRED_DECODERS.get(stream.codec_context.name)
    if preferred is None or preferred not in av.codecs_available:
        return stream.codec_context
    decoder = cast(av.AudioCodecContext, av.CodecContext.create(preferred, "r"))  # an audio codec: the stream's
    decoder.sample_rate = stream.codec_context.sample_rate
    decoder.layout = stream.codec_context.layout
    return decoder


def unreadable_code(data: bytes) -> str:
    # Bytes that begin like a recording (RIFF/WAVE, OggS, EBML, ftyp, #!AMR, an MPEG frame) but
    # that FFmpeg cannot open are a damaged recording, not something else sent by mistake.
    kind = filetype.guess(data[:_SNIFF_BYTES])
    return "audio_corrupt" if kind is not None and kind.mime.startswith(("audio/", "video/")) else "audio_not_audio"
