"""Typed settings, read once from the environment (prefix ``PREORDER_``) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_WEAK_SECRETS = {"changeme", "change-me", "secret", "admin", "password", "test", "demo"}


class Settings(BaseSettings):
    """Everything the engine can be configured with. Unknown ``PREORDER_*`` variables are ignored."""

    model_config = SettingsConfigDict(env_prefix="PREORDER_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("var"), description="Where the embedded database and stores live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: an SQLite file in data_dir."
    )
    bootstrap_admin_key: str | None = Field(
        default=None, description="If set, this key exists with scope admin when the server starts."
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    window_confidence: float = Field(default=0.9, gt=0.5, lt=1.0)
    conflict_tolerance_days: int = Field(default=7, ge=0)
    mlflow_tracking_uri: str | None = Field(
        default=None, description="MLflow tracking store; default: an SQLite file in data_dir."
    )
    db_pool_size: int = Field(default=8, ge=1)
    db_writers: int | None = Field(
        default=None,
        ge=1,
        le=32,
        description="Write transactions at once per process; default 1 on SQLite (it has one writer), "
        "4 on PostgreSQL (waits for the server overlap; placements of one SKU still queue on its row).",
    )
    agent_min_history_hours: float = Field(
        default=24.0, ge=0, description="How long the pricing agent watches sales before it moves a price."
    )
    cut_off_hour: int = Field(default=17, ge=0, le=23, description="Daily shipping cut-off (UTC hour).")
    agent_ready_orders: int = Field(
        default=50_000,
        ge=1,
        description="Most allocated orders the tick at the cut-off reads (oldest first); the logistics "
        "agent ships them and the rest wait a day.",
    )
    pause_sweep_seconds: float = Field(
        default=60.0, gt=0, description="How often the server resumes orders whose maximum pause ran out."
    )

    @field_validator("bootstrap_admin_key")
    @classmethod
    def _refuse_weak_secrets(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.lower() in _WEAK_SECRETS or len(value) < 24:
            raise ValueError("PREORDER_BOOTSTRAP_ADMIN_KEY must be at least 24 characters and not a default")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'preorder.sqlite3').as_posix()}"

    @property
    def resolved_db_writers(self) -> int:
        if self.db_writers is not None:
            return self.db_writers
        return 1 if self.resolved_database_url.startswith("sqlite") else 4

    @property
    def resolved_mlflow_tracking_uri(self) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.data_dir / 'mlflow.sqlite3').resolve().as_posix()}"


def load_settings() -> Settings:
    """Read the settings from the environment; call once at the edge and pass the result down."""
    return Settings()
