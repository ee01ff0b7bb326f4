"""HTTP throughput and latency at several concurrency levels, and the server's memory under a long load.

Both start a real server (eval/bench_server.py) on a fresh data directory and a fresh database (SQLite,
or a private schema on the PostgreSQL server named), reusing the encoder and index already built in
`trained`, and drive it with load citizens (eval/load_http.py). The client runs on the same machine and
takes part of its CPU.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.common.forms import FormSpec
from eval.bench_db import fresh_database
from eval.bench_server import REUSED, BenchServer, Memory, ServerOptions, fresh_data_dir
from eval.load_http import LoadReport, run_load
from eval.load_schedule import Arrivals, OpenLoop
from settings import Settings

WARM_UP_TURNS = 4  # per warm-up session: every worker loads its lazy parts before timing starts


@contextmanager
def served(settings: Settings, trained: Path, workers: int, database_url: str | None,
           reuse: tuple[str, ...] = REUSED) -> Iterator[BenchServer]:
    """A running server on a fresh data directory and database; everything removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="govassist-bench-") as scratch, fresh_database(database_url) as url:
        data_dir = fresh_data_dir(trained, Path(scratch) / "data", reuse)
        with BenchServer(data_dir, ServerOptions(workers=workers, database_url=url), settings) as server:
            yield server


def warm_up(server: BenchServer, subjects: Sequence[FormSpec], workers: int, first_citizen: int) -> int:
    """A few sessions through every worker; returns how many citizens that used."""
    sessions = 4 * workers
    run_load(server.base_url, subjects, sessions, sessions, WARM_UP_TURNS, first_citizen=first_citizen)
    return sessions


@dataclass(frozen=True)
class Level:
    """One concurrency level, with the CPU time the server and this (client) process used for it."""

    load: LoadReport
    server_cpu_s: float
    client_cpu_s: float

    def cpu_ms_per_turn(self, seconds: float) -> float:
        return 1000 * seconds / self.load.turns if self.load.turns else 0.0

    def to_dict(self) -> dict:
        return self.load.to_dict() | {"server_cpu_ms_per_turn": round(self.cpu_ms_per_turn(self.server_cpu_s), 1),
                                      "client_cpu_ms_per_turn": round(self.cpu_ms_per_turn(self.client_cpu_s), 1)}


@dataclass(frozen=True)
class HttpReport:
    workers: int
    database: str  # "sqlite" or "postgresql"
    ready_s: float
    levels: list[Level]

    def to_dict(self) -> dict:
        return {"workers": self.workers, "database": self.database, "ready_s": round(self.ready_s, 1),
                "levels": [level.to_dict() for level in self.levels]}


def bench_http(settings: Settings, trained: Path, subjects: Sequence[FormSpec], workers: int, levels: Sequence[int],
               turns: int, min_turns: int, database_url: str | None, rate: float | None = None,
               arrivals: Arrivals = "poisson") -> HttpReport:
    """Each level: max(level, min_turns / turns) sessions of `turns` turns, `level` at a time; closed loop,
    or with `rate` an open loop offering that many turns/s over the level's sessions (eval/load_schedule.py)."""
    reports = []
    with served(settings, trained, workers, database_url) as server:
        citizen = warm_up(server, subjects, workers, 0)
        for concurrency in levels:
            sessions = max(concurrency, math.ceil(min_turns / turns))
            server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
            pace = None if rate is None else OpenLoop(rate, concurrency, arrivals)
            load = run_load(server.base_url, subjects, concurrency, sessions, turns, first_citizen=citizen, pace=pace)
            reports.append(Level(load, server.cpu_seconds() - server_cpu, time.process_time() - client_cpu))
            citizen += sessions
    return HttpReport(workers, "postgresql" if database_url else "sqlite", server.ready_s, reports)


@dataclass(frozen=True)
class MemorySample:
    turns: int  # turns served so far (after warm-up)
    processes: dict[int, Memory]

    @property
    def rss(self) -> int:
        return sum(m.rss for m in self.processes.values())

    @property
    def pss(self) -> int:
        return sum(m.pss for m in self.processes.values())

    def to_dict(self) -> dict:
        return {"turns": self.turns, "rss_mb": mb(self.rss), "pss_mb": mb(self.pss),
                "rss_mb_by_process": {pid: mb(m.rss) for pid, m in self.processes.items()}}


def mb(size: int) -> float:
    return round(size / 2**20, 1)


@dataclass(frozen=True)
class MemoryReport:
    workers: int
    database: str
    samples: list[MemorySample]  # the first right after start, before any turn
    load: list[LoadReport]

    def to_dict(self) -> dict:
        return {"workers": self.workers, "database": self.database, "samples": [s.to_dict() for s in self.samples],
                "errors": sum(len(r.errors) for r in self.load), "crosstalk": sum(len(r.crosstalk) for r in self.load)}


def bench_memory(settings: Settings, trained: Path, subjects: Sequence[FormSpec], workers: int, turns: int,
                 steps: int, concurrency: int, database_url: str | None, session_turns: int = 20) -> MemoryReport:
    """Memory after start, then after each of `steps` equal parts of `turns` turns."""
    samples: list[MemorySample] = []
    loads: list[LoadReport] = []
    with served(settings, trained, workers, database_url) as server:
        samples.append(MemorySample(0, server.memory()))
        citizen = warm_up(server, subjects, workers, 0)
        done = 0
        for step in range(1, steps + 1):
            sessions = math.ceil((turns * step // steps - done) / session_turns)
            loads.append(run_load(server.base_url, subjects, concurrency, sessions, session_turns, first_citizen=citizen))
            citizen += sessions
            done += loads[-1].turns
            samples.append(MemorySample(done, server.memory()))
    return MemoryReport(workers, "postgresql" if database_url else "sqlite", samples, loads)
