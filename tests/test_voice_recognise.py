"""Speech recognition: grammars for short answers, model configuration, and (with a real Vosk
model configured as the app configures it, GOVASSIST_VOSK_MODELS) transcripts of whole and live
recordings."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Settings
from tests.voice_support import encode, spoken_wav
from voice.audio_pump import AudioPump
from voice.decode import BYTES_PER_SECOND, decode_audio
from voice.errors import VoiceInputError, VoiceUnavailable
from voice.grammar import UNKNOWN, choices_grammar, fit_grammar, grammar_for, yes_no_grammar
from voice.recognise import Recogniser, Stream, Transcript

# Grammars: phrases Vosk listens for when a short answer is expected.


def test_a_yes_no_question_listens_for_yes_no_and_the_ways_out() -> None:
    grammar = grammar_for("yes_no")

    assert grammar is not None
    assert {"是", "不是", "同意", "不同意", "转人工", "跳过"} <= set(grammar)
    assert grammar[-1] == UNKNOWN


def test_the_consent_question_is_a_yes_no_question() -> None:
    assert grammar_for("consent") == yes_no_grammar()


@pytest.mark.parametrize("slot_type", ["phone", "id_number"])
def test_phone_and_id_numbers_listen_for_digits_said_one_by_one(slot_type: str) -> None:
    grammar = grammar_for(slot_type)

    assert grammar is not None
    assert {"幺", "零", "九", "两"} <= set(grammar)
    assert "叉" in grammar  # the X that ends some ID numbers
    assert any(len(phrase.split()) >= 10 for phrase in grammar)  # a digit run, so digits follow digits


def test_numbers_add_the_words_for_tens_and_hundreds() -> None:
    grammar = grammar_for("number")

    assert grammar is not None and {"十", "百", "三"} <= set(grammar)


def test_a_choice_listens_for_its_labels_and_their_positions() -> None:
    grammar = grammar_for("choice", ["补办社保卡", "换领身份证"])

    assert grammar is not None
    assert {"补办社保卡", "换领身份证", "第一个", "第二个", "一", "二"} <= set(grammar)
    assert "第三个" not in grammar


def test_a_materials_checklist_also_listens_for_all_present() -> None:
    grammar = choices_grammar(["身份证", "照片"], materials=True)

    assert {"身份证", "照片", "都有了", "第二个"} <= set(grammar)


@pytest.mark.parametrize("expected", ["address", "person_name", "text", "date", "idle"])
def test_free_answers_have_no_grammar(expected: str) -> None:
    assert grammar_for(expected) is None


def test_a_choice_with_nothing_to_choose_has_no_grammar() -> None:
    assert grammar_for("choice", []) is None


VOCABULARY = {"确认", "提交", "同意", "不", "是", "社保", "卡", "补办", "一", "二", "三"}


def test_phrases_are_split_into_words_the_model_knows() -> None:
    fitted = fit_grammar(["确认提交", "不同意", "补办社保卡", "一 二 三"], VOCABULARY.__contains__)

    assert fitted == ["确认 提交", "不 同意", "补办 社保 卡", "一 二 三", UNKNOWN]


def test_a_phrase_with_a_character_no_word_covers_is_left_out() -> None:
    # Vosk would drop the unknown word and listen for the rest: "转人工" would become nothing.
    fitted = fit_grammar(["转人工", "是", "是的"], VOCABULARY.__contains__)

    assert fitted == ["是", UNKNOWN]


# Configuration.


def test_without_a_model_voice_is_unavailable_and_says_where_to_read_how_to_install_one() -> None:
    recogniser = Recogniser({})

    with pytest.raises(VoiceUnavailable) as caught:
        recogniser.transcribe(b"\0" * BYTES_PER_SECOND)

    assert not recogniser.available
    assert caught.value.code == "voice_unavailable"
    assert "docs/voice.md" in caught.value.message


def test_a_model_directory_that_is_missing_is_reported_without_showing_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "vosk-model-small-cn-0.22"
    recogniser = Recogniser({"mandarin": missing})

    with pytest.raises(VoiceUnavailable) as caught:
        recogniser.start()

    assert caught.value.code == "voice_model_missing"
    assert str(missing) not in caught.value.message
    assert str(missing) in str(caught.value)  # for the log


def test_a_directory_that_is_not_a_vosk_model_is_reported(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("not a model")

    with pytest.raises(VoiceUnavailable) as caught:
        Recogniser({"mandarin": tmp_path}).load()

    assert caught.value.code == "voice_model_missing"


def test_asking_for_a_model_that_is_not_configured_names_the_ones_that_are(tmp_path: Path) -> None:
    recogniser = Recogniser({"mandarin": tmp_path, "cantonese": tmp_path})

    with pytest.raises(VoiceInputError) as caught:
        recogniser.start(model="hakka")

    assert caught.value.code == "voice_model_unknown"
    assert "mandarin" in caught.value.message and "cantonese" in caught.value.message


def test_the_default_model_must_be_one_of_those_configured(tmp_path: Path) -> None:
    assert Recogniser({"mandarin": tmp_path, "cantonese": tmp_path}).default == "mandarin"
    assert Recogniser({"mandarin": tmp_path, "cantonese": tmp_path}, default="cantonese").default == "cantonese"
    with pytest.raises(ValueError):
        Recogniser({"mandarin": tmp_path}, default="cantonese")


def test_the_audio_pump_refuses_an_empty_recording_before_recognising_anything() -> None:
    stream: Stream = object()  # type: ignore[assignment]  # never reached: nothing was recorded

    with AudioPump(stream) as pump, pytest.raises(VoiceInputError) as caught:
        pump.finish()

    assert caught.value.code == "audio_empty"


# With a real model, read from the app's own settings (see docs/voice.md):
# GOVASSIST_VOSK_MODELS='{"mandarin": "/path/to/vosk-model-small-cn-0.22"}'; the default model is used.


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    settings = Settings()
    if not settings.vosk_models:
        pytest.skip("no Vosk model: set GOVASSIST_VOSK_MODELS to unpacked model directories by name (docs/voice.md)")
    recogniser = Recogniser(settings.vosk_models, default=settings.vosk_default_model)
    recogniser.load()
    return recogniser


def _pcm(text: str) -> bytes:
    return decode_audio(spoken_wav(text)).pcm


def test_silence_gives_an_empty_transcript(recogniser: Recogniser) -> None:
    transcript = recogniser.transcribe(b"\0" * BYTES_PER_SECOND * 2)

    assert transcript == Transcript(text="", words=(), confidence=0.0, model=recogniser.default, grammar=False)


def test_speech_gives_words_in_order_with_times_and_confidences(recogniser: Recogniser) -> None:
    transcript = recogniser.transcribe(_pcm("我想补办社保卡"))

    assert transcript.words
    assert transcript.text == " ".join(w.text for w in transcript.words)
    assert all(0 <= w.confidence <= 1 and w.start < w.end for w in transcript.words)
    assert [w.start for w in transcript.words] == sorted(w.start for w in transcript.words)


def test_a_live_recognition_shows_partials_and_ends_with_the_whole_transcript(recogniser: Recogniser) -> None:
    pcm = _pcm("您好，我想补办社保卡，请问要带什么材料")
    stream = recogniser.start()

    partials = [p for i in range(0, len(pcm), 6400) if (p := stream.feed(pcm[i : i + 6400])) is not None]
    final = stream.finish()

    assert partials and final.text
    assert final.text == recogniser.transcribe(pcm).text


def test_an_expected_short_answer_is_one_of_the_grammar_phrases(recogniser: Recogniser) -> None:
    grammar = yes_no_grammar()

    transcript = recogniser.transcribe(_pcm("同意"), grammar)

    if transcript.grammar:
        assert transcript.text.replace(" ", "") in grammar
    else:  # the grammar did not fit what was heard: recognised again, freely
        assert transcript.model == recogniser.default


def test_a_live_recognition_stops_at_the_length_limit(recogniser: Recogniser) -> None:
    name = recogniser.default
    stream = Recogniser({name: recogniser.paths[name]}, max_seconds=2).start()

    with pytest.raises(VoiceInputError) as caught:
        for _ in range(3):
            stream.feed(b"\0" * BYTES_PER_SECOND)

    assert caught.value.code == "audio_too_long"


def test_the_audio_pump_hears_a_recording_sent_in_pieces_as_a_browser_sends_it(recogniser: Recogniser) -> None:
    wav = spoken_wav("您好，我想补办社保卡，请问要带什么材料")
    webm = encode(wav, "webm", "libopus", 48000)

    with AudioPump.start(recogniser) as pump:
        partials = [p for i in range(0, len(webm), 2000) if (p := pump.push(webm[i : i + 2000])) is not None]
        final = pump.finish()

    assert all(p.text for p in partials)
    assert final.text and final.text == recogniser.transcribe(decode_audio(webm).pcm).text
