"""The real server as a separate process (`govassist serve`), for tests that kill it or shut it down.

`server_data_dir` makes a fresh data directory (a new database, a fixed field key) that reuses the
encoder and index the session's `router` fixture trained, so a start takes seconds, not minutes.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from settings import REPO_ROOT, Settings

# A fixed field-encryption key: the restarted server must read what the killed one wrote.
TEST_KEY = base64.b64encode(bytes(range(32))).decode()
START_TIMEOUT_S = 240  # loading the encoder and index on a busy 2-core machine
PASSED_ON = {"GOVASSIST_ENCODER_PATH", "GOVASSIST_ROUTER_POLICY_PATH"}


def server_data_dir(target: Path, trained: Settings) -> Path:
    """A fresh data directory whose models/ and index/ are the ones `trained` built (read only here)."""
    target.mkdir(parents=True)
    for sub in ("models", "index"):
        (target / sub).symlink_to(trained.data_dir / sub, target_is_directory=True)
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    data_dir: Path
    settings: dict[str, str] = field(default_factory=dict)  # more GOVASSIST_* settings, by env name
    args: list[str] = field(default_factory=list)  # more `govassist serve` options
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"server-{self.port}.log"

    def start(self) -> None:
        """Start `govassist serve` and wait until it answers /api/health."""
        # Only the encoder settings carry over (they decide which trained files are linked in).
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVASSIST_") or k in PASSED_ON}
        env |= {"GOVASSIST_DATA_DIR": str(self.data_dir), "GOVASSIST_KB_DIR": str(REPO_ROOT / "knowledge"),
                "GOVASSIST_ENCRYPTION_KEY": TEST_KEY, "PYTHONUNBUFFERED": "1", **self.settings}
        command = [sys.executable, "-c", "from cli import main; main()", "serve", "--port", str(self.port), *self.args]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"the server did not start in {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as a crash or the OOM killer leaves it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as an orchestrator stops it; the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""
