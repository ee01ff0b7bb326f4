"""Shared fixtures: the shipped knowledge base, a writable copy of it, and the shared data paths."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from settings import REPO_ROOT, Settings

KB_DIR = REPO_ROOT / "knowledge"
# Beside the checkout; GOVASSIST_SHARED_DIR points elsewhere (a worktree whose parent does not hold it).
SHARED = Path(os.environ.get("GOVASSIST_SHARED_DIR") or REPO_ROOT.parent / "shared")
CATALOGUE = SHARED / "catalogue" / "services.yaml"
GD_CATALOGUE = SHARED / "data" / "gd_catalogue" / "services.jsonl"
_MADE_MODEL_DIR = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """One trained model directory and one pretrained-vector cache for the whole run, made by the process
    that starts the run (pytest-xdist's workers inherit its environment). Every test's fresh data directory
    would otherwise encode the same few thousand passages again (about a minute each time on 2 cores), and
    each worker would train the encoder again. Models and vectors are keyed by their inputs, so sharing
    never serves a stale one; builds take a file lock (intents/build_lock.py), so the first worker trains
    and the other waits, then reads."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has set everything up
        return
    if "GOVASSIST_TEST_MODEL_DIR" not in os.environ:
        made = tempfile.mkdtemp(prefix="govassist-test-models-")
        os.environ["GOVASSIST_TEST_MODEL_DIR"] = made
        config.stash[_MADE_MODEL_DIR] = made
    if "GOVASSIST_VECTOR_CACHE_DIR" not in os.environ:
        os.environ["GOVASSIST_VECTOR_CACHE_DIR"] = str(Path(os.environ["GOVASSIST_TEST_MODEL_DIR"]) / "embeddings")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The model directory this run made for itself goes with it (one a developer named is kept)."""
    made = config.stash.get(_MADE_MODEL_DIR, None)
    if made:
        shutil.rmtree(made, ignore_errors=True)
        del os.environ["GOVASSIST_TEST_MODEL_DIR"]


# The order files start in (the two processes take files as they finish them). The longest file first; then,
# while one process trains the session's router (a few minutes on 2 cores), files that need no router keep
# the other busy; then the other long files, so none is taken last and leaves a process idle at the end
# (`--durations`, summed per file, 2026-12-08). A hint only: files not listed run after these, as collected.
START_ORDER = (
    "test_improvement_loop.py",
    "test_fuzz_text.py", "test_voice_decode.py", "test_voice_speech.py", "test_voice_recognise.py",
    "test_migrations.py", "test_slot_values.py", "test_slot_meaning.py", "test_audit.py", "test_applications.py",
    "test_workorders.py", "test_key_rotation.py", "test_normalise.py", "test_dates_approximate.py",
    "test_gd_routing.py", "test_load.py", "test_fuzz_api.py", "test_session_keys.py", "test_web_security.py",
    "test_crash_recovery.py", "test_api_staff.py", "test_api_handoff.py", "test_api_chat.py", "test_workers.py",
    "test_shutdown.py", "test_staff_sessions.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(START_ORDER)}
    items.sort(key=lambda item: rank.get(item.path.name, len(START_ORDER)))  # stable: the rest keep their order


def need(path: Path) -> Path:
    """Skip, saying why, when external shared data is not beside the checkout (as on a user's machine)."""
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (it lives beside the repository, not in it)")
    return path


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge base, to break in tests."""
    target = tmp_path / "kb"
    for sub in ("services", "bundles", "policies"):
        shutil.copytree(KB_DIR / sub, target / sub)
    return target


@pytest.fixture
def govassist(tmp_path: Path):
    """Run the real CLI in-process with a private data directory."""
    data_dir = tmp_path / "data"

    def run(*args: str, input: str | None = None) -> Result:  # input: what is typed (stdin)
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=input, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def routing_settings() -> Settings:
    # The run's one trained model directory (pytest_configure); GOVASSIST_TEST_MODEL_DIR set by hand keeps
    # the trained encoder and index between runs while developing (they are keyed by their inputs).
    return Settings(data_dir=Path(os.environ["GOVASSIST_TEST_MODEL_DIR"]), kb_dir=KB_DIR)


@pytest.fixture(scope="session")
def router(routing_settings: Settings):
    """The real router: trains the default encoder once per test session (about a minute) and builds the index."""
    from intents.pipeline import build_router
    from knowledge.base import load_knowledge_base

    return build_router(routing_settings, load_knowledge_base(KB_DIR))


# A fixed "now" for dialogue tests: relative dates (明天, 下周三) and tracking numbers depend on it.
DIALOGUE_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@pytest.fixture(scope="session")
def knowledge_base():
    from knowledge.base import load_knowledge_base

    return load_knowledge_base(KB_DIR)


@pytest.fixture
def dialogue_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)


@pytest.fixture
def assistant(dialogue_settings: Settings, knowledge_base, router):
    """The real assistant on a private SQLite database, with the real router and a fixed clock."""
    from assistant.services import build_services

    return build_services(dialogue_settings, kb=knowledge_base, router=router, clock=lambda: DIALOGUE_NOW).assistant
