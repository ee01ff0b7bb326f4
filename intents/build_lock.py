"""One builder at a time: processes starting together (several uvicorn workers, `govassist train` while
a server starts) build a trained model or an index once; the others wait, then read what was built."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock


@contextmanager
def build_lock(target: Path, locks: Path) -> Iterator[None]:
    """Held while `target` (a directory written by rename) is built. The lock file lives in `locks`,
    not beside the target, so the directory of models or indexes holds nothing but them."""
    locks.mkdir(parents=True, exist_ok=True)
    with FileLock(locks / f"{target.parent.name}-{target.name}.lock"):
        yield
