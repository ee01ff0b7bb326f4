"""The copilot's data file, assistant/data/copilot.yaml: the reply wording, the caller fields and the
cue words of work-order types. Read once by the copilot and handed to each part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COPILOT_FILE = Path(__file__).resolve().parents[1] / "data" / "copilot.yaml"


def load_copilot_data(path: Path = COPILOT_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
