"""Start-up: the router ready in a new process, the index built from scratch, and a server with N workers
ready (every worker started) with the index already built, and with none (one worker builds it under
the build lock while the others wait, then all read the same one)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from eval.bench_http import served
from eval.bench_server import process_environment
from intents.index import RoutingIndex
from intents.pipeline import kb_normaliser, load_encoder, load_pretrained
from knowledge.base import load_knowledge_base
from settings import REPO_ROOT, Settings


@dataclass(frozen=True)
class StartupReport:
    workers: int
    router_ready_s: float  # a new process: imports, knowledge base, normaliser, encoder, saved index
    index_build_s: float  # this process: documents, BM25 and FAISS built from the knowledge base (pretrained vectors
    # read from the vector cache where they are kept)
    documents: int
    server_ready_built_s: float  # server start until every worker is ready, the index already built
    server_ready_unbuilt_s: float  # …with no index in the data directory
    indexes_after_unbuilt: int  # index directories written by that start: 1 when the workers shared one build

    def to_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}


ROUTER_READY = (
    "from settings import Settings; from intents.pipeline import build_router; "
    "from knowledge.base import load_knowledge_base; s = Settings(); "
    "build_router(s, load_knowledge_base(s.kb_dir, s.sources_dir))"
)


def router_ready_s(settings: Settings) -> float:
    """Seconds for a new Python process to have the router ready (imports included), the index built."""
    begun = time.perf_counter()
    subprocess.run([sys.executable, "-c", ROUTER_READY], cwd=REPO_ROOT, env=process_environment(settings, settings.data_dir),
                   check=True)
    return time.perf_counter() - begun


def bench_startup(settings: Settings, workers: int) -> StartupReport:
    """`settings.data_dir` must hold a trained encoder and its built index (`govassist train`, then any command)."""
    ready_s = router_ready_s(settings)
    kb = load_knowledge_base(settings.kb_dir, settings.sources_dir)
    normaliser = kb_normaliser(kb)
    encoder = load_encoder(settings, kb, normaliser)
    pretrained = load_pretrained(settings)
    begun = time.perf_counter()
    index = RoutingIndex.build(kb, encoder, normaliser, pretrained=pretrained, cache_dir=settings.vectors_dir)
    index_build_s = time.perf_counter() - begun

    with served(settings, settings.data_dir, workers, None) as server:
        built_s = server.ready_s
    with served(settings, settings.data_dir, workers, None, reuse=("models", "sources")) as server:
        unbuilt_s = server.ready_s
        indexes = index_dirs(server.data_dir)
    return StartupReport(workers, ready_s, index_build_s, len(index.docs), built_s, unbuilt_s, len(indexes))


def index_dirs(data_dir: Path) -> list[Path]:
    """Index directories in a data directory (a half-written one left behind would be counted too)."""
    return sorted(p for p in (data_dir / "index").iterdir() if p.is_dir())
