"""What several commands share: the services (assistant/services.py) with the knowledge base and the router
loaded as a terminal shows it: progress on stderr, a failure said in one line."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from intents.encoder import EncoderNotFound
from intents.pretrained import PretrainedUnavailable
from intents.router import Router
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.faults import KnowledgeBaseError
from settings import Settings

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from assistant.services import Services


def load_kb(settings: Settings) -> KnowledgeBase:
    try:
        return load_knowledge_base(settings.kb_dir, settings.sources_dir)
    except KnowledgeBaseError as exc:
        raise click.ClickException(f"knowledge base has {len(exc.faults)} fault(s); run `govassist kb check`\n{exc}") from None


class TrainBar:
    """Training's progress on stderr, shown only if training actually runs: a bar on a terminal, and a
    line every tenth of the way otherwise (under `make run` the bar would show nothing until the end)."""

    def __init__(self) -> None:
        self._bar: ProgressBar[int] | None = None
        self._started = 0.0
        self._shown_tenths = 0

    def __call__(self, done: int, total: int) -> None:
        if not self._started:
            click.echo("training the default encoder from the knowledge base (once; cached)…", err=True)
            self._started = time.monotonic()
            if sys.stderr.isatty():
                self._bar = click.progressbar(length=total, file=sys.stderr, label="train")
                self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(1)
            if done == total:
                self._bar.__exit__(None, None, None)
            return
        tenths = done * 10 // max(total, 1)
        if tenths > self._shown_tenths:
            self._shown_tenths = tenths
            click.echo(f"train: {tenths * 10}% ({done}/{total} steps, {time.monotonic() - self._started:.0f} s)", err=True)


def load_router(settings: Settings, kb: KnowledgeBase | None = None) -> Router:
    from intents.pipeline import build_router

    try:
        router = build_router(settings, kb if kb is not None else load_kb(settings), lambda m: click.echo(m, err=True), TrainBar())
    except (EncoderNotFound, PretrainedUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if router.pretrained is None:  # turned off by the setting: said at every start, never silent
        click.echo("pretrained encoder off (GOVASSIST_PRETRAINED=false): routing uses BM25 and the trained encoder only", err=True)
    return router


def services(settings: Settings, *, kb: KnowledgeBase | None = None, router: Router | None = None) -> Services:
    """Every command's parts, from build_services: nothing is built until the command uses it (`govassist
    audit` never loads the router). `kb`, `router`: ready ones to use instead of loading them."""
    from assistant.services import build_services

    return build_services(settings, kb=kb, router=router, load_kb=load_kb, load_router=load_router)


def open_db(settings: Settings):
    """The database the settings name, its schema current (assistant/storage/schema.py)."""
    return services(settings).database
