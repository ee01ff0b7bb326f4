"""Speech out: a reply made speakable (voice/speakable.py) and spoken as WAV by espeak-ng.

espeak-ng is a program, not a Python package (Debian: `apt-get install espeak-ng`); it speaks
Mandarin and Cantonese. It is run once per reply with the text on
its standard input, never on a command line a shell reads.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from voice.errors import SpeechUnavailable
from voice.speakable import speech_form

__all__ = ["VOICES", "SpeechUnavailable", "speech_available", "speech_form", "synthesise"]

ESPEAK = "espeak-ng"
# Languages to espeak-ng voices. espeak-ng 1.51's plain "cmn" voice (Debian 12) reads characters
# missing from its short dictionary as pinyin with the tone number said in English ("好" as
# "hao three"; espeak-ng issues #1028, #1236); "cmn-latn-pinyin" reads them in Mandarin. Its Hakka
# voice ("hak") reads every character as "Chinese letter" and is not offered.
VOICES = {"cmn": "cmn-latn-pinyin", "yue": "yue"}
# Words a minute; espeak-ng's own 175 is quick for the older people this is read to.
DEFAULT_RATE = 150
_VOICE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]+)*")


def speech_available(program: str = ESPEAK) -> bool:
    return shutil.which(program) is not None


def synthesise(
    text: str, voice: str = "cmn", *, rate: int = DEFAULT_RATE, program: str = ESPEAK, timeout: float = 30.0
) -> bytes:
    """`text` spoken as a WAV file (mono 16-bit, 22.05 kHz). Pass it through speech_form() first.

    `voice`: a language of VOICES ("cmn" Mandarin, "yue" Cantonese) or any espeak-ng voice name.
    """
    voice = VOICES.get(voice, voice)
    if not _VOICE.fullmatch(voice):
        raise ValueError(f"not an espeak-ng voice name: {voice!r}")
    if not text.strip():
        raise ValueError("nothing to say")
    executable = shutil.which(program)
    if executable is None:
        raise SpeechUnavailable("speech_unavailable")
    with tempfile.TemporaryDirectory(prefix="govassist-speech-") as tmp:
        # A file rather than --stdout: espeak-ng writes a WAV header with a proper length only there.
        wav = Path(tmp) / "reply.wav"
        try:
            done = subprocess.run(
                [executable, "-v", voice, "-s", str(rate), "-w", str(wav), "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SpeechUnavailable("speech_failed") from exc
        if done.returncode != 0 or not wav.exists() or wav.stat().st_size <= 44:
            raise SpeechUnavailable("speech_failed")
        return wav.read_bytes()
