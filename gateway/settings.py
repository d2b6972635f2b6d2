"""The one typed settings object. Read once, in the composition root, and passed down.

Environment variables use the ``ROI_`` prefix and ``__`` for nesting, for example
``ROI_DATABASE__URL`` or ``ROI_S3__BUCKET``. Secrets are secret types and are never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file roi.sqlite3 under the data dir.",
    )
    # A stalled PostgreSQL answers 503 within connect + statement + 2 s = 13 s (SECURITY.md
    # attack 9 asks for 15 s end to end).
    connect_timeout_s: float = 3.0
    statement_timeout_ms: int = 8_000
    busy_timeout_ms: int = 5_000
    pool_size: int = 5
    statistics_cron: str = Field(
        default="41 2 * * *",
        description="SQLite: when the query planner's statistics are refreshed (ANALYZE, cron, "
        "UTC), as a scheduled workflow in processes that run workflows. PostgreSQL keeps its "
        "own (autovacuum).",
    )
    read_timeout_s: float | None = Field(
        default=None,
        gt=0,
        description="PostgreSQL: client-side deadline of one wait on the server (a stalled "
        "connection without a reset); default: the statement timeout plus 2 s.",
    )


class S3Settings(BaseModel):
    endpoint_url: str | None = None
    bucket: str | None = None
    region: str = "us-east-1"
    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 4.0
    total_max_attempts: int = 2
    deadline_s: float = 10.0
    sse: Literal["AES256", "aws:kms"] = "AES256"
    kms_key_id: str | None = None


class MailSettings(BaseModel):
    backend: Literal["outbox", "smtp"] = "outbox"
    sender: str = "roi-gateway@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    timeout_s: float = 10.0


class WorkflowSettings(BaseModel):
    enabled: bool = True
    app_version: str = "roi-gateway-1"
    executor_id: str | None = Field(default=None, description="Default: host name and pid.")
    system_database_url: str | None = Field(
        default=None,
        description="Default: SQLite dbos.sqlite3 under the data dir, or the PG database.",
    )
    assembly_worker_concurrency: int = Field(
        default=2, ge=1, description="Release assemblies one process runs at once."
    )
    orphan_sweep_s: float = Field(
        default=30.0,
        gt=0,
        description="How often a process running workflows resumes work of dead processes and"
        " hands releases left between a commit and its enqueue to their workflows.",
    )
    shutdown_grace_s: int = Field(
        default=10, ge=0, description="Seconds a stopping process waits for running workflows."
    )


class SecuritySettings(BaseModel):
    session_idle_minutes: int = 15
    session_absolute_hours: int = 12
    login_max_failures: int = 10
    secure_cookies: bool = True
    token_keys_file: Path | None = Field(
        default=None,
        description="The access-token keyring file; default: keys/access_tokens.json under the "
        "data dir (created on first start, mode 0600; `roi keys rotate`).",
    )
    token_keyring: SecretStr | None = Field(
        default=None,
        description="The access-token keyring itself (JSON, as `roi keys rotate --print` writes "
        "it), from a secret store; when set, the key file is not used.",
    )


class PdfLaneSettings(BaseModel):
    """A lane of PDF worker processes; the defaults are the ``check`` lane's (uploads)."""

    workers: int = Field(default=2, ge=1, le=32)
    memory_cap_mib: int = Field(default=256, ge=128)
    time_limit_s: float = Field(default=10.0, gt=0)
    queue_timeout_s: float = Field(default=5.0, gt=0, description="Wait for a free worker.")


class PdfAssembleLaneSettings(PdfLaneSettings):
    memory_cap_mib: int = Field(default=512, ge=128)
    time_limit_s: float = Field(default=120.0, gt=0)
    queue_timeout_s: float = Field(default=60.0, gt=0)


class PdfSettings(BaseModel):
    """The PDF worker pool: ``check`` for uploads, ``assemble`` for packets (SECURITY R29)."""

    check: PdfLaneSettings = PdfLaneSettings()
    assemble: PdfAssembleLaneSettings = PdfAssembleLaneSettings()
    start_timeout_s: float = 30.0
    eager_start: bool = Field(
        default=True, description="Spawn workers at start-up; otherwise at the first PDF call."
    )


class VendorsSettings(BaseModel):
    """The BAA registry: when a BAA counts as expiring, and when administrators hear of it."""

    expiring_within_days: int = Field(
        default=30, ge=1, le=365, description="A BAA ending within this many days is expiring."
    )
    expiry_notice_cron: str = Field(
        default="0 * * * *",
        description="When the BAA expiry notice job runs (cron, UTC); it mails at most once a day.",
    )


BasisTypeName = Literal[
    "access_request", "directive", "authorization", "subpoena", "court_order", "tpo", "none"
]


def _default_due_days() -> dict[BasisTypeName, int]:
    return {
        "access_request": 30,
        "directive": 30,
        "authorization": 30,
        "subpoena": 30,
        "court_order": 30,
        "tpo": 30,
        "none": 30,
    }


class RequestsSettings(BaseModel):
    """Requests and work orders: due dates per basis type (ACC-01: 30 days for the right of
    access, one extension of at most 30 days), evidence uploads, idempotency."""

    due_days: dict[BasisTypeName, int] = Field(
        default_factory=_default_due_days,
        description="Calendar days from receipt to the due date, per basis type.",
    )
    extension_days: int = Field(
        default=30, ge=1, le=30, description="How far the one extension moves the due date."
    )
    evidence_max_mb: int = Field(default=20, ge=1, le=200)
    idempotency_hours: int = Field(default=24, ge=1, le=168)


class DeliverySettings(BaseModel):
    """Delivery links (DESIGN.md step 6; SECURITY.md R3, R8, R11)."""

    link_lifetime_hours: int = Field(
        default=24, ge=1, le=168, description="How long a link lives (never past a BAA end)."
    )
    max_uses: int = Field(default=3, ge=1, le=1000, description="Downloads a link allows.")
    code_required: bool = Field(
        default=False,
        description="Bind links to their recipient: a 6-digit code mailed to the registered "
        "address must be entered before the download.",
    )
    downloads_per_minute: int = Field(
        default=30, ge=1, le=1_000_000, description="Downloads a minute, per link and per account."
    )
    downloads_per_minute_per_address: int = Field(
        default=120, ge=1, le=1_000_000, description="Downloads a minute from one client address."
    )
    sweep_interval_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How often a process without workflows (ROI_WORKFLOW__ENABLED=false) expires "
        "links, issues missing links and mails unmailed ones.",
    )
    sweep_cron: str = Field(
        default="* * * * *",
        description="When the delivery sweep runs as a scheduled workflow (cron, UTC), in "
        "processes that run workflows.",
    )


class BlobSweepSettings(BaseModel):
    cron: str = Field(
        default="23 3 * * *",
        description="When the sweep of blobs that no row points at runs (cron, UTC), as a "
        "scheduled workflow in processes that run workflows.",
    )
    grace_hours: int = Field(
        default=48,
        ge=24,
        le=24 * 365,
        description="Only blobs older than this are swept: a blob is stored before the row that "
        "points at it commits.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ROI_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    blob_backend: Literal["local", "s3", "memory"] = "local"
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    max_upload_mb: int = 50
    site_rules_file: Path | None = None
    hospital_name: str = Field(
        default="General Hospital",
        min_length=1,
        max_length=200,
        description="The covered entity's name, printed on generated documents (accountings).",
    )

    database: DatabaseSettings = DatabaseSettings()
    s3: S3Settings = S3Settings()
    mail: MailSettings = MailSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    security: SecuritySettings = SecuritySettings()
    pdf: PdfSettings = PdfSettings()
    vendors: VendorsSettings = VendorsSettings()
    requests: RequestsSettings = RequestsSettings()
    delivery: DeliverySettings = DeliverySettings()
    blob_sweep: BlobSweepSettings = BlobSweepSettings()

    @property
    def database_url(self) -> str:
        """The async SQLAlchemy URL in force."""
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'roi.sqlite3').resolve()}"

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")


def load_settings() -> Settings:
    """Read the environment once. Call only from the composition root (CLI, app factory)."""
    return Settings()
