"""Voice in and out: POST /api/voice (a recording), WS /ws/voice (streamed chunks), GET /api/tts.

Decoding and recognition are CPU work; they run in the thread pool so one long recording does not
hold up other requests. Without a Vosk model the voice endpoints answer 503 saying how to add one.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from assistant.dialogue.conversation_lock import ConversationBusy
from voice.audio_pump import AudioPump
from voice.decode import decode_audio
from voice.errors import VoiceError, VoiceInputError, audio_too_large
from voice.grammar import grammar_for
from voice.recognise import Recogniser
from voice.speakable import speech_form
from voice.speech import synthesise
from web.access import Access, allow
from web.errors import ApiException, conversation_busy, refuse
from web.models import ApiError, ChatTurn, SessionToken
from web.routes import AssistantDep, KbDep, RouterDep, card_for, limit, resolve_session
from web.runtime import runtime_of, services_of

MAX_TTS_CHARS = 500
_STATUS = {"audio_too_large": 413, "voice_unavailable": 503, "voice_model_missing": 503, "speech_unavailable": 503,
           "speech_failed": 503}

router = APIRouter()
# The recording is the raw request body (read as a stream, so not a FastAPI body parameter): documented
# here, so /openapi.json shows it and tests/test_fuzz_api.py sends recordings (and junk) to it.
RECORDING = {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                                           "audio/*": {"schema": {"type": "string", "format": "binary"}}}}


class VoiceTurn(ChatTurn):
    heard: str  # what the recogniser heard
    normalised: str  # the text that reached the dialogue after normalisation


def _error(exc: VoiceError) -> ApiException:
    status = _STATUS.get(exc.code, 422 if isinstance(exc, VoiceInputError) else 503)
    return ApiException(status, ApiError(code=exc.code, message=exc.message))


def _recogniser(request_or_socket) -> Recogniser:
    return services_of(request_or_socket).recogniser


@router.post("/api/voice", dependencies=[allow(Access.public)], response_model=VoiceTurn,
             responses={409: {"model": ApiError}, 413: {"model": ApiError}, 422: {"model": ApiError}, 503: {"model": ApiError}},
             openapi_extra={"requestBody": RECORDING})
async def voice(request: Request, assistant: AssistantDep, kb: KbDep, routes: RouterDep,
                session_id: Annotated[SessionToken | None, Query()] = None,
                model: Annotated[str | None, Query(max_length=32)] = None,
                elder: Annotated[bool, Query(description="长辈模式: the reply in its short forms")] = False) -> VoiceTurn:
    """A recording (WAV, WebM/Opus, Ogg, MP3, M4A/AAC, AMR) as the request body → what was heard, the Turn."""
    recogniser = _recogniser(request)
    settings = services_of(request).settings
    session_id = resolve_session(assistant, session_id, request)
    limit(request, session_id)
    if not recogniser.available:
        raise _error(VoiceError("voice_unavailable"))
    body = await _read_limited(request, settings.voice_max_bytes)
    expecting = assistant.expecting(session_id)
    grammar = grammar_for(expecting.kind, expecting.choices) if expecting else None
    try:
        audio = await run_in_threadpool(decode_audio, body, max_seconds=settings.voice_max_seconds,
                                        max_bytes=settings.voice_max_bytes)
        heard = await run_in_threadpool(recogniser.transcribe, audio.pcm, grammar, model=model)
    except VoiceError as exc:
        raise _error(exc) from None
    if not heard.text.strip():
        raise refuse(422, "speech_not_recognised")
    turn = await run_in_threadpool(assistant.handle, session_id, heard.text, "voice", elder=elder)
    return VoiceTurn(**turn.model_dump(), card=card_for(kb, turn), heard=heard.text, normalised=routes.normalise(heard.text))


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _error(audio_too_large(max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


@router.websocket("/ws/voice", dependencies=[allow(Access.public)])
async def voice_stream(socket: WebSocket, session_id: SessionToken | None = None, model: str | None = None,
                       elder: bool = False) -> None:
    """Binary messages: audio chunks of one recording (MediaRecorder); the text message "end" finishes.
    Sent back: {"type": "partial", "text"} while listening, then {"type": "final", "text"} and
    {"type": "turn", "turn": …}; or {"type": "error", "code", "message"} (code conversation_busy, close
    code 1013: another turn of the conversation kept it busy, nothing was applied; try again)."""
    await socket.accept()
    services = services_of(socket)
    assistant, recogniser, settings = runtime_of(socket).assistant, services.recogniser, services.settings
    try:
        session_id = resolve_session(assistant, session_id, socket)
        limit(socket, session_id)
        expecting = assistant.expecting(session_id)
        grammar = grammar_for(expecting.kind, expecting.choices) if expecting else None
        with await run_in_threadpool(AudioPump.start, recogniser, grammar, model=model,
                                     max_seconds=settings.voice_max_seconds, max_bytes=settings.voice_max_bytes) as pump:
            while True:
                message = await socket.receive()
                if message.get("type") == "websocket.disconnect":
                    return
                if message.get("bytes"):
                    await pump_chunk(socket, pump, message["bytes"])
                elif (message.get("text") or "").strip() == "end":
                    heard = await run_in_threadpool(pump.finish)
                    break
        await socket.send_json({"type": "final", "text": heard.text})
        if heard.text.strip():
            turn = await run_in_threadpool(assistant.handle, session_id, heard.text, "voice", elder=elder)
            shown = ChatTurn(**turn.model_dump(), card=card_for(runtime_of(socket).kb, turn))
            await socket.send_json({"type": "turn", "turn": json.loads(shown.model_dump_json())})
        await socket.close()
    except VoiceError as exc:
        await socket.send_json({"type": "error", "code": exc.code, "message": exc.message})
        await socket.close(code=1011 if not isinstance(exc, VoiceInputError) else 1003)
    except ApiException as exc:
        await socket.send_json({"type": "error", **exc.error.model_dump()})
        await socket.close(code=1008)
    except ConversationBusy as exc:
        await socket.send_json({"type": "error", **conversation_busy(exc).error.model_dump()})
        await socket.close(code=1013)  # Try Again Later
    except WebSocketDisconnect:
        return


async def pump_chunk(socket: WebSocket, pump: AudioPump, chunk: bytes) -> None:
    """One chunk of live audio through the pump; what is heard so far goes to the socket when it changed."""
    partial = await run_in_threadpool(pump.push, chunk)
    if partial is not None:
        await socket.send_json({"type": "partial", "text": partial.text})


@router.get("/api/tts", dependencies=[allow(Access.public)], responses={200: {"content": {"audio/wav": {}}}, 400: {"model": ApiError}, 503: {"model": ApiError}})
async def tts(request: Request, text: Annotated[str, Query(max_length=MAX_TTS_CHARS)]) -> Response:
    """A reply read aloud as WAV (espeak-ng), for phone and kiosk channels."""
    settings = services_of(request).settings
    spoken = speech_form(text)
    if not spoken.strip():
        raise refuse(400, "empty_text", field="text")
    limit(request)
    try:
        wav = await run_in_threadpool(synthesise, spoken, settings.speech_voice, rate=settings.speech_rate)
    except VoiceError as exc:
        raise _error(exc) from None
    return Response(content=wav, media_type="audio/wav")
