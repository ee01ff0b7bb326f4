"""A real server for benchmarks and load tests: uvicorn in a subprocess with N workers on a free loopback
port, over a fresh data directory that reuses an already trained encoder and built index.

The workers are the app as deployed (`govassist serve --workers N`, through web/workers.py: settings from
GOVASSIST_* variables, one encryption key shared by all). Ready means every worker has finished its
start-up, not just the first one.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from settings import REPO_ROOT, Settings

REUSED = ("models", "index", "sources")  # what a fresh data directory borrows from a trained one
STARTED = "Application startup complete."
FAILED = "Application startup failed."
BENCH_RATE_LIMIT = 1_000_000  # the limiter stays on; every simulated citizen comes from 127.0.0.1


def fresh_data_dir(trained: Path, target: Path, reuse: tuple[str, ...] = REUSED) -> Path:
    """A new data directory (so a new SQLite database and key) whose models and indexes are `trained`'s."""
    target.mkdir(parents=True, exist_ok=True)
    for name in reuse:
        if (trained / name).is_dir():
            (target / name).symlink_to((trained / name).resolve(), target_is_directory=True)
    return target


def process_environment(settings: Settings, data_dir: Path) -> dict[str, str]:
    """The environment of a child process that uses `settings` with its own data directory and database."""
    env = {k: v for k, v in os.environ.items() if k != "GOVASSIST_DATABASE_URL"}
    return env | {"GOVASSIST_DATA_DIR": str(data_dir), "GOVASSIST_KB_DIR": str(settings.kb_dir)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Memory:
    """One process's memory (Linux /proc): resident, and its proportional share of pages it shares with
    other processes (the libraries every worker maps count once in a sum of PSS, once per worker in RSS)."""

    rss: int
    pss: int

    @classmethod
    def of(cls, pid: int) -> Memory:
        return cls(_kb_field(f"/proc/{pid}/status", "VmRSS:"), _kb_field(f"/proc/{pid}/smaps_rollup", "Pss:"))


def _kb_field(path: str, name: str) -> int:
    """Bytes of a `name  123 kB` line; 0 when the process is gone or the file unreadable."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (uvicorn's supervisor, its workers, their helpers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for child in children:
            found += process_tree(int(child))
    return found


@dataclass(frozen=True)
class ServerOptions:
    workers: int = 1
    database_url: str | None = None  # None: SQLite in the data directory
    rate_limit_per_minute: int = BENCH_RATE_LIMIT
    ready_timeout_s: float = 600.0  # a worker that must build the index first takes minutes on 2 cores
    # Field-encryption key (base64 of 32 bytes); None: a new one. Servers sharing a database share it.
    encryption_key: str | None = None


def new_encryption_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class ServerFailed(RuntimeError):
    pass


class BenchServer:
    """`with BenchServer(data_dir, options, settings) as server:` … `server.base_url` …"""

    def __init__(self, data_dir: Path, options: ServerOptions, settings: Settings) -> None:
        self.data_dir = data_dir
        self.options = options
        self.settings = settings
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ready_s = 0.0
        self.log: list[str] = []
        self._process: subprocess.Popen[str] | None = None
        self._started = threading.Semaphore(0)

    def environment(self) -> dict[str, str]:
        env = process_environment(self.settings, self.data_dir)
        env |= {
            "GOVASSIST_RATE_LIMIT_PER_MINUTE": str(self.options.rate_limit_per_minute),
            # All workers must encrypt with the same key (docs/deploy.md).
            "GOVASSIST_ENCRYPTION_KEY": self.options.encryption_key or new_encryption_key(),
        }
        if self.options.database_url:
            env["GOVASSIST_DATABASE_URL"] = self.options.database_url
        return env

    def start(self) -> float:
        """Start the server and wait until every worker is ready; returns the seconds that took."""
        command = [  # uvicorn as `govassist serve` runs it (web/workers.py), without loading the router first
            sys.executable, "-m", "web.workers", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.options.workers), "--log-level", "info", "--no-access-log",
        ]
        begun = time.perf_counter()
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=self.environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,  # its own process group, so a stuck worker can be stopped with it
        )
        threading.Thread(target=self._read_log, daemon=True).start()
        for _ in range(self.options.workers):
            left = self.options.ready_timeout_s - (time.perf_counter() - begun)
            if left <= 0 or not self._started.acquire(timeout=left) or self._failed():
                self.stop()
                raise ServerFailed("the server did not start:\n" + "\n".join(self.log[-30:]))
        self.ready_s = time.perf_counter() - begun
        return self.ready_s

    def _read_log(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self.log.append(line.rstrip())
            if STARTED in line or FAILED in line:
                self._started.release()
        self._started.release()  # the process ended: wake the waiter to see it

    def _failed(self) -> bool:
        return any(FAILED in line for line in self.log) or (self._process is not None and self._process.poll() is not None)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def memory(self) -> dict[int, Memory]:
        """Memory of each process of the server (supervisor, workers, multiprocessing's helper)."""
        return {pid: Memory.of(pid) for pid in process_tree(self.pid)}

    def cpu_seconds(self) -> float:
        """CPU time used so far by all the server's processes."""
        return sum(cpu_seconds(pid) for pid in process_tree(self.pid))

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this server was started in, nothing else
            process.wait(timeout=10)

    def __enter__(self) -> BenchServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
