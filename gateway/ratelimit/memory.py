"""The rate limiter whose state is in the process: a sliding window of timestamps per key. Each
web process has its own budget and a restart clears it (docs/decisions/0004-delivery-links.md):
used only where a database write per request costs too much, the download path."""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from gateway.ratelimit.errors import Limit, RateLimited, key_digest
from kernel.clock import Clock


@dataclass
class MemoryRateLimiter:
    clock: Clock
    max_keys: int = 100_000
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    # the download path hits it on the event loop and on the writer thread
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, scope: str, key: str, limit: Limit) -> None:
        """Count one event for ``key`` in ``scope``; raise :class:`RateLimited` when the window
        already holds ``limit.events`` (the refused event is not counted)."""
        digest = key_digest(scope, key)
        now = self.clock.now().timestamp()
        with self._lock:
            self._count(digest, now, limit)

    def _count(self, digest: str, now: float, limit: Limit) -> None:
        window = self._seen.get(digest)
        if window is None:
            if len(self._seen) >= self.max_keys:
                self._evict(now)
            window = self._seen[digest] = deque()
        while window and window[0] <= now - limit.window_s:
            window.popleft()
        if len(window) >= limit.events:
            raise RateLimited(max(1, math.ceil(window[0] + limit.window_s - now)))
        window.append(now)

    def _evict(self, now: float) -> None:
        horizon = now - 3600
        for digest in [d for d, w in self._seen.items() if not w or w[-1] <= horizon]:
            del self._seen[digest]
        if len(self._seen) >= self.max_keys:
            self._seen.clear()
