"""Decoding what browsers and phones record into 16 kHz mono PCM, whole or as it arrives, and
refusing what cannot be used with a stable code and a Chinese message."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import numpy as np
import pytest
import yaml

from tests.voice_support import crafted_wav, encode, png_image, reference_pcm, rms, silence_wav, sox, spoken_wav
from voice.decode import BYTES_PER_SECOND, decode_audio
from voice.errors import MESSAGES_FILE, VoiceInputError
from voice.stream_decode import StreamDecoder


@pytest.fixture(scope="module")
def speech() -> bytes:
    return spoken_wav()


@pytest.fixture(scope="module")
def reference(speech: bytes) -> np.ndarray:
    return reference_pcm(speech)


# What each kind of sender produces, made from the same espeak-ng sentence (22.05 kHz mono WAV).
RECORDINGS: dict[str, Callable[[bytes], bytes]] = {
    "wav 8 kHz mono (telephone)": lambda wav: sox(wav, "wav", "wav", out_options=("-r", "8000")),
    "wav 44.1 kHz stereo": lambda wav: sox(wav, "wav", "wav", out_options=("-r", "44100", "-c", "2")),
    "webm/opus (Chrome, Firefox MediaRecorder)": lambda wav: encode(wav, "webm", "libopus", 48000),
    "ogg/opus (Firefox MediaRecorder)": lambda wav: encode(wav, "ogg", "libopus", 48000),
    "ogg/vorbis": lambda wav: sox(wav, "wav", "vorbis"),
    "mp3": lambda wav: encode(wav, "mp3", "libmp3lame", 44100),
    "m4a/aac (Safari, iPhone voice memo)": lambda wav: encode(wav, "ipod", "aac", 44100),
    "fragmented mp4/aac (Safari MediaRecorder)": lambda wav: encode(
        wav, "mp4", "aac", 44100, movflags="frag_keyframe+empty_moov"
    ),
    "adts aac": lambda wav: encode(wav, "adts", "aac", 44100),
    "amr-nb (PyAV, opencore encoder)": lambda wav: encode(wav, "amr", "libopencore_amrnb", 8000),
    # sox writes comfort-noise frames, as phones do, that FFmpeg's own AMR decoder cannot read.
    "amr-nb (sox, as phones write it)": lambda wav: sox(wav, "wav", "amr-nb", out_options=("-r", "8000")),
}


@pytest.mark.parametrize("kind", RECORDINGS)
def test_every_common_recording_decodes_to_the_same_16k_mono_speech(
    kind: str, speech: bytes, reference: np.ndarray
) -> None:
    recording = RECORDINGS[kind](speech)

    decoded = decode_audio(recording)

    expected_seconds = len(reference) / 16_000
    # Codecs add a few tens of milliseconds of priming and padding; AMR and MP3 frame sizes round up.
    assert decoded.seconds == pytest.approx(expected_seconds, abs=0.2)
    assert len(decoded.pcm) % 2 == 0
    # The same speech, not noise or silence: loudness close to the lossless reference.
    assert rms(decoded.pcm) == pytest.approx(rms(reference), rel=0.35)


def test_lossless_input_matches_a_reference_resampling_sample_for_sample(speech: bytes, reference: np.ndarray) -> None:
    stereo = sox(speech, "wav", "wav", out_options=("-r", "44100", "-c", "2"))

    decoded = np.frombuffer(decode_audio(stereo).pcm, dtype=np.int16).astype(np.float64)

    n = min(len(decoded), len(reference))
    assert abs(len(decoded) - len(reference)) <= 2
    assert np.corrcoef(decoded[:n], reference[:n])[0, 1] > 0.99


def test_the_format_and_codec_read_are_reported(speech: bytes) -> None:
    decoded = decode_audio(encode(speech, "webm", "libopus", 48000))

    assert (decoded.container, decoded.codec) == ("matroska,webm", "opus")


def _code(data: bytes, **limits: float) -> str:
    with pytest.raises(VoiceInputError) as caught:
        decode_audio(data, **limits)  # type: ignore[arg-type]
    return caught.value.code


def test_empty_input_is_refused() -> None:
    assert _code(b"") == "audio_empty"


def test_a_recording_that_holds_no_samples_is_empty(speech: bytes) -> None:
    header_only = sox(speech, "wav", "wav", "trim", "0", "0")

    assert _code(header_only) == "audio_empty"


def test_random_bytes_are_not_audio() -> None:
    assert _code(np.random.default_rng(6).bytes(5000)) == "audio_not_audio"


def test_a_text_file_is_not_audio() -> None:
    assert _code("这是一个文本文件，不是录音。\nhello\n".encode()) == "audio_not_audio"


def test_an_image_is_not_audio_though_ffmpeg_opens_it() -> None:
    assert _code(png_image()) == "audio_not_audio"


def test_an_m4a_cut_short_loses_its_index_and_is_corrupt(speech: bytes) -> None:
    m4a = encode(speech, "ipod", "aac", 44100)

    assert _code(m4a[: len(m4a) // 2]) == "audio_corrupt"


def test_a_wav_cut_inside_its_header_is_corrupt(speech: bytes) -> None:
    assert _code(speech[:40]) == "audio_corrupt"


def test_a_stream_cut_in_the_middle_keeps_the_speech_before_the_cut(speech: bytes) -> None:
    webm = encode(speech, "webm", "libopus", 48000)
    whole = decode_audio(webm)

    half = decode_audio(webm[: len(webm) // 2])

    assert 0.3 * whole.seconds < half.seconds < 0.7 * whole.seconds
    assert whole.pcm.startswith(half.pcm[: BYTES_PER_SECOND // 2])


# Headers a prober sent to /api/voice: each one crashed the decoder (500) before the shape was checked.
CRAFTED_HEADERS = {
    "9 channels": {"channels": 9},
    "64 channels": {"channels": 64},
    "255 channels": {"channels": 255},
    "0 bits a sample": {"bits": 0},
    "a rate of 2^31-1 Hz": {"rate": 2**31 - 1},
    "WAVE_FORMAT_EXTENSIBLE in a 16-byte fmt chunk": {"format_tag": 0xFFFE},
}


@pytest.mark.parametrize("header", CRAFTED_HEADERS.values(), ids=CRAFTED_HEADERS.keys())
def test_a_wav_header_no_recording_has_is_refused_before_decoding(header: dict[str, int]) -> None:
    with pytest.raises(VoiceInputError) as refused:
        decode_audio(crafted_wav(**header))
    assert refused.value.code == "audio_corrupt"


def test_a_stereo_wav_with_a_plain_header_still_decodes() -> None:
    assert decode_audio(crafted_wav(channels=2)).seconds == pytest.approx(0.1, abs=0.01)


def test_more_than_60_seconds_is_too_long_by_default() -> None:
    assert _code(silence_wav(61)) == "audio_too_long"
    assert decode_audio(silence_wav(59)).seconds == pytest.approx(59, abs=0.01)


def test_the_length_limit_is_an_argument(speech: bytes) -> None:
    assert _code(speech, max_seconds=2) == "audio_too_long"


def test_a_file_over_the_byte_limit_is_refused_before_decoding(speech: bytes) -> None:
    with pytest.raises(VoiceInputError) as caught:
        decode_audio(speech, max_bytes=100_000)

    assert caught.value.code == "audio_too_large"


def test_every_error_code_has_a_chinese_message_in_the_data_file() -> None:
    messages = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    codes = {"audio_empty", "audio_too_long", "audio_too_large", "audio_corrupt", "audio_not_audio"}

    assert codes <= set(messages)
    for code in codes:
        message = VoiceInputError(code, seconds=60, megabytes=16).message
        assert re.search(r"[\u4e00-\u9fff]", message) and "{" not in message


# Live recordings: MediaRecorder's chunks, pieces of one file, decoded as they arrive.


def _stream(recording: bytes, chunk: int = 1000, **limits: float) -> tuple[bytes, bytes]:
    """(PCM received while pushing, PCM from finish)."""
    during = bytearray()
    with StreamDecoder(**limits) as decoder:  # type: ignore[arg-type]
        for i in range(0, len(recording), chunk):
            during += decoder.push(recording[i : i + chunk])
        return bytes(during), decoder.finish()


LIVE = ["webm/opus (Chrome, Firefox MediaRecorder)", "ogg/opus (Firefox MediaRecorder)", "mp3"]


@pytest.mark.parametrize("kind", LIVE)
def test_a_live_recording_decodes_to_what_the_whole_file_gives(kind: str, speech: bytes) -> None:
    recording = RECORDINGS[kind](speech)

    during, rest = _stream(recording)

    live, whole = during + rest, decode_audio(recording).pcm
    # The same samples; only MP3's end padding, trimmed when the file can be seeked, may remain.
    assert abs(len(live) - len(whole)) <= BYTES_PER_SECOND * 0.05
    n = min(len(live), len(whole))
    assert live[:n] == whole[:n]


def test_speech_is_available_before_the_recording_ends(speech: bytes) -> None:
    webm = encode(speech, "webm", "libopus", 48000)
    with StreamDecoder() as decoder:
        decoder.push(webm[: len(webm) // 2])
        heard = b""
        deadline = time.monotonic() + 5
        # Each push returns what was decoded since the last one: on a busy machine the decoding thread hands
        # it over in several pieces, so what is heard adds up.
        while len(heard) <= BYTES_PER_SECOND // 2 and time.monotonic() < deadline:
            heard += decoder.push(b"")
            time.sleep(0.01)

        assert len(heard) > BYTES_PER_SECOND // 2


def test_an_mp4_with_its_index_at_the_end_is_decoded_when_it_is_complete(speech: bytes) -> None:
    m4a = encode(speech, "ipod", "aac", 44100)

    during, rest = _stream(m4a)

    assert during == b""
    assert rest == decode_audio(m4a).pcm


def test_a_live_recording_over_the_limit_stops(speech: bytes) -> None:
    webm = encode(speech, "webm", "libopus", 48000)

    with pytest.raises(VoiceInputError) as caught:
        _stream(webm, max_seconds=2)

    assert caught.value.code == "audio_too_long"


def test_a_live_recording_over_the_byte_limit_stops(speech: bytes) -> None:
    with pytest.raises(VoiceInputError) as caught:
        _stream(encode(speech, "webm", "libopus", 48000), max_bytes=20_000)

    assert caught.value.code == "audio_too_large"


def test_a_live_stream_of_text_is_not_audio() -> None:
    with pytest.raises(VoiceInputError) as caught:
        _stream("这不是录音。".encode() * 200)

    assert caught.value.code == "audio_not_audio"


def test_a_live_stream_with_nothing_sent_is_empty() -> None:
    with StreamDecoder() as decoder, pytest.raises(VoiceInputError) as caught:
        decoder.finish()

    assert caught.value.code == "audio_empty"


def test_closing_a_live_decoder_ends_its_thread(speech: bytes) -> None:
    decoder = StreamDecoder()
    decoder.push(encode(speech, "webm", "libopus", 48000)[:3000])

    decoder.close()

    decoder._thread.join(timeout=5)
    assert not decoder._thread.is_alive()



def test_a_recording_that_changes_rate_and_channels_midway_is_decoded_whole(speech: bytes) -> None:
    # As when a headset is plugged in while recording: MP3 frames may change rate and channels.
    mono = encode(speech, "mp3", "libmp3lame", 22050)
    stereo = encode(speech, "mp3", "libmp3lame", 44100, layout="stereo")

    decoded = decode_audio(mono + stereo)

    assert decoded.seconds == pytest.approx(decode_audio(mono).seconds + decode_audio(stereo).seconds, abs=0.2)
