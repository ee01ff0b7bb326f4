"""Speech recognition with Vosk: models configured by path and chosen per request, whole
recordings or a live stream, and grammar mode for short expected answers.

The recogniser takes 16 kHz mono s16le PCM (voice/decode.py makes it). Its text is Vosk's own:
words separated by spaces, no punctuation, numbers as words ("幺 三 八"); turning that into text
for routing is intents/normalise.py's job.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import vosk

from voice.decode import BYTES_PER_SECOND, DEFAULT_MAX_SECONDS, SAMPLE_RATE, too_long
from voice.errors import VoiceInputError, VoiceUnavailable
from voice.grammar import UNKNOWN, fit_grammar

# Below this mean word confidence a grammar-mode result is not trusted: the recording is
# recognised again without the grammar, so an answer nobody expected is still heard.
DEFAULT_MIN_GRAMMAR_CONFIDENCE = 0.6
# Vosk finds the end of an utterance itself; feeding it a fifth of a second at a time keeps
# partial results lively without per-call overhead.
_FEED_BYTES = BYTES_PER_SECOND // 5


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds from the start of the recording
    end: float
    confidence: float  # 0..1


@dataclass(frozen=True)
class Transcript:
    text: str  # Vosk's words joined by spaces; "" when nothing was understood
    words: tuple[Word, ...]
    confidence: float  # mean word confidence; 0 when there are no words
    model: str  # the name of the model that heard it
    grammar: bool = False  # whether grammar mode produced it


@dataclass(frozen=True)
class Partial:
    text: str  # everything heard so far, still subject to change


class Recogniser:
    """Vosk models by name ({"mandarin": path, "cantonese": path}), loaded on first use and shared
    by every request; with no model configured, every call raises VoiceUnavailable."""

    def __init__(
        self,
        models: Mapping[str, str | Path] | None = None,
        *,
        default: str | None = None,
        max_seconds: float = DEFAULT_MAX_SECONDS,
        min_grammar_confidence: float = DEFAULT_MIN_GRAMMAR_CONFIDENCE,
    ) -> None:
        self.paths = {name: Path(path) for name, path in (models or {}).items()}
        if default is not None and default not in self.paths:
            raise ValueError(f"default model {default!r} is not among {sorted(self.paths)}")
        self.default = default or next(iter(self.paths), None)
        self.max_seconds = max_seconds
        self.min_grammar_confidence = min_grammar_confidence
        self._loaded: dict[str, vosk.Model] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self.paths)

    @property
    def available(self) -> bool:
        return bool(self.paths)

    def load(self, name: str | None = None) -> vosk.Model:
        """The named (default: the default) model, loaded once; a server may call it at startup
        so that the first request does not wait for a large model to load."""
        name = self._choose(name)
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = _load_model(name, self.paths[name])
            return self._loaded[name]

    def supports_grammar(self, name: str | None = None) -> bool:
        # Only models with a runtime graph (the small ones) can switch to a phrase list; the large
        # models' static graph (HCLG.fst) would ignore it with a warning.
        return (self.paths[self._choose(name)] / "graph" / "HCLr.fst").exists()

    def transcribe(self, pcm: bytes, grammar: Sequence[str] | None = None, *, model: str | None = None) -> Transcript:
        """A whole recording at once; `grammar`: phrases for grammar mode (voice/grammar.py)."""
        stream = self.start(grammar, model=model)
        for i in range(0, len(pcm), _FEED_BYTES):
            stream.feed(pcm[i : i + _FEED_BYTES])
        return stream.finish()

    def start(self, grammar: Sequence[str] | None = None, *, model: str | None = None) -> Stream:
        """A live recognition: feed() PCM chunks as they arrive, finish() when the person stops."""
        name = self._choose(model)
        loaded = self.load(name)
        phrases = None
        if grammar and self.supports_grammar(name):
            phrases = fit_grammar(grammar, lambda word: loaded.vosk_model_find_word(word) >= 0)
        return Stream(self, name, loaded, phrases)

    def _choose(self, name: str | None) -> str:
        if not self.paths:
            raise VoiceUnavailable("voice_unavailable")
        name = name or self.default
        assert name is not None
        if name not in self.paths:
            raise VoiceInputError("voice_model_unknown", name=name, names="、".join(self.paths))
        return name


class Stream:
    """One utterance being recognised. Vosk cuts a long recording at pauses; the pieces are joined
    into one transcript at the end."""

    def __init__(self, recogniser: Recogniser, name: str, model: vosk.Model, grammar: list[str] | None) -> None:
        self._recogniser = recogniser
        self._name = name
        self._grammar = grammar
        self._vosk = _recognizer(model, grammar)
        self._words: list[Word] = []
        self._shown = ""
        self._odd = b""  # a byte left over from a chunk of odd length: half a sample
        self._fed = 0
        # Kept only in grammar mode, to recognise again without the grammar if it did not fit.
        self._pcm = bytearray() if grammar else None

    def feed(self, chunk: bytes) -> Partial | None:
        """Takes PCM; returns what is heard so far when it changed, else None."""
        data = self._odd + chunk
        cut = len(data) - len(data) % 2
        data, self._odd = data[:cut], data[cut:]
        self._fed += len(data)
        if self._fed > self._recogniser.max_seconds * BYTES_PER_SECOND:
            raise too_long(self._recogniser.max_seconds)
        if self._pcm is not None:
            self._pcm += data
        if self._vosk.AcceptWaveform(data):
            self._words += _words(self._vosk.Result())
            heard = _text(self._words)
        else:
            partial = json.loads(self._vosk.PartialResult()).get("partial", "")
            heard = " ".join(w for w in [_text(self._words), *partial.split()] if w and w != UNKNOWN)
        if heard == self._shown:
            return None
        self._shown = heard
        return Partial(heard)

    def finish(self) -> Transcript:
        self._words += _words(self._vosk.FinalResult())
        transcript = _transcript(self._words, self._name, grammar=self._grammar is not None)
        if self._pcm is not None and self._unexpected(transcript):
            return self._recogniser.transcribe(bytes(self._pcm), None, model=self._name)
        return transcript

    def _unexpected(self, transcript: Transcript) -> bool:
        heard_unknown = any(w.text == UNKNOWN for w in self._words)
        return heard_unknown or not transcript.words or transcript.confidence < self._recogniser.min_grammar_confidence


def _load_model(name: str, path: Path) -> vosk.Model:
    if not path.is_dir():
        raise VoiceUnavailable("voice_model_missing", detail=f"model {name!r}: no directory {path}")
    vosk.SetLogLevel(-1)  # Kaldi logs every model load and grammar to stderr
    try:
        return vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise VoiceUnavailable("voice_model_missing", detail=f"model {name!r}: not a Vosk model: {path}") from exc


def _recognizer(model: vosk.Model, grammar: list[str] | None) -> vosk.KaldiRecognizer:
    if grammar:
        recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, json.dumps(grammar, ensure_ascii=False))
    else:
        recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
    recognizer.SetWords(True)
    return recognizer


def _words(result_json: str) -> list[Word]:
    result = json.loads(result_json)
    return [
        Word(text=w["word"], start=float(w["start"]), end=float(w["end"]), confidence=float(w["conf"]))
        for w in result.get("result", [])
    ]


def _text(words: Sequence[Word]) -> str:
    return " ".join(w.text for w in words if w.text != UNKNOWN)


def _transcript(words: Sequence[Word], model: str, grammar: bool) -> Transcript:
    heard = tuple(w for w in words if w.text != UNKNOWN)
    confidence = sum(w.confidence for w in heard) / len(heard) if heard else 0.0
    return Transcript(text=_text(heard), words=heard, confidence=confidence, model=model, grammar=grammar)
