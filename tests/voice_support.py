"""Recordings made in the tests: speech from espeak-ng, converted with sox and PyAV into what
browsers and phones send. A test skips, saying why, when a program it needs is not installed."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import struct
import tempfile
from pathlib import Path

import av
import numpy as np
import pytest

SENTENCE = "您好，我想补办社保卡，请问要带什么材料"


def need_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install {name}); .ci/run installs it")
    return path


def spoken_wav(text: str = SENTENCE, voice: str = "cmn-latn-pinyin") -> bytes:
    """Speech as espeak-ng writes it: WAV, mono, 22.05 kHz, 16-bit."""
    espeak = need_program("espeak-ng")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run([espeak, "-v", voice, "-w", str(out), "--stdin"], input=text.encode(), check=True)
        return out.read_bytes()


def sox(audio: bytes, in_type: str, out_type: str, *effects: str, out_options: tuple[str, ...] = ()) -> bytes:
    """Converts with sox: `sox -t in_type - [out_options] -t out_type - effects…`."""
    program = need_program("sox")
    done = subprocess.run(
        [program, "-t", in_type, "-", *out_options, "-t", out_type, "-", *effects], input=audio, capture_output=True
    )
    if done.returncode != 0 and re.search(rb"no handler|compiled without", done.stderr):
        pytest.skip(f"this sox cannot write {out_type} (Debian: apt-get install libsox-fmt-all)")
    done.check_returncode()
    return done.stdout


def silence_wav(seconds: float, rate: int = 16_000) -> bytes:
    program = need_program("sox")
    done = subprocess.run(
        [program, "-n", "-r", str(rate), "-c", "1", "-b", "16", "-t", "wav", "-", "trim", "0", str(seconds)],
        capture_output=True,
        check=True,
    )
    return done.stdout


def encode(audio: bytes, container: str, codec: str, rate: int, layout: str = "mono", **options: str) -> bytes:
    """Re-encodes with PyAV (FFmpeg), as a browser's MediaRecorder or a phone would."""
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV's FFmpeg has no {codec} encoder")
    out = io.BytesIO()
    with av.open(io.BytesIO(audio)) as source, av.open(out, "w", format=container, options=options) as target:
        stream = target.add_stream(codec, rate=rate)
        stream.layout = layout
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
        for frame in [*source.decode(audio=0), None]:
            for piece in resampler.resample(frame):
                for packet in stream.encode(piece):
                    target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()


def reference_pcm(wav: bytes) -> np.ndarray:
    """The same speech resampled by sox to 16 kHz mono: what decoding should come close to."""
    raw = sox(wav, "wav", "raw", out_options=("-r", "16000", "-c", "1", "-b", "16", "-e", "signed"))
    return np.frombuffer(raw, dtype=np.int16)


def rms(pcm: bytes | np.ndarray) -> float:
    samples = np.frombuffer(pcm, dtype=np.int16) if isinstance(pcm, bytes) else pcm
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def png_image() -> bytes:
    frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), dtype=np.uint8), format="rgb24")
    context = av.CodecContext.create("png", "w")
    context.width, context.height, context.pix_fmt = 16, 16, "rgb24"
    return b"".join(bytes(packet) for packet in context.encode(frame))


def crafted_wav(channels: int = 1, rate: int = 16_000, bits: int = 16, format_tag: int = 1) -> bytes:
    """A WAV whose header claims what no recording has (written by hand: FFmpeg would refuse to make it).
    The fmt chunk is always the plain 16 bytes, so WAVE_FORMAT_EXTENSIBLE (0xFFFE) lacks its extension."""
    block = max(channels * bits // 8, 1)
    fmt = struct.pack("<HHIIHH", format_tag, channels, rate, (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
    samples = b"\x01\x02" * 1600 * max(channels, 1)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body
