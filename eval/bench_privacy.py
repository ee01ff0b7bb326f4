"""Timing of the privacy machinery on a throw-away SQLite database: appending to the audit log, verifying
its chain, and re-encrypting conversations under a new key. `python -m eval.bench_privacy [--events N]
[--sessions N]`; the figures are quoted in docs/security.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.dialogue.session_store import SessionStore
from assistant.privacy.audit import AuditLog, append
from assistant.privacy.crypto import FieldCipher
from assistant.privacy.key_rotation import rotate
from assistant.storage.db import open_database, writing

OLD, NEW = bytes(range(32)), bytes(range(100, 132))
ONE_BY_ONE = 1000  # events appended each in its own transaction, as the app does


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        log = AuditLog(database)
        started = time.perf_counter()
        for i in range(ONE_BY_ONE):
            log.record("坐席01", "view", f"WO20261123-{i:06d}", {"caller": ["name", "phone"]})
        print(f"audit record, one transaction each: {(time.perf_counter() - started) / ONE_BY_ONE * 1000:.2f} ms/event")
        with writing(database) as session:
            for i in range(max(0, args.events - ONE_BY_ONE)):
                append(session, "坐席01", "view", f"WO{i}", {"caller": ["phone"]}, datetime.now(UTC))
        started = time.perf_counter()
        report = log.verify()
        print(f"audit verify: {report.count} events in {time.perf_counter() - started:.2f} s (intact: {report.ok})")

        old = FieldCipher([OLD])
        form = {"values": {k: old.encrypt("13800138000") for k in "abcd"}, "displays": {k: old.encrypt("138 0013 8000") for k in "abcd"}}
        store = SessionStore(database)
        for i in range(args.sessions):
            store.save(f"bench-session-{i:08d}", {"form": form}, None)
        started = time.perf_counter()
        counts = rotate(database, FieldCipher([NEW, OLD])).columns["sessions.state_json"]
        print(f"keys rotate: {counts.rows} conversations, {counts.values} values in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
