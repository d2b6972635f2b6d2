"""A limit, and the refusal beyond it (HTTP 429, registered in ``gateway/errors.py``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kernel.errors import DomainError


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``events`` in any ``window_s`` seconds."""

    events: int
    window_s: float

    def __post_init__(self) -> None:
        if self.events < 1 or self.window_s <= 0:
            msg = "a limit needs at least one event and a positive window"
            raise ValueError(msg)


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("Too many attempts; wait, then try again.", retry_after_s=retry_after_s)


def key_digest(scope: str, key: str) -> str:
    """What a limiter stores for a key: its scope and value hashed (no address or account id in
    memory dumps or tables)."""
    return hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
