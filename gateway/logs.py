"""Structured logging: JSON in production, console in a terminal, one format for our events and
for third-party stdlib loggers alike.

A processor drops every key that could hold PHI or a secret, whatever the event; event names are
dotted past tense and values are ids and counts (STYLE.md rule 11).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import IO, Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from gateway.settings import Settings

# A key is dropped when its lower-cased name contains any of these fragments.
SENSITIVE_KEY_FRAGMENTS = (
    "password", "passwd", "secret", "token", "otp", "totp", "code_value", "cookie", "session",
    "authorization", "auth_header", "csrf", "name", "birth", "dob", "mrn", "ssn", "email",
    "e_mail", "phone", "address", "body", "query", "path", "url", "header", "filename",
    "subject", "text", "content", "term", "note", "patient", "recipient_", "identifier",
)  # fmt: skip
# Keys that look sensitive by fragment but are known to hold only ids, codes or templates.
SAFE_KEYS = frozenset(
    {
        "event", "level", "timestamp", "logger", "request_id", "route", "method", "status",
        "duration_ms", "code", "message_id", "user_id", "release_id", "error_type",
        "session_count", "path_template", "actor_id", "exc_info",
    }
)  # fmt: skip
_capture_streams: list[IO[str]] = []
NOISY_LOGGERS = ("uvicorn.access", "httpx", "httpcore", "botocore", "boto3", "urllib3")


def drop_sensitive_keys(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """Remove keys that could carry PHI, secrets or raw request data."""
    for key in list(event_dict):
        lowered = key.lower()
        if key not in SAFE_KEYS and any(f in lowered for f in SENSITIVE_KEY_FRAGMENTS):
            del event_dict[key]
    return event_dict


def _drop_stdlib_message_args(
    _logger: WrappedLogger, _name: str, event_dict: EventDict
) -> EventDict:
    """Third-party messages are reduced to their format string: arguments may hold a raw path."""
    record = event_dict.get("_record")
    if isinstance(record, logging.LogRecord) and record.args:
        event_dict["event"] = str(record.msg)
    event_dict.pop("positional_args", None)
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        drop_sensitive_keys,
    ]


def _renderer(settings: Settings, stream: IO[str]) -> Processor:
    fmt = settings.log_format
    if fmt == "auto":
        fmt = "console" if stream.isatty() else "json"
    if fmt == "console":
        return structlog.dev.ConsoleRenderer(colors=False)
    return structlog.processors.JSONRenderer()


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    """Route structlog and stdlib logging through one filtered renderer onto ``stream``."""
    stream = stream or sys.stderr
    level = getattr(logging, settings.log_level.upper())
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(), _drop_stdlib_message_args],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _renderer(settings, stream),
        ],
    )
    root = logging.getLogger()
    root.handlers[:] = [_handler(stream, formatter)]
    root.handlers.extend(_handler(s, formatter) for s in _capture_streams)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True
    structlog.configure(
        processors=[
            # first: an event below the level costs one check, not the whole chain
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def _handler(stream: IO[str], formatter: logging.Formatter) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    return handler


def add_capture(stream: IO[str]) -> None:
    """Also write every rendered line to ``stream`` (tests); survives a later reconfiguration."""
    _capture_streams.append(stream)
    root = logging.getLogger()
    formatter = root.handlers[0].formatter if root.handlers else None
    if formatter is not None:
        root.addHandler(_handler(stream, formatter))


def remove_capture(stream: IO[str]) -> None:
    _capture_streams.remove(stream)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
            root.removeHandler(handler)


def bind_request(request_id: str) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)


def unbind_request() -> None:
    structlog.contextvars.clear_contextvars()


def safe_fields(fields: MutableMapping[str, Any]) -> dict[str, Any]:
    """Apply the same filter to a dict outside the logging pipeline (for tests and audits)."""
    return dict(drop_sensitive_keys(None, "", dict(fields)))
