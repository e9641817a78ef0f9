"""Settings from `NEWSETL_*` environment variables; every one is also a CLI option.

Secrets are `SecretStr` so they never print in a repr, a log line or an artifact.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsetl.limits import DEFAULT_LIMITS, Limits
from newsetl.sources import check_name
from transforms.shingles import DupParams

# Elasticsearch's own rules for index and alias names, tightened: lowercase, no leading
# punctuation, no characters that would need escaping in a URL path.
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,199}$")
# http(s)://host[:port][/path], the host a name or an [IPv6] address.
_URL = re.compile(r"^https?://(\[[0-9a-fA-F:.]+\]|[^/\s:@\[\]]+)(:\d+)?(/\S*)?$")


def default_state_dir() -> Path:
    """`<checkout>/.newsetl` when running from a source checkout (what `make run` uses), else
    the user's state folder: never the current folder, so `newsetl es down` run from anywhere
    finds the engine that `make run` started."""
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "flows").is_dir():
        return checkout / ".newsetl"
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "newsetl"


def _without_auth(url: str) -> str:
    """The URL with any `user:password@` taken out: messages must never show a password."""
    return re.sub(r"^(\w+://)[^@/]*@", r"\1", url)


class Settings(BaseSettings):
    """One run's configuration; the field docs are the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="NEWSETL_", extra="ignore")

    es_url: str | None = Field(
        default=None,
        description="Elasticsearch URL; unset means the embedded local engine (started if needed).",
    )
    es_api_key: SecretStr | None = Field(default=None, description="API key (base64 id:key).")
    es_username: str | None = Field(default=None, description="Basic-auth user.")
    es_password: SecretStr | None = Field(default=None, description="Basic-auth password.")
    es_api_key_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the API key."
    )
    es_password_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the password."
    )
    es_ca_certs: Path | None = Field(default=None, description="CA bundle for TLS verification.")
    es_verify_certs: bool = Field(
        default=True, description="TLS verification; turning it off is warned about loudly."
    )
    index: str = Field(default="news", description="The alias searched and written.")
    raw_dir: Path = Field(default=Path("raw"), description="Folder of scraped articles.")
    source: str | None = Field(
        default=None,
        description="Name of the raw folder in the index: part of the id of every file "
        "without a URL, so two folders never collide. Default: the folder's own name.",
    )
    state_dir: Path = Field(
        default_factory=lambda: default_state_dir(),
        description="Local state: the embedded engine's data and logs, the local Prefect "
        "server, learned boilerplate. Default: `.newsetl` in the checkout, whatever the "
        "current folder (installed as a package: `~/.local/state/newsetl`).",
    )
    batch_size: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="Documents per task batch (a .jsonl file counts as one per KiB it holds).",
    )
    batch_bytes: int = Field(
        default=4 * 2**20,
        ge=1,
        description="Raw bytes per task batch: a batch of large .jsonl files ends sooner.",
    )
    local_port: int = Field(
        default=9250,
        ge=1024,
        le=65000,
        description="Port of the embedded engine's client-facing endpoint (127.0.0.1).",
    )
    local_heap: str = Field(default="1g", description="Java heap of the embedded engine.")
    prefect_port: int = Field(
        default=4250,
        ge=1024,
        le=65000,
        description="Port of the local Prefect server started when PREFECT_API_URL is unset.",
    )
    replicas: int = Field(
        default=0, ge=0, le=5, description="Replicas of a newly created index (0 for one node)."
    )
    max_file_bytes: int = Field(
        default=DEFAULT_LIMITS.max_file_bytes,
        ge=1,
        description="Largest raw file read (bytes, after gunzip).",
    )
    max_html_depth: int = Field(
        default=DEFAULT_LIMITS.max_html_depth, ge=1, description="Deepest HTML nesting parsed."
    )
    max_body_chars: int = Field(
        default=DEFAULT_LIMITS.max_body_chars,
        ge=1,
        description="Longest article body indexed (characters).",
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=256,
        description="Transform processes on this machine (default: one per core).",
    )
    task_runner: Literal["local", "dask"] = Field(
        default="local", description="`dask` runs transform batches on a Dask cluster."
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of an existing Dask cluster; unset with `dask`: a local cluster.",
    )
    dup_threshold: float = Field(
        default=0.4,
        ge=0,
        le=1,
        description="Estimated Jaccard (5-word shingles) from which two bodies are one story.",
    )
    dup_containment: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Share of a shorter body inside a longer one that makes a trimmed copy "
        "the same story (with Jaccard at least 0.3).",
    )
    dup_figures_missing: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Share of figures two bodies may differ in and still be one story.",
    )
    notify_block: str | None = Field(
        default=None,
        description="Prefect notification block (`slack-webhook/news-desk`) told of new watch "
        "matches after each run.",
    )
    retry_delays: list[float] = Field(
        default=[5, 20, 60],
        description="Seconds between retries of a failed batch load (JSON list).",
    )

    @field_validator("index")
    @classmethod
    def _valid_index(cls, value: str) -> str:
        if not _INDEX_NAME.match(value):
            if not value:
                reason = "it is empty"
            elif value[0] in "-_+.":
                reason = f"it must not start with {value[0]!r}"
            elif value != value.lower():
                reason = "it has capitals"
            elif len(value) > 200:
                reason = "it is longer than 200 characters"
            else:
                reason = "only lowercase letters, digits, '-' and '_' are allowed"
            raise ValueError(f"invalid index/alias name {value!r}: {reason}")
        return value

    @field_validator("source")
    @classmethod
    def _valid_source(cls, value: str | None) -> str | None:
        return value if value is None else check_name(value)

    @field_validator("es_url")
    @classmethod
    def _valid_url(cls, value: str | None) -> str | None:
        if value and not _URL.match(_without_auth(value)):
            raise ValueError(f"not an http(s) URL: {_without_auth(value)!r}")
        return value

    @classmethod
    def with_overrides(cls, **values: Any) -> Settings:
        """The environment's settings, with each value that is not None taking precedence."""
        return cls(**{k: v for k, v in values.items() if v is not None})

    @property
    def local_workers(self) -> int:
        """Transform processes of this machine's pool (none on Dask: its workers are)."""
        return self.workers if self.task_runner == "local" else 1

    @property
    def uses_local_engine(self) -> bool:
        return not self.es_url

    def dup_params(self) -> DupParams:
        return DupParams(
            jaccard=self.dup_threshold,
            containment=self.dup_containment,
            numbers_missing=self.dup_figures_missing,
        )

    def limits(self) -> Limits:
        return Limits(self.max_file_bytes, self.max_html_depth, self.max_body_chars)
