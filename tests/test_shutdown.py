"""Stopping the server with SIGTERM (an orchestrator's stop, a deploy) drops no request.

The real server (`govassist serve`, a separate process) is handling a burst of conversations when it
gets SIGTERM: every request already sent gets its whole answer, the app shuts down in order, and the
database is closed cleanly (SQLite's write-ahead log is checkpointed into the file and removed).
"""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from assistant.dialogue.turn import Turn
from tests.server_process import ServerProcess, server_data_dir

REQUESTS = 30
MESSAGES = ["我想第一次办张社保卡，要带什么材料，多久能办好？", "孩子刚出生，怎么上户口？", "公积金怎么提取出来付房租？"]


@pytest.fixture
def server(tmp_path, routing_settings, router):  # `router`: the encoder and index are trained
    process = ServerProcess(server_data_dir(tmp_path / "data", routing_settings),
                            settings={"GOVASSIST_RATE_LIMIT_PER_MINUTE": "100000"}, args=["--graceful-timeout", "60"])
    yield process
    process.kill()


def test_sigterm_lets_every_request_in_flight_finish_then_closes_the_database(server):
    server.start()
    sent = threading.Semaphore(0)
    first = threading.Event()
    answers: list[tuple[int, str, float]] = []  # (status, body, when it arrived)

    def ask(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        body = json.dumps({"text": MESSAGES[n % len(MESSAGES)]})
        connection.request("POST", "/api/chat", body=body.encode(), headers={"Content-Type": "application/json"})
        sent.release()  # the whole request is on its way: from here it is in flight
        try:
            response = connection.getresponse()
            answers.append((response.status, response.read().decode(), time.monotonic()))
        except OSError as exc:
            answers.append((0, repr(exc), time.monotonic()))
        finally:
            connection.close()
            first.set()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for _ in range(REQUESTS):
        assert sent.acquire(timeout=120)
    assert first.wait(timeout=120)
    stopped_at = time.monotonic()
    server.terminate(timeout=120)
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == REQUESTS
    assert [status for status, _, _ in answers] == [200] * REQUESTS, [a for a in answers if a[0] != 200]
    assert all(Turn.model_validate_json(body).reply for _, body, _ in answers)  # whole answers, not cut short
    assert any(at > stopped_at for _, _, at in answers), "some requests should still have been in flight"
    assert "Application shutdown complete" in server.log_tail(5)
    # Checkpointed and closed (a SIGKILL leaves the log behind: tests/test_crash_recovery.py).
    assert not (server.data_dir / "govassist.db-wal").exists()

