"""What a worker serves from: the knowledge base with operators' edits, its router, the assistant and
the copilot, built together and swapped in as one.

A rebuild builds a whole new Runtime beside the old one and then replaces the references the routes
read, so requests in flight finish on the objects they already hold and none is dropped. Each object is
complete in itself (the assistant holds its own knowledge base and router), so a request that starts
mid-swap still gets a consistent answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.requests import HTTPConnection

from assistant.copilot.suggestions import Copilot
from assistant.dialogue.engine import Assistant
from assistant.services import Services
from intents.router import Router
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.overlay import apply_edits, edits_digest

Report = Callable[[str], None]


@dataclass(frozen=True)
class Runtime:
    kb: KnowledgeBase
    router: Router
    assistant: Assistant
    copilot: Copilot
    kb_version: int  # the last knowledge-base edit this runtime includes (0: the files alone)


def build_runtime(
    services: Services,
    kb_version: int,
    report: Report | None = None,
    router: Router | None = None,
) -> Runtime:
    """Everything served at kb_version, on the books of `services`. `router`: a ready one for the files
    alone (tests share one)."""
    from intents.pipeline import build_router  # faiss (and torch, only to train) load when a runtime is built

    settings = services.settings
    in_force = services.kb_edits.in_force(kb_version)
    kb = apply_edits(load_knowledge_base(settings.kb_dir, settings.sources_dir), in_force)
    if router is None or in_force:
        router = build_router(settings, kb, report, edits_key=edits_digest(in_force))
    assistant = services.assistant_for(kb, router)
    copilot = services.copilot_for(kb, router)
    return Runtime(kb=kb, router=router, assistant=assistant, copilot=copilot, kb_version=kb_version)


def install(app: FastAPI, runtime: Runtime) -> None:
    """Serve from runtime from the next request on: the routes read app.state.runtime, replaced by a single
    assignment."""
    app.state.runtime = runtime


def services_of(connection: HTTPConnection) -> Services:
    """The app's services (server.py builds them once, in the lifespan), for a request or a socket."""
    services: Services = connection.app.state.services
    return services


def runtime_of(connection: HTTPConnection) -> Runtime:
    """What this request is served from: read once per request, since a rebuild swaps it."""
    runtime: Runtime = connection.app.state.runtime
    return runtime
