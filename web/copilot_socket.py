"""WS /ws/copilot/{call_id}: a call's transcript grows (typed lines or call audio), suggestions follow.

Messages in: {"type": "text", "text": …} (a line of the transcript, typed by the agent or from a
transcription system), binary audio chunks of the caller's speech followed by {"type": "end"} (through
the voice pipeline, when a Vosk model is installed). Out: {"type": "suggestion", "transcript", …} after
every line, {"type": "partial", "text"} while audio is being recognised, {"type": "error", …}.
Each time the caller's details on screen (masked) include a field not shown before on this call, the
audit log records that the agent saw it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, ValidationError

from assistant.privacy.audit import Action
from assistant.services import Services
from voice.audio_pump import AudioPump
from voice.errors import VoiceError
from web.access import Access, allow
from web.errors import refused_error
from web.models import CleanText, StrictRequest
from web.request_errors import refusal
from web.runtime import runtime_of, services_of
from web.staff_api import CALL_ID, MAX_TRANSCRIPT_CHARS, call_object
from web.staff_routes import STAFF_COOKIE
from web.voice_routes import pump_chunk

router = APIRouter()


class CopilotMessage(StrictRequest):
    """A text message on the socket: a line of the transcript, or the end of a piece of call audio."""

    type: Literal["text", "end"]
    text: CleanText = Field(default="", max_length=MAX_TRANSCRIPT_CHARS)


@router.websocket("/ws/copilot/{call_id}", dependencies=[allow(Access.staff)])
async def copilot_socket(socket: WebSocket, call_id: Annotated[str, Path(pattern=CALL_ID)]) -> None:
    services = services_of(socket)
    await socket.accept()
    token = socket.cookies.get(STAFF_COOKIE)
    user = services.staff.user_for(token)
    if user is None:
        await _signed_out(socket)
        return
    transcript = ""
    audio: AudioPump | None = None  # the piece of call audio under way
    shown: set[str] = set()  # caller fields already on the agent's screen (and in the audit log)
    try:
        while True:
            message = await socket.receive()
            if message.get("type") == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                audio = audio or await _listen(services)
                await pump_chunk(socket, audio, message["bytes"])
                continue
            try:
                data = CopilotMessage.model_validate_json(message.get("text") or "")
            except ValidationError:  # not JSON, not an object, an unknown type: say so, keep the call open
                await socket.send_json({"type": "error", **refusal("bad_message").model_dump()})
                continue
            line = ""
            if data.type == "text":
                line = data.text.strip()
            elif data.type == "end" and audio is not None:
                pump, audio = audio, None
                line = (await run_in_threadpool(pump.finish)).text.replace(" ", "")
            if not line:
                continue
            if await run_in_threadpool(services.staff.user_for, token) is None:  # signed out, disabled or expired mid-call
                await _signed_out(socket)
                return
            transcript = (transcript + "\n" + line).strip()[-MAX_TRANSCRIPT_CHARS:]
            suggestion = await run_in_threadpool(runtime_of(socket).copilot.suggest, transcript)
            if new := sorted({f.name for f in suggestion.fields} - shown):
                await run_in_threadpool(services.work_orders.audit.record, user.username, Action.VIEW,
                                        call_object(call_id), {"fields": new})
                shown.update(new)
            await socket.send_json({"type": "suggestion", "call_id": call_id, "transcript": transcript, **suggestion.to_dict()})
    except VoiceError as exc:
        await socket.send_json({"type": "error", "code": exc.code, "message": exc.message})
        await socket.close(code=1011)
    except WebSocketDisconnect:
        return
    finally:
        if audio is not None:  # the call ended with audio under way: its decoding thread ends too
            audio.close()


async def _signed_out(socket: WebSocket) -> None:
    await socket.send_json({"type": "error", **refused_error("staff_login_required").model_dump(exclude_none=True)})
    await socket.close(code=1008)


async def _listen(services: Services) -> AudioPump:
    settings = services.settings
    return await run_in_threadpool(AudioPump.start, services.recogniser, None,
                                   max_seconds=settings.voice_max_seconds, max_bytes=settings.voice_max_bytes)
